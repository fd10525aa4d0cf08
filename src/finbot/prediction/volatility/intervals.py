"""Split-conformal intervals of the ``h``-bar log return, centred on zero (no claimed drift).

Normalised: the score is ``|return| / σ̂`` with ``σ̂`` the square root of the variance forecast,
so the interval ``±q·σ̂`` widens and narrows with the forecast. Constant width, the baseline:
the score is ``|return|``, one width for every bar. ``q`` is the conformal quantile of the
calibration scores: the ``ceil((n + 1)·level)``-th smallest.
"""

from __future__ import annotations

import math

import numpy as np

from finbot.errors import DataError
from finbot.i18n import N_

from .grid import FloatArray


def conformal_quantile(scores: FloatArray, level: float) -> float:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level: expected a fraction in (0, 1), got {level}")
    finite = np.sort(scores[np.isfinite(scores)])
    if finite.size == 0:
        raise DataError(N_("conformal: no calibration scores"))
    k = min(finite.size, math.ceil((finite.size + 1) * level))
    return float(finite[k - 1])


def normalised_quantile(returns: FloatArray, variance: FloatArray, level: float) -> float:
    """``q`` such that ``±q·sqrt(variance)`` covers ``level`` of the calibration returns."""
    return conformal_quantile(np.abs(returns) / np.sqrt(variance), level)


def constant_quantile(returns: FloatArray, level: float) -> float:
    return conformal_quantile(np.abs(returns), level)


def price_interval(close: float, half_width: float) -> tuple[float, float]:
    """A log-return half width around ``close`` as a (low, high) price interval."""
    return close * math.exp(-half_width), close * math.exp(half_width)
