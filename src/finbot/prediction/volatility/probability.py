"""Event probabilities from a variance forecast, calibrated on held-out forecasts.

* Touch (first passage): the chance that the high reaches ``+X`` (or the low ``−X``) within the
  horizon. For a driftless Brownian log price with horizon sd ``σ`` the reflection principle
  gives ``P = 2·(1 − Φ(|ln(1 + X)| / σ))``; bar highs and lows are the continuous extremes, so no
  discrete-monitoring correction applies.
* Direction: ``P(return > c)`` and ``P(return < −c)`` for a cost ``c``, from a zero-mean Gaussian
  with the forecast sd (the sign is not claimed; only the size is).

Raw probabilities are then recalibrated on held-out forecasts by a two-parameter logistic map
of their logit (Platt scaling): fat tails, drift and volatility of volatility are what it
corrects. Isotonic regression was tried first and dropped: on calibration blocks of a few
hundred overlapping outcomes it overfitted the direction events (test Brier worse than the raw
probabilities' on the shared 2024 data), while the two-parameter map gained at every horizon.

The normal tail, the logistic and the logit are numpy and the standard library's ``erfc``, not
scipy: a live answer forecasts from a saved model on the cold ``finbot predict`` path, which
imports no heavy library (scipy alone costs about a second of start-up).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .grid import FloatArray

PROB_FLOOR = 1e-3
RAW_CLIP = 1e-6
RIDGE = 1e-6
NEWTON_STEPS = 50
_SQRT2 = math.sqrt(2.0)
_ERFC = np.frompyfunc(math.erfc, 1, 1)


def normal_sf(x: FloatArray) -> FloatArray:
    """``1 − Φ(x)`` elementwise, the standard normal's upper tail."""
    return np.asarray(0.5 * _ERFC(np.asarray(x, dtype=np.float64) / _SQRT2), dtype=np.float64)


def expit(z: FloatArray) -> FloatArray:
    """The logistic ``1 / (1 + e^−z)``, without overflow for large ``|z|``."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.asarray(np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)), dtype=np.float64)


def logit(p: FloatArray) -> FloatArray:
    return np.asarray(np.log(p) - np.log1p(-p), dtype=np.float64)


def touch_probability(move: float, variance: FloatArray) -> FloatArray:
    """Raw P(price touches ``(1 + move)·close`` within the horizon); ``move`` ≠ 0, > −1."""
    if move == 0 or move <= -1:
        raise ValueError(f"move: expected a non-zero fraction above -1, got {move}")
    barrier = abs(math.log1p(move))
    return np.asarray(np.minimum(1.0, 2.0 * normal_sf(barrier / np.sqrt(variance))), np.float64)


def touched(move: float, high: FloatArray, low: FloatArray) -> FloatArray:
    """1.0 where the move's level was reached (``high``/``low`` as log moves), else 0.0."""
    hit = high >= math.log1p(move) if move > 0 else low <= math.log1p(move)
    return hit.astype(np.float64)


def exceed_probability(cost: float, variance: FloatArray) -> FloatArray:
    """Raw P(return > cost) = P(return < −cost) under a zero-mean Gaussian."""
    return normal_sf(cost / np.sqrt(variance))


@dataclass(frozen=True)
class Calibration:
    """Logistic recalibration: ``p = expit(intercept + slope·logit(p_raw))``."""

    intercept: float
    slope: float

    def __call__(self, p: FloatArray) -> FloatArray:
        z = self.intercept + self.slope * _logit(p)
        return np.asarray(np.clip(expit(z), PROB_FLOOR, 1.0 - PROB_FLOOR), dtype=np.float64)


def _logit(p: FloatArray) -> FloatArray:
    return np.asarray(logit(np.clip(p, RAW_CLIP, 1.0 - RAW_CLIP)), dtype=np.float64)


def fit_calibration(p_raw: FloatArray, outcome: FloatArray) -> Calibration:
    """Maximum-likelihood logistic fit of ``outcome`` (0/1) on ``logit(p_raw)`` (Newton steps,
    a tiny ridge so a separable or constant sample still gives finite numbers)."""
    ok = np.isfinite(p_raw) & np.isfinite(outcome)
    x = np.column_stack([np.ones(int(ok.sum())), _logit(p_raw[ok])])
    y = outcome[ok]
    w = np.array([0.0, 1.0])
    ridge = RIDGE * np.eye(2)
    for _ in range(NEWTON_STEPS):
        q = expit(x @ w)
        gradient = x.T @ (q - y) + ridge @ (w - [0.0, 1.0])
        hessian = (x * (q * (1.0 - q))[:, None]).T @ x + ridge
        step = np.linalg.solve(hessian, gradient)
        w = w - step
        if float(np.max(np.abs(step))) < 1e-10:
            break
    return Calibration(float(w[0]), float(w[1]))
