"""What is forecast over the next ``h`` bars, and the two naive forecasts every model must beat.

At the bar ``t`` (its close known):

* realised variance: sum of the squared 1-bar log returns of bars ``t+1 .. t+h``;
* the log return ``log(close[t+h] / close[t])``;
* the highest high and lowest low of bars ``t+1 .. t+h`` as log moves from ``close[t]``.

All are NaN unless every bar of the window exists (found by timestamp on the grid).

Naive forecasts of the realised variance: ``naive_window`` (the last ``h`` bars' realised
variance) and ``naive_day`` (the last day's mean squared return, scaled to ``h`` bars).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .grid import BarGrid, FloatArray, leading_max, leading_min, leading_sum, trailing_mean

# A zero return (price unchanged at the tick) would make log variance and QLIKE infinite: every
# variance is floored at a 1 basis point move per bar. A convention, not fitted.
RV_FLOOR = 1e-8
NAIVES: tuple[str, ...] = ("naive_window", "naive_day")


def floored(variance: FloatArray, h: int) -> FloatArray:
    """``variance`` of an ``h``-bar window, floored at ``h * RV_FLOOR`` (NaN stays NaN)."""
    return np.where(np.isnan(variance), np.nan, np.maximum(variance, h * RV_FLOOR))


def realized_variance(grid: BarGrid, h: int) -> FloatArray:
    return leading_sum(grid.log_return**2, h)


def forward_return(grid: BarGrid, h: int) -> FloatArray:
    return leading_sum(grid.log_return, h)


def forward_high(grid: BarGrid, h: int) -> FloatArray:
    """log(max high of bars t+1..t+h / close[t])."""
    return np.log(leading_max(grid.high, h) / grid.close)


def forward_low(grid: BarGrid, h: int) -> FloatArray:
    """log(min low of bars t+1..t+h / close[t])."""
    return np.log(leading_min(grid.low, h) / grid.close)


def naive_window(grid: BarGrid, h: int) -> FloatArray:
    return floored(trailing_mean(grid.log_return**2, h) * h, h)


def naive_day(grid: BarGrid, h: int) -> FloatArray:
    return floored(trailing_mean(grid.log_return**2, grid.bars_per_day) * h, h)


@dataclass(frozen=True)
class Targets:
    """Every outcome of one horizon, per grid slot."""

    h: int
    variance: FloatArray
    log_return: FloatArray
    high: FloatArray
    low: FloatArray


def targets(grid: BarGrid, h: int) -> Targets:
    if h < 1:
        raise ValueError(f"h: expected at least 1 bar, got {h}")
    return Targets(
        h=h,
        variance=realized_variance(grid, h),
        log_return=forward_return(grid, h),
        high=forward_high(grid, h),
        low=forward_low(grid, h),
    )


def naive_forecasts(grid: BarGrid, h: int) -> dict[str, FloatArray]:
    return {"naive_window": naive_window(grid, h), "naive_day": naive_day(grid, h)}
