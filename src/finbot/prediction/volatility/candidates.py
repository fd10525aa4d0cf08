"""The candidates of the out-of-sample choice: both naive forecasts, HAR-RV, the range HAR,
GARCH(1,1) and the boosted model. A naive one wins whenever no model beats it, so only
measured skill is shown."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from finbot.errors import UsageError

from .boosted import fit_boosted
from .dataset import HorizonData
from .garch import fit_garch
from .grid import IntArray
from .har import Forecaster, fit_har, fit_har_range
from .targets import NAIVES

Fitter = Callable[[HorizonData, IntArray, int], Forecaster]


def _naive(name: str) -> Fitter:
    def fit(data: HorizonData, rows: IntArray, seed: int = 0) -> Forecaster:
        del rows, seed  # nothing to fit
        values = data.naive[name]

        def forecast(slots: IntArray) -> np.ndarray:
            return np.asarray(values[slots], dtype=np.float64)

        return forecast

    return fit


FITTERS: dict[str, Fitter] = {
    "naive_window": _naive("naive_window"),
    "naive_day": _naive("naive_day"),
    "har": fit_har,
    "har_range": fit_har_range,
    "garch": fit_garch,
    "lightgbm": fit_boosted,
}
CANDIDATES: tuple[str, ...] = tuple(FITTERS)
MODELS: tuple[str, ...] = tuple(n for n in CANDIDATES if n not in NAIVES)


def fit_candidate(name: str, data: HorizonData, rows: IntArray, seed: int = 0) -> Forecaster:
    """Fit candidate ``name`` on ``rows`` (slots with known outcomes)."""
    if name not in FITTERS:
        raise UsageError(f"volatility model: expected one of {', '.join(CANDIDATES)}, got {name!r}")
    return FITTERS[name](data, rows, seed)
