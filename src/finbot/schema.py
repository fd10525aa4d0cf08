"""The canonical bars schema, used by collectors, storage, features and tests alike."""

from __future__ import annotations

import polars as pl

SCHEMA_VERSION = 1

BARS_SCHEMA: dict[str, pl.DataType] = {
    "ts": pl.Int64(),  # bar open time, UTC epoch milliseconds
    "open": pl.Float64(),
    "high": pl.Float64(),
    "low": pl.Float64(),
    "close": pl.Float64(),
    "volume": pl.Float64(),  # traded volume in USD over the bar (never a rolling 24 h figure)
    "market_cap": pl.Float64(),  # nullable
    "source": pl.String(),
}
BAR_COLUMNS: tuple[str, ...] = tuple(BARS_SCHEMA)
PRICE_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close")


def empty_bars() -> pl.DataFrame:
    return pl.DataFrame(schema=BARS_SCHEMA)


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """Cast ``frame`` to the canonical columns and dtypes (missing optional columns as null)."""
    columns = []
    for name, dtype in BARS_SCHEMA.items():
        if name in frame.columns:
            columns.append(pl.col(name).cast(dtype))
        else:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
    return frame.select(columns)
