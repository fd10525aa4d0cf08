"""Every prediction finbot makes, stored, then scored once against what really happened.

A prediction made from the bar that opened at ``as_of`` (its close is ``last_price``) targets
the bar that opens at ``target_ts = as_of + horizon``: the realised price is that bar's close,
so predicted and realised returns span the same interval the model was trained on. A
prediction is due once that bar has closed; it is resolved EXACTLY ONCE against the stored bar
whose ``ts`` is nearest ``target_ts`` within a tolerance (one bar by default) — never against
the latest price (the original bot did both wrong: it compared with the latest price and
re-checked every prediction forever). A prediction with no bar near its target stays pending
until ``expire_after_ms`` past the target, then is marked ``expired`` and never looked at again.

Portable column types only (Integer, BigInteger, Float, String, Boolean): SQLite by default, a
PostgreSQL URL works too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from datetime import UTC, datetime
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
from sqlalchemy.orm import Mapped, mapped_column

from finbot.prediction.tracking.reliability import (
    ReliabilityJson,
    add_outcome_columns,
    reliability,
    stated_hit,
)
from finbot.storage import Base, ensure_tables, session_scope
from finbot.timeframes import DAY_MS, duration_ms

if TYPE_CHECKING:
    import polars as pl

    from finbot.prediction.decision import Action, LiveAccuracy

WINDOWS_MS = {"24h": DAY_MS, "7d": 7 * DAY_MS, "30d": 30 * DAY_MS}
DEFAULT_EXPIRE_MS = DAY_MS


class PredictionRow(Base):
    """One stored prediction and, once resolved, its outcome."""

    __tablename__ = "predictions"
    __table_args__ = (
        Index("ix_predictions_status_target", "status", "target_ts"),
        Index("ix_predictions_coin_horizon", "coin", "horizon"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    coin: Mapped[str] = mapped_column(String(64))
    horizon: Mapped[str] = mapped_column(String(16))
    timeframe: Mapped[str] = mapped_column(String(8))
    made_at: Mapped[int] = mapped_column(BigInteger)
    as_of: Mapped[int] = mapped_column(BigInteger)
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
#: The epoch-millisecond columns: exported as times (ISO 8601 UTC in CSV, datetime cells in
#: Excel), while ``recent`` and ``--json`` keep the stored milliseconds.
TIME_COLUMNS = ("made_at", "as_of", "target_ts", "resolved_at", "resolved_bar_ts")
EXCEL_TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def _row_dict(row: PredictionRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in EXPORT_COLUMNS}


def _nearest_bar(
    bars: pl.DataFrame | None, target: int, tolerance: int
) -> tuple[int, float] | None:
    """(ts, close) of the bar nearest ``target`` within ``tolerance`` ms, or None."""
    if bars is None or len(bars) == 0:
        return None
    ts = bars["ts"].to_list()
    close = bars["close"].to_list()
    best = min(range(len(ts)), key=lambda i: (abs(ts[i] - target), ts[i]))
    if abs(ts[best] - target) > tolerance or close[best] is None:
        return None
    return int(ts[best]), float(close[best])


def _outcome(row: PredictionRow, bar_ts: int, price: float, now_ms: int) -> dict[str, object]:
    realised = math.log(price / row.last_price)
    hit = None if row.predicted_return == 0 else (realised > 0) == (row.predicted_return > 0)
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
        add_outcome_columns(engine, PredictionRow.__table__)  # type: ignore[arg-type]

    def record(self, prediction: NewPrediction) -> int:
        """Store one prediction; returns its id."""
        values = {f.name: getattr(prediction, f.name) for f in fields(prediction)}
        values["target_ts"] = prediction.as_of + duration_ms(prediction.horizon)
        with session_scope(self.engine) as session:
            row = PredictionRow(**values, status="pending")
            session.add(row)
            session.flush()
            return int(row.id)

    def _due(self, now_ms: int) -> list[PredictionRow]:
        with session_scope(self.engine) as session:
            rows = session.scalars(
                select(PredictionRow).where(
                    PredictionRow.status == "pending", PredictionRow.target_ts <= now_ms
                )
            ).all()
            return [r for r in rows if r.target_ts + duration_ms(r.timeframe) <= now_ms]

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
            tol = tolerance_ms if tolerance_ms is not None else duration_ms(row.timeframe)
            bars = store.read(
                row.coin, row.timeframe, start_ms=row.target_ts - tol, end_ms=row.target_ts + tol
            )
            found = _nearest_bar(bars, row.target_ts, tol)
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
        """Write predictions to ``.csv`` or ``.xlsx``; returns the row count."""
        rows = self.recent(limit or 10**9)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            _write_csv(path, rows)
        elif suffix == ".xlsx":
            _write_xlsx(path, rows)
        else:
            raise ValueError(f"export: expected a .csv or .xlsx file, got {path.name!r}")
        return len(rows)


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


def _utc(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)


def iso_time(epoch_ms: int | None) -> str:
    """``2026-12-01T08:00:00Z`` (milliseconds only when there are some); "" for None."""
    if epoch_ms is None:
        return ""
    spec = "seconds" if epoch_ms % 1000 == 0 else "milliseconds"
    return _utc(epoch_ms).isoformat(timespec=spec).replace("+00:00", "Z")


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row | {c: iso_time(row[c]) for c in TIME_COLUMNS})


def _write_xlsx(path: Path, rows: list[dict[str, Any]]) -> None:
    from openpyxl import Workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "predictions"
    sheet.append(EXPORT_COLUMNS)
    times = {EXPORT_COLUMNS.index(c) + 1 for c in TIME_COLUMNS}
    for row in rows:
        # Excel has no time zones: naive datetimes, in UTC like every time finbot shows.
        sheet.append(
            [
                _utc(row[c]).replace(tzinfo=None)
                if c in TIME_COLUMNS and row[c] is not None
                else row[c]
                for c in EXPORT_COLUMNS
            ]
        )
        for cell in sheet[sheet.max_row]:
            if cell.column in times:
                cell.number_format = EXCEL_TIME_FORMAT
    book.save(path)


def live_accuracy(
    tracker: PredictionTracker, coin: str, horizon: str, now_ms: int
) -> LiveAccuracy | None:
    """The 30-day record of ``coin`` × ``horizon`` as ``confidence.LiveAccuracy`` (or None)."""
    from finbot.prediction.decision import LiveAccuracy

    stats = tracker.summary(now_ms, coin, horizon).get(coin, {}).get(horizon, {}).get("30d")
    if not stats or not stats["n"]:
        return None
    return LiveAccuracy(stats["n"], stats["hit_rate"], stats["coverage"])
