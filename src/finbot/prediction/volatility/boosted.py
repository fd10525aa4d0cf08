"""LightGBM on log variance, scale-free: it predicts log(next ``h`` bars' mean squared return /
the last day's mean squared return) from the scale-free features, then multiplies back by the
day's level and a smearing factor (as in HAR).

Settings are fixed, conservative defaults (few shallow trees, large leaves, shrinkage), chosen
once and not tuned on the evaluation data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from .dataset import HorizonData
from .grid import FloatArray, IntArray
from .har import Forecaster
from .targets import floored

PARAMS: dict[str, Any] = {
    "n_estimators": 200,
    "learning_rate": 0.03,
    "num_leaves": 15,
    "min_child_samples": 100,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "reg_lambda": 1.0,
    "n_jobs": 1,
    "verbose": -1,
}


@dataclass(frozen=True)
class BoostedState:
    """A fitted boosted model: the LightGBM booster and the smearing factor."""

    booster: Any = field(repr=False, compare=False)  # lightgbm.Booster
    smear: float

    @property
    def name(self) -> str:
        return "lightgbm"

    def predict(self, data: HorizonData, slots: IntArray) -> FloatArray:
        """Variance over the next ``data.h`` bars from each of ``slots``."""
        per_bar = _unsmeared(self.booster, data, slots)
        return np.asarray(per_bar * self.smear * data.h, dtype=np.float64)


def _unsmeared(booster: Any, data: HorizonData, slots: IntArray) -> FloatArray:
    """The day's level times exp(the booster's log ratio): per-bar variance before smearing."""
    pred = np.asarray(booster.predict(data.features.boosted[slots], num_threads=1), np.float64)
    return np.asarray(data.features.rv_day[slots] * np.exp(pred), dtype=np.float64)


def train_booster(data: HorizonData, rows: IntArray, seed: int = 0) -> Any:
    """The LightGBM booster of log(per-bar variance / the day's level) on ``rows``."""
    from lightgbm import LGBMRegressor

    per_bar = floored(data.targets.variance[rows], data.h) / data.h
    model = LGBMRegressor(**PARAMS, random_state=seed)
    model.fit(data.features.boosted[rows], np.log(per_bar / data.features.rv_day[rows]))
    return model.booster_


def with_smear(booster: Any, data: HorizonData, rows: IntArray) -> BoostedState:
    """``booster`` with the in-sample smearing factor on ``rows``."""
    per_bar = floored(data.targets.variance[rows], data.h) / data.h
    return BoostedState(booster, float(np.mean(per_bar / _unsmeared(booster, data, rows))))


def booster_from_text(text: str) -> Any:
    """A LightGBM booster from its text model (LightGBMError when the text is not one)."""
    from lightgbm import Booster

    return Booster(model_str=text)


def fit_boosted(data: HorizonData, rows: IntArray, seed: int = 0) -> Forecaster:
    return partial(with_smear(train_booster(data, rows, seed), data, rows).predict, data)


def fit_boosted_state(data: HorizonData, rows: IntArray, seed: int = 0) -> BoostedState:
    """As ``fit_boosted``, the booster passed through its text model (what is saved), so a
    loaded model forecasts exactly as the fitted one."""
    booster = booster_from_text(train_booster(data, rows, seed).model_to_string())
    return with_smear(booster, data, rows)
