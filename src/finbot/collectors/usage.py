"""API usage counters, persisted in the project database so every process sees them.

The original bot counted requests in the memory of the collecting process, so a separate
``status`` process always showed zero. Here each request is a row (endpoint template, HTTP
status, latency, masked key id), monthly totals live in a small counter table (so the monthly
cap check is one row read), and each collector run is a row too.

Load state of the last minute against the per-minute capacity (``rpm_per_key`` x keys, or
``public_rpm`` without keys): GREEN below 70 %, AMBER from 70 %, RED from 90 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypedDict

from sqlalchemy import (
    BigInteger,
    Engine,
    Float,
    Integer,
    String,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from finbot.storage import Base, ensure_tables, session_scope
from finbot.timeframes import DAY_MS, HOUR_MS, MINUTE_MS

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from finbot.config import CoinGeckoConfig

AMBER_FRAC = 0.70
RED_FRAC = 0.90
#: CoinGecko's Analyst plan: USD 129 a month for 500,000 calls (an estimate for 'pro').
PRO_COST_PER_CALL_USD = 129.0 / 500_000


class ApiRequest(Base):
    __tablename__ = "api_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ts_ms: Mapped[int] = mapped_column(BigInteger, index=True)
    endpoint: Mapped[str] = mapped_column(String(120))
    status: Mapped[int] = mapped_column(Integer)  # 0: no answer (timeout, connection error)
    latency_ms: Mapped[float] = mapped_column(Float)
    key_id: Mapped[str] = mapped_column(String(40))


class ApiMonthly(Base):
    __tablename__ = "api_monthly"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2024-05"
    requests: Mapped[int] = mapped_column(BigInteger, default=0)


class CollectorRun(Base):
    __tablename__ = "collector_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(40), index=True)
    ts_ms: Mapped[int] = mapped_column(BigInteger, index=True)
    status: Mapped[str] = mapped_column(String(16))  # "ok" | "failed"
    latency_ms: Mapped[float] = mapped_column(Float)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(400), nullable=True)
    cache_hits: Mapped[int] = mapped_column(Integer, default=0)
    cache_misses: Mapped[int] = mapped_column(Integer, default=0)
    ttl_left: Mapped[float | None] = mapped_column(Float, nullable=True)


def month_key(ts_ms: int) -> str:
    return datetime.fromtimestamp(ts_ms / 1000, tz=UTC).strftime("%Y-%m")


class WindowUsage(TypedDict):
    requests: int
    limit: int


class MinuteUsage(WindowUsage):
    state: str  # GREEN | AMBER | RED


class MonthUsage(TypedDict):
    requests: int
    cap: int
    share: float


class UsageSummary(TypedDict):
    """``status``'s API-usage section: requests per window against the limits."""

    minute: MinuteUsage
    hour: WindowUsage
    day: WindowUsage
    state: str
    keys_seen_1h: int
    per_endpoint: dict[str, int]
    errors_24h: int
    mean_latency_ms: float | None
    month: MonthUsage
    estimated_cost_usd_month: float
    cost_per_call_usd: float


class CollectorStats(TypedDict):
    """One collector's record: its last run, and its runs and failures so far."""

    runs: int
    failures: int
    consecutive_failures: int
    last_status: str
    last_run_ms: int
    latency_ms: float
    rows: int
    error: str | None
    cache_hits: int
    cache_misses: int
    ttl_left: float | None


def load_state(used: int, capacity: int) -> str:
    """GREEN / AMBER (>= 70 % of capacity) / RED (>= 90 %)."""
    share = used / capacity if capacity > 0 else 0.0
    return "RED" if share >= RED_FRAC else "AMBER" if share >= AMBER_FRAC else "GREEN"


@dataclass(frozen=True)
class UsageLimits:
    """What the counters are compared with (from api_config.json and the number of keys)."""

    per_minute: int = 10
    monthly_cap: int = 2_000_000
    cost_per_call_usd: float = 0.0
    rpm_per_key: int = 500

    @classmethod
    def for_plan(
        cls,
        rpm_per_key: int,
        public_rpm: int,
        n_keys: int,
        monthly_cap: int,
        plan: str,
        cost_per_call_usd: float | None = None,
    ) -> UsageLimits:
        """Capacity ``rpm_per_key * n_keys`` (``public_rpm`` keyless); cost 0 unless pro."""
        cost = (
            cost_per_call_usd
            if cost_per_call_usd is not None
            else (PRO_COST_PER_CALL_USD if plan == "pro" else 0.0)
        )
        per_minute = rpm_per_key * n_keys if n_keys else public_rpm
        return cls(
            per_minute=per_minute,
            monthly_cap=monthly_cap,
            cost_per_call_usd=cost,
            rpm_per_key=rpm_per_key,
        )

    def capacity(self, keys_seen: int) -> int:
        """Per-minute capacity: the keys the bot was seen using count even when the process
        asking (``finbot status``) has none in its own environment."""
        return max(self.per_minute, self.rpm_per_key * keys_seen)


class ApiUsageStore:
    """Request and collector-run counters in the database of ``engine``."""

    def __init__(self, engine: Engine, limits: UsageLimits | None = None):
        self._engine = engine
        self.limits = limits or UsageLimits()
        ensure_tables(engine, ApiRequest, ApiMonthly, CollectorRun)

    # ------------------------------------------------------------ requests
    def record(
        self, endpoint: str, status: int, latency_ms: float, key_id: str, ts_ms: int
    ) -> None:
        """One HTTP request (``key_id`` is a masked key or ``public``, never a key)."""
        month = month_key(ts_ms)
        with session_scope(self._engine) as session:
            session.add(
                ApiRequest(
                    ts_ms=ts_ms,
                    endpoint=endpoint[:120],
                    status=int(status),
                    latency_ms=float(latency_ms),
                    key_id=key_id[:40],
                )
            )
            bumped = session.execute(  # one atomic UPDATE: safe with several processes
                update(ApiMonthly)
                .where(ApiMonthly.month == month)
                .values(requests=ApiMonthly.requests + 1)
            )
            if not getattr(bumped, "rowcount", 0):
                session.add(ApiMonthly(month=month, requests=1))

    def month_total(self, now_ms: int) -> int:
        """Requests made in the calendar month (UTC) of ``now_ms``, by every process."""
        with session_scope(self._engine) as session:
            row = session.get(ApiMonthly, month_key(now_ms))
            return int(row.requests) if row else 0

    def _count_since(self, session: Session, since_ms: int) -> int:
        return int(
            session.scalar(
                select(func.count()).select_from(ApiRequest).where(ApiRequest.ts_ms > since_ms)
            )
            or 0
        )

    def _day_by_endpoint(self, session: Session, now_ms: int) -> list[tuple[str, int, float]]:
        """(endpoint, requests, mean latency ms) over the last 24 h."""
        rows = session.execute(
            select(ApiRequest.endpoint, func.count(), func.avg(ApiRequest.latency_ms))
            .where(ApiRequest.ts_ms > now_ms - DAY_MS)
            .group_by(ApiRequest.endpoint)
        ).all()
        return [(str(e), int(n), float(avg or 0)) for e, n, avg in rows]

    def _keys_seen(self, session: Session, now_ms: int) -> int:
        """Distinct API keys (not the public one) used in the last hour."""
        return int(
            session.scalar(
                select(func.count(func.distinct(ApiRequest.key_id))).where(
                    ApiRequest.ts_ms > now_ms - HOUR_MS, ApiRequest.key_id != "public"
                )
            )
            or 0
        )

    def _errors_24h(self, session: Session, now_ms: int) -> int:
        return int(
            session.scalar(
                select(func.count())
                .select_from(ApiRequest)
                .where(
                    ApiRequest.ts_ms > now_ms - DAY_MS,
                    (ApiRequest.status >= 400) | (ApiRequest.status == 0),
                )
            )
            or 0
        )

    def summary(self, now_ms: int) -> UsageSummary:
        """Requests this minute / hour / day with the limit and state, per endpoint (last
        24 h), errors, mean latency, share of the monthly cap and estimated cost."""
        with session_scope(self._engine) as session:
            minute = self._count_since(session, now_ms - MINUTE_MS)
            hour = self._count_since(session, now_ms - HOUR_MS)
            day_rows = self._day_by_endpoint(session, now_ms)
            keys_seen = self._keys_seen(session, now_ms)
            errors = self._errors_24h(session, now_ms)
        day = sum(n for _e, n, _l in day_rows)
        latency = (sum(avg * n for _e, n, avg in day_rows) / day) if day else None
        month = self.month_total(now_ms)
        per_minute = self.limits.capacity(keys_seen)
        return {
            "minute": {
                "requests": minute,
                "limit": per_minute,
                "state": load_state(minute, per_minute),
            },
            "hour": {"requests": hour, "limit": per_minute * 60},
            "day": {"requests": day, "limit": per_minute * 1440},
            "state": load_state(minute, per_minute),
            "keys_seen_1h": keys_seen,
            "per_endpoint": {e: n for e, n, _l in day_rows},
            "errors_24h": errors,
            "mean_latency_ms": round(latency, 1) if latency is not None else None,
            "month": {
                "requests": month,
                "cap": self.limits.monthly_cap,
                "share": month / self.limits.monthly_cap,
            },
            "estimated_cost_usd_month": round(month * self.limits.cost_per_call_usd, 4),
            "cost_per_call_usd": self.limits.cost_per_call_usd,
        }

    # ------------------------------------------------------------ collector runs
    def record_collector_run(
        self,
        name: str,
        status: str,
        latency_ms: float,
        rows: int = 0,
        error: str | None = None,
        cache_hits: int = 0,
        cache_misses: int = 0,
        ttl_left: float | None = None,
        *,
        ts_ms: int | None = None,
    ) -> None:
        """One run of a collector (``status`` "ok" or "failed"; ``error`` one line)."""
        when = ts_ms if ts_ms is not None else int(datetime.now(tz=UTC).timestamp() * 1000)
        with session_scope(self._engine) as session:
            session.add(
                CollectorRun(
                    name=name,
                    ts_ms=when,
                    status=status,
                    latency_ms=float(latency_ms),
                    rows=int(rows),
                    error=(error or None) and str(error)[:400],
                    cache_hits=int(cache_hits),
                    cache_misses=int(cache_misses),
                    ttl_left=ttl_left,
                )
            )

    def collector_summary(self) -> dict[str, CollectorStats]:
        """Per collector: last run (status, time, latency, rows, error, cache figures), the
        number of runs and failures, and the failures in a row up to the last run."""
        with session_scope(self._engine) as session:
            runs = session.scalars(
                select(CollectorRun).order_by(CollectorRun.ts_ms, CollectorRun.id)
            ).all()
        out: dict[str, CollectorStats] = {}
        for run in runs:
            before = out.get(run.name)
            failed = run.status != "ok"
            streak = before["consecutive_failures"] if before else 0
            out[run.name] = CollectorStats(
                runs=(before["runs"] if before else 0) + 1,
                failures=(before["failures"] if before else 0) + int(failed),
                consecutive_failures=streak + 1 if failed else 0,
                last_status=run.status,
                last_run_ms=run.ts_ms,
                latency_ms=round(run.latency_ms, 1),
                rows=run.rows,
                error=run.error,
                cache_hits=run.cache_hits,
                cache_misses=run.cache_misses,
                ttl_left=run.ttl_left,
            )
        return out

    # ------------------------------------------------------------ housekeeping
    def prune(self, now_ms: int, *, keep_days: int = 35, keep_runs_days: int = 90) -> int:
        """Delete request rows older than ``keep_days`` and runs older than
        ``keep_runs_days`` (monthly totals stay); returns the rows deleted."""
        with session_scope(self._engine) as session:
            gone = session.execute(
                delete(ApiRequest).where(ApiRequest.ts_ms < now_ms - keep_days * DAY_MS)
            )
            runs = session.execute(
                delete(CollectorRun).where(CollectorRun.ts_ms < now_ms - keep_runs_days * DAY_MS)
            )
        return int(getattr(gone, "rowcount", 0) or 0) + int(getattr(runs, "rowcount", 0) or 0)


def open_usage(engine: Engine, cg: CoinGeckoConfig, keys: tuple[str, ...]) -> ApiUsageStore:
    """The usage store in ``engine``, with the limits of a CoinGecko configuration and keys."""
    keys = keys if cg.plan != "public" else ()
    plan = cg.plan if cg.plan != "auto" else ("demo" if keys else "public")
    limits = UsageLimits.for_plan(
        cg.auth.rpm_per_key, cg.auth.public_rpm, len(keys), cg.auth.monthly_cap_total, plan
    )
    return ApiUsageStore(engine, limits)
