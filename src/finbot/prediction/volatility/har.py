"""HAR-RV (Corsi 2009) and its range-based extension, by OLS on log variance.

``har``: the next ``h`` bars' log mean squared return on the log HAR components (last bar, day,
week of squared returns). ``har_range`` adds the same three windows of the Parkinson range
variance (a far less noisy measure of the recent level than squared close-to-close returns;
range-based HAR, e.g. Patton & Sheppard's and Chou et al.'s) and the intraday periodicity as two
daily harmonics of the forecast window's midpoint time (the flexible Fourier form of Andersen
& Bollerslev 1997, its first two terms). The structure comes from the literature; it was kept
because it beat plain HAR on every coin and horizon of the shared 2024 hourly data.

Back to variance with Duan's (1983) smearing factor ``mean(y / exp(fitted))`` rather than the
log-normal ``exp(s²/2)``: the log of a 1-bar squared return is log-chi-square, far from normal,
and ``exp(s²/2)`` would overstate its mean about threefold. ``mean(y / f)`` is also exactly the
scale that minimises in-sample QLIKE, the score the candidates are chosen by.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

from finbot.timeframes import DAY_MS

from .dataset import HorizonData
from .grid import FloatArray, IntArray
from .targets import floored

Forecaster = Callable[[IntArray], FloatArray]
Design = Callable[[HorizonData, IntArray], FloatArray]
HARMONICS = 2


def har_design(data: HorizonData, slots: IntArray) -> FloatArray:
    return np.column_stack([np.ones(slots.size), data.features.har[slots]])


def daily_harmonics(data: HorizonData, slots: IntArray) -> FloatArray:
    """sin/cos of k·(time of day of the forecast window's midpoint), k = 1..HARMONICS."""
    grid = data.grid
    if grid.step_ms >= DAY_MS:
        return np.zeros((slots.size, 0))
    mid = grid.ts[slots] + grid.step_ms + data.h * grid.step_ms / 2.0
    angle = 2.0 * math.pi * (mid % DAY_MS) / DAY_MS
    terms = [f(k * angle) for k in range(1, HARMONICS + 1) for f in (np.sin, np.cos)]
    return np.column_stack(terms)


def range_design(data: HorizonData, slots: IntArray) -> FloatArray:
    return np.column_stack(
        [har_design(data, slots), data.features.har_range[slots], daily_harmonics(data, slots)]
    )


DESIGNS: dict[str, Design] = {"har": har_design, "har_range": range_design}


def design_width(design: str, step_ms: int) -> int:
    """Columns of ``design`` on bars of ``step_ms``: intercept, 3 HAR logs (+ 3 range logs and
    the harmonics, none for daily bars and above)."""
    if design == "har":
        return 4
    return 7 + (2 * HARMONICS if step_ms < DAY_MS else 0)


@dataclass(frozen=True)
class LogOls:
    """A fitted HAR or range HAR: OLS coefficients of log per-bar variance on ``design`` and
    Duan's smearing factor."""

    design: str  # a key of DESIGNS, also the candidate's name
    coef: tuple[float, ...]
    smear: float

    @property
    def name(self) -> str:
        return self.design

    def predict(self, data: HorizonData, slots: IntArray) -> FloatArray:
        """Variance over the next ``data.h`` bars from each of ``slots``."""
        x = DESIGNS[self.design](data, slots)
        return np.asarray(np.exp(x @ np.asarray(self.coef)) * self.smear * data.h, np.float64)


def fit_log_ols(data: HorizonData, rows: IntArray, design: str) -> LogOls:
    """OLS of log per-bar realised variance on ``design``; forecasts in variance over ``h``."""
    h = data.h
    per_bar = floored(data.targets.variance[rows], h) / h
    x = DESIGNS[design](data, rows)
    coef, *_ = np.linalg.lstsq(x, np.log(per_bar), rcond=None)
    smear = float(np.mean(per_bar / np.exp(x @ coef)))
    return LogOls(design, tuple(float(c) for c in coef), smear)


def fit_har(data: HorizonData, rows: IntArray, seed: int = 0) -> Forecaster:
    del seed  # deterministic
    return partial(fit_log_ols(data, rows, "har").predict, data)


def fit_har_range(data: HorizonData, rows: IntArray, seed: int = 0) -> Forecaster:
    del seed
    return partial(fit_log_ols(data, rows, "har_range").predict, data)
