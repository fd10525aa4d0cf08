"""Volatility features at each grid slot, from bars at or before it only.

HAR components (Corsi 2009): the mean squared 1-bar return over the last bar, day and week
(1, 24 and 168 hourly bars; for daily bars and above: 1 bar, 1 week, 30 days). The lags are the
literature's, not tuned. The same windows of the Parkinson range variance feed the range HAR.

The boosted model sees only scale-free numbers (so one coin's level never leaks into another's,
and a regime's level is not memorised): HAR components and range-based estimators (Parkinson,
Garman–Klass) as log ratios to the day's mean squared return, mean absolute returns relative to
its square root, the day's return in day-sigmas, and the hour of day (intraday volatility
periodicity, Andersen & Bollerslev 1997).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from finbot.timeframes import DAY_MS

from .grid import BarGrid, FloatArray, trailing_mean
from .targets import RV_FLOOR

BOOSTED_FEATURES: tuple[str, ...] = (
    "log_rv_bar_day",
    "log_rv_week_day",
    "log_parkinson_bar_day",
    "log_parkinson_day_day",
    "log_garman_klass_day_day",
    "abs_return_bar",
    "abs_return_day",
    "return_day",
    "hour_sin",
    "hour_cos",
)


def har_lags(step_ms: int) -> tuple[int, int, int]:
    """Bars in the HAR windows: last bar, day, week (or bar, week, 30 days for daily bars)."""
    if step_ms < DAY_MS:
        day = DAY_MS // step_ms
        return 1, max(2, day), max(3, 7 * day)
    days = max(1, step_ms // DAY_MS)
    return 1, max(2, 7 // days), max(3, 30 // days)


@dataclass(frozen=True)
class VolFeatures:
    """HAR components (mean squared return per bar over each window) and the boosted matrix."""

    rv_bar: FloatArray
    rv_day: FloatArray
    rv_week: FloatArray
    range_bar: FloatArray  # Parkinson variance per bar over the same windows
    range_day: FloatArray
    range_week: FloatArray
    boosted: FloatArray  # (slots, len(BOOSTED_FEATURES))

    @property
    def har(self) -> FloatArray:
        """(slots, 3) log HAR components, floored."""
        parts = [self.rv_bar, self.rv_day, self.rv_week]
        return np.log(np.maximum(np.column_stack(parts), RV_FLOOR))

    @property
    def har_range(self) -> FloatArray:
        """(slots, 3) log Parkinson components; a window without any valid high/low takes the
        squared-return component in its place."""
        parts = [self.range_bar, self.range_day, self.range_week]
        rv = [self.rv_bar, self.rv_day, self.rv_week]
        filled = [np.where(np.isfinite(p), p, r) for p, r in zip(parts, rv, strict=True)]
        return np.asarray(np.log(np.maximum(np.column_stack(filled), RV_FLOOR)), np.float64)

    @property
    def ready(self) -> np.ndarray:
        """Slots where every HAR component exists (the rows any candidate can forecast)."""
        return np.isfinite(self.rv_bar) & np.isfinite(self.rv_day) & np.isfinite(self.rv_week)


def parkinson(grid: BarGrid) -> FloatArray:
    """Per-bar Parkinson variance: ln(high/low)^2 / (4 ln 2)."""
    return np.log(grid.high / grid.low) ** 2 / (4.0 * math.log(2.0))


def garman_klass(grid: BarGrid) -> FloatArray:
    """Per-bar Garman–Klass variance: ½ ln(h/l)^2 − (2 ln 2 − 1) ln(c/o)^2."""
    hl = np.log(grid.high / grid.low) ** 2
    co = np.log(grid.close / grid.open) ** 2
    return 0.5 * hl - (2.0 * math.log(2.0) - 1.0) * co


def _log_ratio(x: FloatArray, ref: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.log(np.maximum(x, RV_FLOOR) / ref)


def _hour(grid: BarGrid) -> tuple[FloatArray, FloatArray]:
    if grid.step_ms >= DAY_MS:
        zeros = np.zeros(grid.size)
        return zeros, zeros
    # The bar's close time of day: the moment its features are known.
    angle = 2.0 * math.pi * ((grid.ts + grid.step_ms) % DAY_MS) / DAY_MS
    return np.sin(angle), np.cos(angle)


def vol_features(grid: BarGrid) -> VolFeatures:
    r = grid.log_return
    r2 = r**2
    bar, day, week = har_lags(grid.step_ms)
    rv_day = trailing_mean(r2, day)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd_day = np.sqrt(rv_day)
        abs_bar = np.abs(r) / sd_day
        abs_day = trailing_mean(np.abs(r), day) / sd_day
        ret_day = trailing_mean(r, day) * day / (sd_day * math.sqrt(day))
    rv_week = trailing_mean(r2, week)
    park = parkinson(grid)
    hour_sin, hour_cos = _hour(grid)
    boosted = np.column_stack(
        [
            _log_ratio(trailing_mean(r2, bar), rv_day),
            _log_ratio(rv_week, rv_day),
            _log_ratio(trailing_mean(park, bar), rv_day),
            _log_ratio(trailing_mean(park, day), rv_day),
            _log_ratio(trailing_mean(garman_klass(grid), day), rv_day),
            abs_bar,
            abs_day,
            ret_day,
            hour_sin,
            hour_cos,
        ]
    )
    return VolFeatures(
        rv_bar=trailing_mean(r2, bar),
        rv_day=rv_day,
        rv_week=rv_week,
        range_bar=trailing_mean(park, bar),
        range_day=trailing_mean(park, day),
        range_week=trailing_mean(park, week),
        boosted=boosted,
    )
