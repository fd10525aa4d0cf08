"""The canonical bars schema, used by collectors, storage, features and tests alike.

In memory ``ts`` is UTC epoch milliseconds (Int64) everywhere; in a bar file (schema version
2) it is a Parquet TIMESTAMP(ms, UTC), so DuckDB, polars and Spark read times as times
(``to_file`` on write, ``conform`` on read). Version 1 files (``ts`` as a BIGINT) are
migrated by ``finbot.storage``'s schema migration."""

from __future__ import annotations

import polars as pl

SCHEMA_VERSION = 2  # 2: ts as TIMESTAMP(ms, UTC) in the files; 1: ts as Int64
TS_FILE_TYPE = pl.Datetime("ms", "UTC")

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
#: A bar file's schema (version 2): the bars schema with ``ts`` as a UTC time.
BARS_FILE_SCHEMA: dict[str, pl.DataType] = {**BARS_SCHEMA, "ts": TS_FILE_TYPE}
BAR_COLUMNS: tuple[str, ...] = tuple(BARS_SCHEMA)
PRICE_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close")


def empty_bars() -> pl.DataFrame:
    return pl.DataFrame(schema=BARS_SCHEMA)


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """Cast ``frame`` to the canonical columns and dtypes (missing optional columns as null)."""
    columns = []
    for name, dtype in BARS_SCHEMA.items():
        if name == "ts" and name in frame.columns and frame.schema[name].is_temporal():
            columns.append(pl.col(name).dt.epoch("ms").cast(dtype))  # a file's TIMESTAMP
        elif name in frame.columns:
            columns.append(pl.col(name).cast(dtype))
        else:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
    return frame.select(columns)


def to_file(frame: pl.DataFrame) -> pl.DataFrame:
    """Canonical bars as a bar file stores them: ``ts`` as TIMESTAMP(ms, UTC)."""
    return frame.with_columns(pl.col("ts").cast(pl.Datetime("ms")).dt.replace_time_zone("UTC"))
