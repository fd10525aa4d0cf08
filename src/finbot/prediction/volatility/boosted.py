"""LightGBM on log variance, scale-free: it predicts log(next ``h`` bars' mean squared return /
the last day's mean squared return) from the scale-free features, then multiplies back by the
day's level and a smearing factor (as in HAR).

Settings are fixed, conservative defaults (few shallow trees, large leaves, shrinkage), chosen
once and not tuned on the evaluation data.
"""

from __future__ import annotations

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


def fit_boosted(data: HorizonData, rows: IntArray, seed: int = 0) -> Forecaster:
    from lightgbm import LGBMRegressor

    h = data.h
    level = data.features.rv_day
    per_bar = floored(data.targets.variance[rows], h) / h
    x = data.features.boosted
    model = LGBMRegressor(**PARAMS, random_state=seed)
    model.fit(x[rows], np.log(per_bar / level[rows]))
    fitted = level[rows] * np.exp(np.asarray(model.predict(x[rows]), dtype=np.float64))
    smear = float(np.mean(per_bar / fitted))

    def forecast(slots: IntArray) -> FloatArray:
        pred = np.asarray(model.predict(x[slots]), dtype=np.float64)
        return np.asarray(level[slots] * np.exp(pred) * smear * h, dtype=np.float64)

    return forecast
