"""The candidates of the out-of-sample choice: both naive forecasts, HAR-RV, the range HAR,
GARCH(1,1) and the boosted model. A naive one wins whenever no model beats it, so only
measured skill is shown.

``fit_candidate`` gives a forecaster over one ``HorizonData`` (the walk-forward's); ``fit_state``
gives the fitted parameters themselves (a ``CandidateState``: what a saved model holds), which
forecast from any ``HorizonData`` built on the same timeframe, the recent tail of bars
included."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Protocol

import numpy as np

from finbot.errors import UsageError
from finbot.i18n import N_

from .boosted import fit_boosted, fit_boosted_state
from .dataset import HorizonData
from .garch import fit_garch, fit_garch_state
from .grid import FloatArray, IntArray
from .har import Forecaster, fit_har, fit_har_range, fit_log_ols
from .targets import NAIVES

Fitter = Callable[[HorizonData, IntArray, int], Forecaster]


class CandidateState(Protocol):
    """A fitted candidate: ``predict`` gives the variance over the next ``data.h`` bars from
    each of ``slots``, from bars at or before each slot only."""

    @property
    def name(self) -> str: ...

    def predict(self, data: HorizonData, slots: IntArray) -> FloatArray: ...


@dataclass(frozen=True)
class NaiveRule:
    """A naive forecast: nothing fitted, the rule is its name (``targets.NAIVES``)."""

    name: str

    def predict(self, data: HorizonData, slots: IntArray) -> FloatArray:
        return np.asarray(data.naive[self.name][slots], dtype=np.float64)


def _naive(name: str) -> Fitter:
    def fit(data: HorizonData, rows: IntArray, seed: int = 0) -> Forecaster:
        del rows, seed  # nothing to fit
        return partial(NaiveRule(name).predict, data)

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
        raise UsageError(
            N_("volatility model: expected one of {candidates}, got {name!r}"),
            candidates=", ".join(CANDIDATES),
            name=name,
        )
    return FITTERS[name](data, rows, seed)


StateFitter = Callable[[HorizonData, IntArray, int], CandidateState]


def _naive_state(name: str) -> StateFitter:
    def fit(data: HorizonData, rows: IntArray, seed: int = 0) -> CandidateState:
        del data, rows, seed
        return NaiveRule(name)

    return fit


def _ols_state(design: str) -> StateFitter:
    def fit(data: HorizonData, rows: IntArray, seed: int = 0) -> CandidateState:
        del seed  # deterministic
        return fit_log_ols(data, rows, design)

    return fit


STATE_FITTERS: dict[str, StateFitter] = {
    "naive_window": _naive_state("naive_window"),
    "naive_day": _naive_state("naive_day"),
    "har": _ols_state("har"),
    "har_range": _ols_state("har_range"),
    "garch": fit_garch_state,
    "lightgbm": fit_boosted_state,
}


def fit_state(name: str, data: HorizonData, rows: IntArray, seed: int = 0) -> CandidateState:
    """Fit candidate ``name`` on ``rows`` and return its parameters (see ``CandidateState``)."""
    if name not in STATE_FITTERS:
        raise UsageError(
            N_("volatility model: expected one of {candidates}, got {name!r}"),
            candidates=", ".join(CANDIDATES),
            name=name,
        )
    return STATE_FITTERS[name](data, rows, seed)
