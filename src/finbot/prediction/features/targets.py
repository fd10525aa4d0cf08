"""Training labels: forward log returns over a horizon, matched by TIMESTAMP.

The label of the bar opening at ``ts`` is ``log(close[ts + horizon] / close[ts])``: from the
moment the bar's features are known (its close) to one horizon later. The future bar is found
by its open time, never by shifting rows (the original shifted rows and so mixed horizons
wherever a bar was missing); when that bar is missing the label is null.
"""

from __future__ import annotations

import polars as pl

from finbot.timeframes import duration_ms


def forward_log_returns(bars: pl.DataFrame, horizon: str) -> pl.DataFrame:
    """``ts`` and ``target`` (log return to the bar opening ``horizon`` later, or null)."""
    step = duration_ms(horizon)
    base = bars.select(pl.col("ts").cast(pl.Int64), pl.col("close").cast(pl.Float64))
    future = base.select((pl.col("ts") - step).alias("ts"), pl.col("close").alias("future"))
    joined = base.join(future, on="ts", how="left", maintain_order="left")
    return joined.select("ts", (pl.col("future") / pl.col("close")).log().alias("target"))


def horizon_bars(horizon: str, timeframe: str) -> int:
    """How many bars of ``timeframe`` one ``horizon`` spans (rounded up, at least 1)."""
    return max(1, -(-duration_ms(horizon) // duration_ms(timeframe, field="timeframe")))
