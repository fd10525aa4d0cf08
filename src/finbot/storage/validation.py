"""Checks a batch of bars before it may be stored: bad rows are counted by reason and dropped.

A bar is stored only when its prices are finite and positive, ``high`` is at least
``max(open, close)``, ``low`` at most ``min(open, close)``, its volume is null or a finite
non-negative number, and its market cap is null or finite and non-negative.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from finbot.errors import DataError
from finbot.i18n import N_
from finbot.schema import PRICE_COLUMNS, conform

_PRICES_OK = pl.all_horizontal(
    [pl.col(c).is_not_null() & pl.col(c).is_finite() & (pl.col(c) > 0) for c in PRICE_COLUMNS]
)
RULES: tuple[tuple[str, pl.Expr], ...] = (
    (N_("ts: null or negative"), pl.col("ts").is_null() | (pl.col("ts") < 0)),
    (N_("price: null, NaN, infinite or <= 0"), ~_PRICES_OK),
    # high >= max(open, close) >= min(open, close) >= low also guarantees high >= low
    (N_("high: below max(open, close)"), pl.col("high") < pl.max_horizontal("open", "close")),
    (N_("low: above min(open, close)"), pl.col("low") > pl.min_horizontal("open", "close")),
    (
        N_("volume: NaN, infinite or negative"),
        pl.col("volume").is_not_null() & (~pl.col("volume").is_finite() | (pl.col("volume") < 0)),
    ),
    (
        N_("market_cap: NaN, infinite or negative"),
        pl.col("market_cap").is_not_null()
        & (~pl.col("market_cap").is_finite() | (pl.col("market_cap") < 0)),
    ),
)


@dataclass(frozen=True)
class Validated:
    """The rows that passed, and how many failed for each reason (first failing rule only)."""

    good: pl.DataFrame
    rejected: dict[str, int] = field(default_factory=dict)

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())


def as_bars(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` in the canonical schema; DataError naming the column when it cannot be."""
    missing = [c for c in ("ts", *PRICE_COLUMNS) if c not in frame.columns]
    if missing:
        raise DataError(
            N_("bars: missing column(s) {columns}; expected ts, open, high, low, close, volume"),
            columns=", ".join(missing),
        )
    try:
        return conform(frame)
    except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError) as exc:
        raise DataError(
            N_("bars: a column has the wrong type ({error}); expected numbers"), error=str(exc)
        ) from exc


def validate_bars(frame: pl.DataFrame) -> Validated:
    """Split ``frame`` (canonical schema) into storable rows and per-reason rejection counts."""
    rule_index = pl.lit(None, dtype=pl.Int32)
    for index, (_, bad) in reversed(list(enumerate(RULES))):
        rule_index = (
            pl.when(bad.fill_null(False)).then(pl.lit(index, dtype=pl.Int32)).otherwise(rule_index)
        )
    flagged = frame.with_columns(rule_index.alias("__rule"))
    good = flagged.filter(pl.col("__rule").is_null()).drop("__rule")
    if good.height == frame.height:
        return Validated(good)
    counts = flagged.filter(pl.col("__rule").is_not_null()).group_by("__rule").len()
    rejected = {RULES[int(r)][0]: int(n) for r, n in counts.iter_rows()}
    return Validated(good, dict(sorted(rejected.items())))
