"""Every prediction finbot makes, stored, then scored once against what really happened.

A prediction starts from the price ``last_price`` observed at ``as_of`` (the answer's "now":
a bar's close time or a newer quote) and targets ``target_ts = as_of + horizon``: the realised
price is the close of the stored bar whose CLOSE time (``ts`` + its timeframe) is nearest
``target_ts`` within a tolerance (one bar by default), looked up in 5-minute bars first, then in
the prediction's own timeframe. A prediction is due once a bar past its target has closed; it
is resolved EXACTLY ONCE — never against the latest price (the original bot did both wrong: it
compared with the latest price and re-checked every prediction forever). A prediction with no
bar near its target stays pending until ``expire_after_ms`` past the target, then is marked
``expired`` and never looked at again.

One row per coin, horizon and as-of bar (``bar_ts``, the close time of the model's newest bar):
asking again about the same bar (every scan of ``best``, ``when``, the menu) records nothing
new, so a bar is counted once (``tracker_schema`` migrates older tables).

Portable column types only (Integer, BigInteger, Float, String, Boolean): SQLite by default, a
PostgreSQL URL works too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypedDict

from sqlalchemy import (
    BigInteger,
    Boolean,
    Engine,
    Float,
    Index,
    Integer,
    String,
    delete,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from finbot.errors import UsageError
from finbot.i18n import N_
from finbot.prediction.decision import direction_hit
from finbot.prediction.tracking.reliability import (
    ReliabilityJson,
    add_outcome_columns,
    reliability,
    stated_hit,
)
from finbot.prediction.tracking.tracker_export import write_csv, write_xlsx
from finbot.prediction.tracking.tracker_schema import UNIQUE_COLUMNS, UNIQUE_INDEX, migrate
from finbot.storage import Base, ensure_tables, session_scope
from finbot.timeframes import DAY_MS, Timeframe, duration_ms

if TYPE_CHECKING:
    import polars as pl

    from finbot.prediction.decision import Action

WINDOWS_MS = {"24h": DAY_MS, "7d": 7 * DAY_MS, "30d": 30 * DAY_MS}
DEFAULT_EXPIRE_MS = DAY_MS


class PredictionRow(Base):
    """One stored prediction and, once resolved, its outcome."""

    __tablename__ = "predictions"
    __table_args__ = (
        Index("ix_predictions_status_target", "status", "target_ts"),
        Index("ix_predictions_coin_horizon", "coin", "horizon"),
        Index(UNIQUE_INDEX, *UNIQUE_COLUMNS, unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    coin: Mapped[str] = mapped_column(String(64))
    horizon: Mapped[str] = mapped_column(String(16))
    timeframe: Mapped[str] = mapped_column(String(8))
    made_at: Mapped[int] = mapped_column(BigInteger)
    as_of: Mapped[int] = mapped_column(BigInteger)
    bar_ts: Mapped[int] = mapped_column(BigInteger)
    target_ts: Mapped[int] = mapped_column(BigInteger)
    last_price: Mapped[float] = mapped_column(Float)
    predicted_price: Mapped[float] = mapped_column(Float)
    predicted_return: Mapped[float] = mapped_column(Float)
    interval_low: Mapped[float | None] = mapped_column(Float, nullable=True)
    interval_high: Mapped[float | None] = mapped_column(Float, nullable=True)
    level: Mapped[float | None] = mapped_column(Float, nullable=True)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    decision: Mapped[str | None] = mapped_column(String(8), nullable=True)
    model: Mapped[str | None] = mapped_column(String(64), nullable=True)
    model_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source: Mapped[str] = mapped_column(String(16), default="cli")
    status: Mapped[str] = mapped_column(String(12), default="pending")
    resolved_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    resolved_bar_ts: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    realised_price: Mapped[float | None] = mapped_column(Float, nullable=True)
    realised_return: Mapped[float | None] = mapped_column(Float, nullable=True)
    abs_error: Mapped[float | None] = mapped_column(Float, nullable=True)
    direction_hit: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    inside_interval: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # the outcome the confidence is the probability of (``reliability``), and whether it came
    outcome: Mapped[str | None] = mapped_column(String(8), nullable=True)
    outcome_threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    outcome_hit: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


@dataclass(frozen=True)
class NewPrediction:
    """What ``record`` stores: a prediction with its inputs' timestamp and its answer."""

    coin: str
    horizon: str
    timeframe: str
    made_at: int
    as_of: int
    last_price: float
    predicted_price: float
    predicted_return: float
    interval_low: float | None = None
    interval_high: float | None = None
    level: float | None = None
    confidence: float | None = None
    decision: Action | None = None
    model: str | None = None
    model_version: str | None = None
    source: str = "cli"
    bar_ts: int | None = None  # close time of the model's newest bar (default: ``as_of``)
    outcome: str | None = None  # "up" | "down" | "flat": what ``confidence`` is P() of
    outcome_threshold: float | None = None  # the cost fraction that outcome is measured by


class BarReader(Protocol):
    def read(
        self,
        coin: str,
        timeframe: str,
        start_ms: int | None = None,
        end_ms: int | None = None,
        last_n: int | None = None,
    ) -> pl.DataFrame: ...


class WindowStats(TypedDict):
    """Live accuracy of one coin x horizon over one window (24h, 7d, 30d)."""

    n: int
    mae: float | None
    hit_rate: float | None
    coverage: float | None


#: ``{coin: {horizon: {window: stats}}}``
Accuracy = dict[str, dict[str, dict[str, WindowStats]]]


EXPORT_COLUMNS = [c.name for c in PredictionRow.__table__.columns]


def _row_dict(row: PredictionRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in EXPORT_COLUMNS}


def _nearest_bar(
    bars: pl.DataFrame | None, target: int, tolerance: int, step: int, now: int
) -> tuple[tuple[int, float] | None, bool]:
    """(the (ts, close) of the bar closed by ``now`` whose close (``ts + step``) is nearest
    ``target`` within ``tolerance`` ms, or None; whether that is settled: no bar still open
    at ``now`` can close nearer)."""
    waited = now - target
    found: tuple[int, float] | None = None
    if bars is not None and len(bars):
        closed = bars.filter((bars["ts"] + step <= now) & bars["close"].is_not_null())
        ends = [t + step for t in closed["ts"].to_list()]
        if ends:
            best = min(range(len(ends)), key=lambda i: (abs(ends[i] - target), ends[i]))
            if abs(ends[best] - target) <= tolerance:
                found = int(ends[best] - step), float(closed["close"][best])
    distance = None if found is None else abs(found[0] + step - target)
    settled = waited >= tolerance or (distance is not None and distance <= waited)
    return found, settled


def _outcome(row: PredictionRow, bar_ts: int, price: float, now_ms: int) -> dict[str, object]:
    realised = math.log(price / row.last_price)
    hit = direction_hit(realised, row.predicted_return)
    inside = None
    if row.interval_low is not None and row.interval_high is not None:
        inside = row.interval_low <= price <= row.interval_high
    return {
        "status": "resolved",
        "resolved_at": now_ms,
        "resolved_bar_ts": bar_ts,
        "realised_price": price,
        "realised_return": realised,
        "abs_error": abs(realised - row.predicted_return),
        "direction_hit": hit,
        "inside_interval": inside,
        "outcome_hit": stated_hit(row.outcome, row.outcome_threshold, realised),
    }


class PredictionTracker:
    """Stores predictions and scores them; one instance per database engine."""

    def __init__(self, engine: Engine):
        self.engine = engine
        ensure_tables(engine, PredictionRow)
        migrate(engine)
        add_outcome_columns(engine, PredictionRow.__table__)  # type: ignore[arg-type]

    def record(self, prediction: NewPrediction) -> int:
        """Store one prediction; returns its id, or that of the prediction already stored for
        the same coin, horizon and as-of bar (which is kept: a bar is counted once)."""
        values = {f.name: getattr(prediction, f.name) for f in fields(prediction)}
        values["bar_ts"] = prediction.as_of if prediction.bar_ts is None else prediction.bar_ts
        values["target_ts"] = prediction.as_of + duration_ms(prediction.horizon)
        key = (
            PredictionRow.coin == prediction.coin,
            PredictionRow.horizon == prediction.horizon,
            PredictionRow.bar_ts == values["bar_ts"],
        )
        try:
            with session_scope(self.engine) as session:
                found = session.scalar(select(PredictionRow.id).where(*key))
                if found is not None:
                    return int(found)
                row = PredictionRow(**values, status="pending")
                session.add(row)
                session.flush()
                return int(row.id)
        except IntegrityError:  # another process stored the same bar meanwhile: keep theirs
            with session_scope(self.engine) as session:
                return int(session.scalars(select(PredictionRow.id).where(*key)).one())

    def _due(self, now_ms: int) -> list[PredictionRow]:
        with session_scope(self.engine) as session:
            rows = session.scalars(
                select(PredictionRow).where(
                    PredictionRow.status == "pending", PredictionRow.target_ts <= now_ms
                )
            ).all()
            return list(rows)

    def _finish(self, row_id: int, values: dict[str, object]) -> bool:
        """Write an outcome only if the row is still pending (exactly once, even if raced)."""
        with session_scope(self.engine) as session:
            result = session.execute(
                update(PredictionRow)
                .where(PredictionRow.id == row_id, PredictionRow.status == "pending")
                .values(**values)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def resolve_due(
        self,
        store: BarReader,
        now_ms: int,
        tolerance_ms: int | None = None,
        expire_after_ms: int = DEFAULT_EXPIRE_MS,
    ) -> int:
        """Resolve every due prediction against the bar nearest its target; returns how many."""
        done = 0
        for row in self._due(now_ms):
            found = _realised(store, row, tolerance_ms, now_ms)
            if found is not None:
                done += self._finish(row.id, _outcome(row, *found, now_ms))
            elif now_ms > row.target_ts + expire_after_ms:
                self._finish(row.id, {"status": "expired", "resolved_at": now_ms})
        return done

    def recent(self, limit: int = 50, coin: str | None = None) -> list[dict[str, Any]]:
        """The newest predictions first, with their outcomes."""
        query = select(PredictionRow).order_by(
            PredictionRow.made_at.desc(), PredictionRow.id.desc()
        )
        if coin:
            query = query.where(PredictionRow.coin == coin)
        with session_scope(self.engine) as session:
            return [_row_dict(r) for r in session.scalars(query.limit(limit)).all()]

    def _resolved(
        self, since_ms: int, coin: str | None, horizon: str | None
    ) -> list[PredictionRow]:
        query = select(PredictionRow).where(
            PredictionRow.status == "resolved", PredictionRow.target_ts >= since_ms
        )
        if coin:
            query = query.where(PredictionRow.coin == coin)
        if horizon:
            query = query.where(PredictionRow.horizon == horizon)
        with session_scope(self.engine) as session:
            return list(session.scalars(query).all())

    def summary(self, now_ms: int, coin: str | None = None, horizon: str | None = None) -> Accuracy:
        """Live MAE, hit rate and coverage per coin × horizon over 24 h / 7 d / 30 d."""
        rows = self._resolved(now_ms - WINDOWS_MS["30d"], coin, horizon)
        groups: dict[tuple[str, str], list[PredictionRow]] = {}
        for row in rows:
            groups.setdefault((row.coin, row.horizon), []).append(row)
        out: Accuracy = {}
        for (c, h), items in sorted(groups.items()):
            out.setdefault(c, {})[h] = {
                name: _stats([r for r in items if r.target_ts >= now_ms - span])
                for name, span in WINDOWS_MS.items()
            }
        return out

    def reliability(
        self, now_ms: int, coin: str | None = None, horizon: str | None = None
    ) -> ReliabilityJson:
        """The reliability table of the confidence over the last 30 days (``reliability``)."""
        rows = self._resolved(now_ms - WINDOWS_MS["30d"], coin, horizon)
        return reliability(
            (r.confidence / 100.0, bool(r.outcome_hit))
            for r in rows
            if r.confidence is not None and r.outcome_hit is not None
        )

    def counts(self) -> dict[str, int]:
        """How many predictions are pending, resolved and expired."""
        with session_scope(self.engine) as session:
            statuses = session.scalars(select(PredictionRow.status)).all()
        return {s: statuses.count(s) for s in ("pending", "resolved", "expired")}

    def prune(self, retention_days: int, now_ms: int) -> int:
        """Delete predictions made more than ``retention_days`` ago; returns how many."""
        cutoff = now_ms - retention_days * DAY_MS
        with session_scope(self.engine) as session:
            result = session.execute(delete(PredictionRow).where(PredictionRow.made_at < cutoff))
            return int(result.rowcount)  # type: ignore[attr-defined]

    def export(self, path: Path, limit: int | None = None) -> int:
        """Write predictions to ``.csv`` or ``.xlsx``; returns the row count (UsageError for any
        other file name)."""
        rows = self.recent(limit or 10**9)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            write_csv(path, rows, EXPORT_COLUMNS)
        elif suffix == ".xlsx":
            write_xlsx(path, rows, EXPORT_COLUMNS)
        else:
            raise UsageError(
                N_("export: expected a .csv or .xlsx file, got {name!r}"), name=path.name
            )
        return len(rows)


def _realised(
    store: BarReader, row: PredictionRow, tolerance_ms: int | None, now: int
) -> tuple[int, float] | None:
    """(bar ts, close) at ``row``'s target: 5-minute bars first (the nearest in time), then
    the prediction's own timeframe; None while a nearer bar may still close."""
    for tf in dict.fromkeys((Timeframe.M5, row.timeframe)):
        step = duration_ms(tf, field="timeframe")
        tol = tolerance_ms if tolerance_ms is not None else step
        start, end = row.target_ts - step - tol, row.target_ts - step + tol
        bars = store.read(row.coin, tf, start_ms=start, end_ms=end)
        if bars is None or len(bars) == 0:
            continue  # no such bars around the target: the next timeframe
        found, settled = _nearest_bar(bars, row.target_ts, tol, step, now)
        if not settled:
            return None  # a nearer bar may still close: look again later
        if found is not None:
            return found
    return None


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _stats(rows: list[PredictionRow]) -> WindowStats:
    hits = [float(r.direction_hit) for r in rows if r.direction_hit is not None]
    inside = [float(r.inside_interval) for r in rows if r.inside_interval is not None]
    return {
        "n": len(rows),
        "mae": _mean([r.abs_error for r in rows if r.abs_error is not None]),
        "hit_rate": _mean(hits),
        "coverage": _mean(inside),
    }
