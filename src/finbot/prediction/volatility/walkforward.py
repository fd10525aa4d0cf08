"""The out-of-sample choice of the variance forecast, fold by fold.

In each fold every candidate is fitted on the training block and forecasts the calibration and
test blocks; the one with the lowest mean QLIKE on the calibration block is that fold's choice
(a naive forecast when no model beats it). A candidate whose fit fails (a non-stationary GARCH)
sits the fold out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from finbot.errors import DataError
from finbot.i18n import N_

from .candidates import CANDIDATES, fit_candidate
from .dataset import HorizonData
from .folds import Fold, walk_forward_folds
from .grid import FloatArray
from .scoring import qlike

Progress = Callable[[str], None]


@dataclass(frozen=True)
class WalkForwardConfig:
    n_folds: int = 6
    test_fraction: float = 0.5
    cal_fraction: float = 0.25
    candidates: tuple[str, ...] = CANDIDATES
    seed: int = 0


@dataclass(frozen=True)
class FoldForecasts:
    """Every candidate's variance forecasts on one fold's calibration and test slots."""

    fold: Fold
    chosen: str
    cal: dict[str, FloatArray] = field(default_factory=dict)
    test: dict[str, FloatArray] = field(default_factory=dict)
    cal_qlike: dict[str, float] = field(default_factory=dict)


def _forecast_fold(data: HorizonData, fold: Fold, config: WalkForwardConfig) -> FoldForecasts:
    cal: dict[str, FloatArray] = {}
    test: dict[str, FloatArray] = {}
    for name in config.candidates:
        try:
            forecast = fit_candidate(name, data, fold.train, config.seed)
        except DataError:
            continue
        c, t = forecast(fold.calibration), forecast(fold.test)
        if np.all(np.isfinite(c) & (c > 0)) and np.all(np.isfinite(t) & (t > 0)):
            cal[name], test[name] = c, t
    if not cal:
        raise DataError(
            N_("fold {index}: no volatility candidate could forecast"), index=fold.index
        )
    y = data.targets.variance[fold.calibration]
    scores = {name: float(np.mean(qlike(y, f, data.h))) for name, f in cal.items()}
    chosen = min(scores, key=lambda name: scores[name])
    return FoldForecasts(fold, chosen, cal, test, scores)


def walk_forward(
    data: HorizonData, config: WalkForwardConfig, progress: Progress | None = None
) -> list[FoldForecasts]:
    horizon_ms = data.h * data.grid.step_ms
    folds = walk_forward_folds(
        data.known,
        data.grid.ts,
        horizon_ms,
        config.n_folds,
        test_fraction=config.test_fraction,
        cal_fraction=config.cal_fraction,
    )
    out = []
    for fold in folds:
        out.append(_forecast_fold(data, fold, config))
        if progress is not None:
            progress(f"fold {fold.index + 1}/{len(folds)}: {out[-1].chosen}")
    return out
