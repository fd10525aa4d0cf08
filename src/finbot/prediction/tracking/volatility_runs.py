"""The volatility side of the evaluation: per horizon, the volatility library's walk-forward
(its candidates against both naive forecasts, chosen by QLIKE on each fold's calibration
block), the conformal intervals, touch and direction probabilities built on it, and the few
figures ``finbot evaluate`` shows of them.

Keys (ours / baseline, below 1 is skill): ``qlike_ratio`` against the better naive variance
forecast, ``interval_score_ratio`` the Winkler score of the volatility-scaled interval against
the constant-width one, ``brier_ratio`` of P(return > costs) against its base rate,
``target_calibration`` the mean absolute gap of the touch-probability (+X) reliability table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from finbot.errors import DataError
from finbot.prediction.features import horizon_bars
from finbot.prediction.volatility import (
    HorizonEvaluation,
    WalkForwardConfig,
    bar_grid,
    evaluate_horizon,
    horizon_data,
    horizon_metrics,
    vol_features,
    walk_forward,
)

#: The volatility figures' keys in a horizon's metrics (None where the horizon had too little
#: history for the volatility walk-forward).
VOLATILITY_KEYS = (
    "qlike_ratio",
    "qlike_ratio_day",
    "volatility_model",
    "interval_coverage",
    "interval_score_ratio",
    "brier_ratio",
    "brier_ratio_down",
    "target_calibration",
)


@dataclass(frozen=True)
class VolatilityRun:
    """One horizon's pooled test-block forecasts and their figures (``horizon_metrics``)."""

    evaluation: HorizonEvaluation
    metrics: dict[str, Any]


def volatility_runs(
    bars: pl.DataFrame,
    timeframe: str,
    horizons: Sequence[str],
    *,
    level: float,
    cost: float,
    n_folds: int,
) -> dict[str, VolatilityRun]:
    """Each horizon's run; a horizon with too little history is left out."""
    grid = bar_grid(bars, timeframe)
    features = vol_features(grid)
    walk = WalkForwardConfig(n_folds=n_folds)
    out = {}
    for horizon in horizons:
        data = horizon_data(grid, horizon_bars(horizon, timeframe), features)
        try:
            folds = walk_forward(data, walk)
        except DataError:
            continue
        ev = evaluate_horizon(data, folds, level=level, cost=cost)
        out[horizon] = VolatilityRun(ev, horizon_metrics(ev, level))
    return out


def _finite(value: Any) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def volatility_keys(run: VolatilityRun | None) -> dict[str, Any]:
    """The figures one horizon's row carries (None without a volatility run)."""
    if run is None:
        return dict.fromkeys(VOLATILITY_KEYS)
    m = run.metrics
    variance = m["variance"]
    return {
        "qlike_ratio": _finite(variance["qlike_ratio_best_naive"]),
        "qlike_ratio_day": _finite(variance["qlike_ratio"]),
        "volatility_model": variance["chosen"],
        "interval_coverage": _finite(m["interval"]["coverage"]),
        "interval_score_ratio": _finite(m["interval"]["winkler_ratio"]),
        "brier_ratio": _finite(m["direction_up"]["brier_ratio"]),
        "brier_ratio_down": _finite(m["direction_down"]["brier_ratio"]),
        "target_calibration": _finite(m["touch_up"]["reliability_gap"]),
    }
