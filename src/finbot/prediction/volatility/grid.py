"""Bars on their regular time grid, and the trailing/leading window sums everything else uses.

A missing bar is a NaN slot on the grid, never a filled value: a return needs the bar and the
one just before it; a trailing mean needs a minimum count of present values; a leading sum (a
target) needs every bar of its window. So a gap shortens nothing silently and mixes no
horizons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from finbot.errors import DataError
from finbot.i18n import N_
from finbot.timeframes import DAY_MS, duration_ms

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class BarGrid:
    """OHLC on a regular grid of ``step_ms`` (NaN where a bar is missing) and 1-bar log returns
    (``log_return[i]`` = log(close[i] / close[i - 1]), NaN unless both bars exist)."""

    ts: IntArray
    step_ms: int
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    log_return: FloatArray

    @property
    def size(self) -> int:
        return int(self.ts.size)

    @property
    def present(self) -> BoolArray:
        return np.isfinite(self.close)

    @property
    def bars_per_day(self) -> int:
        return max(1, DAY_MS // self.step_ms)


def clean_bars(bars: pl.DataFrame) -> pl.DataFrame:
    """``ts`` and OHLC as ``bar_grid`` reads them, sorted by ``ts``: bars without a positive
    close dropped, an invalid high/low pair voided, duplicates keeping the last row."""
    prices = ("open", "high", "low", "close")
    missing = [c for c in ("ts", *prices) if c not in bars.columns]
    if missing:
        raise DataError(N_("bars: missing columns {missing}"), missing=", ".join(missing))
    frame = bars.select(pl.col("ts").cast(pl.Int64), *(pl.col(c).cast(pl.Float64) for c in prices))
    frame = frame.filter(pl.col("close").is_finite() & (pl.col("close") > 0))
    valid = pl.col("high").is_finite() & pl.col("low").is_finite() & (pl.col("low") > 0)
    bad = ~(valid & (pl.col("high") >= pl.col("low")))
    frame = frame.with_columns(
        *(pl.when(bad).then(None).otherwise(pl.col(c)).alias(c) for c in ("high", "low"))
    )
    return frame.unique("ts", keep="last").sort("ts")


def bar_grid(bars: pl.DataFrame, timeframe: str) -> BarGrid:
    """Canonical bars (``ts`` ms, OHLC) of one ``timeframe`` → their grid. Bars whose close is
    missing or not positive count as missing; a bar whose high/low is missing, not positive or
    inverted keeps its close but loses its range; duplicates keep the last row."""
    return grid_of_clean(clean_bars(bars), timeframe)


def grid_of_clean(frame: pl.DataFrame, timeframe: str) -> BarGrid:
    """``bar_grid`` of a frame ``clean_bars`` returned (or a row filter of one)."""
    step = duration_ms(timeframe, field="timeframe")
    if frame.height < 2:
        raise DataError(
            N_("bars: need at least 2 bars with a close, got {height}"), height=frame.height
        )
    ts = frame["ts"].to_numpy()
    offsets = ts - ts[0]
    if np.any(offsets % step):
        raise DataError(N_("bars: timestamps are not on the {timeframe} grid"), timeframe=timeframe)
    slots = offsets // step
    n = int(slots[-1]) + 1

    def place(name: str) -> FloatArray:
        out = np.full(n, np.nan)
        out[slots] = frame[name].to_numpy(allow_copy=True).astype(np.float64)
        return out

    close = place("close")
    log_return = np.full(n, np.nan)
    log_return[1:] = np.log(close[1:] / close[:-1])
    return BarGrid(
        ts=ts[0] + np.arange(n, dtype=np.int64) * step,
        step_ms=step,
        open=place("open"),
        high=place("high"),
        low=place("low"),
        close=close,
        log_return=log_return,
    )


def _window_sums(x: FloatArray, window: int) -> tuple[FloatArray, FloatArray]:
    """Trailing sums of the finite values of ``x`` over ``window`` slots, and their counts."""
    finite = np.isfinite(x)
    sums = np.concatenate([[0.0], np.cumsum(np.where(finite, x, 0.0))])
    counts = np.concatenate([[0.0], np.cumsum(finite.astype(np.float64))])
    lo = np.maximum(np.arange(x.size) + 1 - window, 0)
    hi = np.arange(x.size) + 1
    return sums[hi] - sums[lo], counts[hi] - counts[lo]


def trailing_mean(x: FloatArray, window: int, *, min_count: int | None = None) -> FloatArray:
    """Mean of the finite ``x[t - window + 1 .. t]``; NaN with fewer than ``min_count`` of them
    (default: half the window, at least 1)."""
    if window < 1:
        raise ValueError(f"window: expected at least 1, got {window}")
    need = max(1, -(-window // 2)) if min_count is None else min_count
    sums, counts = _window_sums(x, window)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums / counts
    mean[counts < need] = np.nan
    return mean


def leading_sum(x: FloatArray, h: int) -> FloatArray:
    """Sum of ``x[t + 1 .. t + h]``; NaN unless all ``h`` values are finite."""
    sums, counts = _window_sums(x, h)
    out = np.full(x.size, np.nan)
    if x.size > h:
        ok = counts[h:] == h
        out[:-h] = np.where(ok, sums[h:], np.nan)
    return out


def leading_max(x: FloatArray, h: int) -> FloatArray:
    """Max of ``x[t + 1 .. t + h]``; NaN unless all ``h`` values are finite."""
    out = np.full(x.size, np.nan)
    if x.size <= h:
        return out
    best = x[1 : x.size - h + 1].copy()
    for k in range(2, h + 1):
        best = np.maximum(best, x[k : x.size - h + k])  # NaN propagates: any gap -> NaN
    out[: x.size - h] = best
    return out


def leading_min(x: FloatArray, h: int) -> FloatArray:
    """Min of ``x[t + 1 .. t + h]``; NaN unless all ``h`` values are finite."""
    return -leading_max(-x, h)
