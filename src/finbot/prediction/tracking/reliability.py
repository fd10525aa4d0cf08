"""Is the confidence calibrated? The live reliability table of the tracker.

Every answer states an outcome and gives its probability as the confidence (``outcome``:
``up`` = the log return beyond ``+threshold``, ``down`` = beyond ``−threshold``, ``flat`` =
within ``±threshold``; ``threshold`` the round-trip cost fraction). Once resolved, ``hit`` says
whether it happened. Among answers given with confidence about ``c``, the outcome should
happen about ``c`` of the time: the table bins the resolved answers by confidence (10
equal-width bins, empty ones left out) and its ``gap`` is the count-weighted mean
|mean confidence − observed frequency| (in probability points: 0.03 = 3 points).

``add_outcome_columns`` gives a database made before these columns existed the three nullable
columns (``ALTER TABLE … ADD COLUMN``: SQLite and PostgreSQL); older rows keep ``NULL`` and are
left out of the table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from sqlalchemy import Engine, Table, inspect, text
from sqlalchemy.exc import OperationalError, ProgrammingError

OUTCOME_COLUMNS = ("outcome", "outcome_threshold", "outcome_hit")
BINS = 10


class ReliabilityRow(TypedDict):
    low: float  # confidence bin, as a probability
    high: float
    n: int
    mean_confidence: float
    frequency: float  # share of the bin's answers whose stated outcome happened


class ReliabilityJson(TypedDict):
    n: int
    gap: float | None
    bins: list[ReliabilityRow]


def stated_hit(outcome: str | None, threshold: float | None, realised: float) -> bool | None:
    """Whether the stated outcome happened (None for a row that stated none)."""
    if outcome is None or threshold is None:
        return None
    if outcome == "up":
        return realised > threshold
    if outcome == "down":
        return realised < -threshold
    return abs(realised) <= threshold


def reliability(pairs: Iterable[tuple[float, bool]], bins: int = BINS) -> ReliabilityJson:
    """The table of (probability, happened) pairs (see the module docstring)."""
    groups: dict[int, list[tuple[float, bool]]] = {}
    for p, hit in pairs:
        groups.setdefault(min(int(p * bins), bins - 1), []).append((p, hit))
    rows: list[ReliabilityRow] = []
    for k in sorted(groups):
        items = groups[k]
        rows.append(
            {
                "low": k / bins,
                "high": (k + 1) / bins,
                "n": len(items),
                "mean_confidence": sum(p for p, _ in items) / len(items),
                "frequency": sum(1 for _, h in items if h) / len(items),
            }
        )
    n = sum(r["n"] for r in rows)
    gap = sum(r["n"] * abs(r["mean_confidence"] - r["frequency"]) for r in rows) / n if n else None
    return {"n": n, "gap": gap, "bins": rows}


def _missing(engine: Engine, table: Table) -> list[str]:
    present = {c["name"] for c in inspect(engine).get_columns(table.name)}
    return [name for name in OUTCOME_COLUMNS if name not in present]


def add_outcome_columns(engine: Engine, table: Table) -> None:
    """Add the outcome columns a table created before them lacks. Two processes opening an
    old database at once may race: the loser's "duplicate column" is harmless, so it checks
    again and raises only if a column is still missing."""
    for name in _missing(engine, table):
        column = table.c[name]
        kind = column.type.compile(dialect=engine.dialect)
        try:
            with engine.begin() as connection:
                connection.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {name} {kind}"))
        except (OperationalError, ProgrammingError):
            if name in _missing(engine, table):
                raise
