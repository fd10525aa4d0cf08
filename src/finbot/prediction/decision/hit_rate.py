"""One definition of the direction hit rate, used by ``train``, ``evaluate`` and the tracker.

A forecast hits when it calls the direction the price then took. Only forecasts that call a
direction count: a zero forecast (the naive baseline, a model without edge) claims nothing
and is left out, and so is a move of exactly zero (nothing to call). The hit rate is the
share of hits among what is left, None when nothing is left (never a made-up 50 %).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def direction_hit(realised: float, predicted: float) -> bool | None:
    """Whether one forecast called the direction; None when it does not count."""
    if predicted == 0 or realised == 0:
        return None
    return (realised > 0) == (predicted > 0)


def direction_hits(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """The hits of the forecasts that count (see the module's definition)."""
    t, p = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    counted = (t != 0) & (p != 0) & np.isfinite(t) & np.isfinite(p)
    return np.asarray(np.sign(t[counted]) == np.sign(p[counted]), dtype=bool)


def hit_rate(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> float | None:
    """Share of hits among the forecasts that call a direction; None when none does."""
    hits = direction_hits(y_true, y_pred)
    return float(hits.mean()) if hits.size else None
