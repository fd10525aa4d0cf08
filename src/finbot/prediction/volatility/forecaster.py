"""The live volatility model of one coin and horizon, and what it may show.

``fit_volatility`` runs the walk-forward (the measured skill), picks the candidate with the
lowest pooled out-of-sample QLIKE, refits it on every bar with a known outcome, and fits the
conformal quantiles and the probability maps on that candidate's pooled out-of-sample
forecasts. Its ``fitted`` state (``FittedVolatility``) is what is saved; ``forecast_volatility``
forecasts from it and the recent bars, and ``VolatilityModel.forecast()`` from the latest bar
fitted on.

What is shown follows the measured skill (``Skill``, see ``outputs``). The variance is always
shown, labelled with its source: a naive forecast when no model beat it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from finbot.prediction.features import horizon_bars
from finbot.timeframes import canonical

from .candidates import fit_state
from .dataset import HorizonData, horizon_data
from .evaluation import SELECTED, direction_events, evaluate_horizon, touch_events, touch_moves
from .fitted import FittedVolatility, Training, grid_hash
from .forecast import forecast_volatility
from .grid import FloatArray, IntArray, bar_grid
from .intervals import constant_quantile, normalised_quantile
from .metrics import horizon_metrics
from .outputs import Maps, Skill, VolatilityForecast
from .probability import fit_calibration
from .walkforward import FoldForecasts, Progress, WalkForwardConfig, walk_forward

DEFAULT_COST = 0.004  # about the default round trip (2 x 1 EUR on 1000 EUR, spread, slippage)


@dataclass(frozen=True)
class VolatilityConfig:
    level: float = 0.8
    cost: float = DEFAULT_COST  # direction events: |return| beyond this fraction
    walk: WalkForwardConfig = field(default_factory=WalkForwardConfig)


def _stack(folds: Sequence[FoldForecasts], name: str) -> tuple[IntArray, FloatArray]:
    """The test slots and out-of-sample forecasts of candidate ``name`` over the folds."""
    kept = [ff for ff in folds if name in ff.test]
    slots = np.concatenate([ff.fold.test for ff in kept])
    return slots, np.concatenate([ff.test[name] for ff in kept])


def fit_maps(
    data: HorizonData, slots: IntArray, variance: FloatArray, config: VolatilityConfig
) -> Maps:
    """Quantiles and probability maps on out-of-sample ``variance`` forecasts at ``slots``."""
    t = data.targets
    moves = touch_moves(data.h * data.grid.step_ms)
    return Maps(
        quantile=normalised_quantile(t.log_return[slots], variance, config.level),
        quantile_constant=constant_quantile(t.log_return[slots], config.level),
        touch_up=fit_calibration(*touch_events(t, slots, variance, moves, +1)),
        touch_down=fit_calibration(*touch_events(t, slots, variance, moves, -1)),
        up=fit_calibration(*direction_events(t, slots, variance, config.cost, +1)),
        down=fit_calibration(*direction_events(t, slots, variance, config.cost, -1)),
    )


@dataclass(frozen=True)
class VolatilityModel:
    """A fit: the persistable ``fitted`` state, the walk-forward metrics it was chosen by, and
    the data and bars it was fitted on (kept in memory only)."""

    fitted: FittedVolatility
    config: VolatilityConfig
    metrics: dict[str, Any]
    data: HorizonData = field(repr=False)
    bars: pl.DataFrame = field(repr=False)

    @property
    def horizon(self) -> str:
        return self.fitted.horizon

    @property
    def h(self) -> int:
        return self.fitted.h

    @property
    def chosen(self) -> str:
        return self.fitted.chosen

    @property
    def skill(self) -> Skill:
        return self.fitted.skill

    @property
    def maps(self) -> Maps:
        return self.fitted.maps

    def forecast(self) -> VolatilityForecast:
        """Forecast from the latest bar fitted on (``forecast_volatility`` on those bars)."""
        return forecast_volatility(self.fitted, self.bars)


def _training(data: HorizonData) -> Training:
    grid = data.grid
    return Training(
        first_ts=int(grid.ts[0]),
        last_ts=int(grid.ts[-1]),
        n_bars=grid.size,
        n_known=int(data.known.size),
        data_hash=grid_hash(grid),
    )


def fit_volatility(
    bars: pl.DataFrame,
    timeframe: str,
    horizon: str,
    config: VolatilityConfig | None = None,
    progress: Progress | None = None,
) -> VolatilityModel:
    """Walk-forward, choose, refit on all known outcomes, calibrate (see the module docstring).
    ``bars``: a canonical bars frame of one coin and ``timeframe``."""
    cfg = config or VolatilityConfig()
    data = horizon_data(bar_grid(bars, timeframe), horizon_bars(horizon, timeframe))
    folds = walk_forward(data, cfg.walk, progress)
    metrics = horizon_metrics(
        evaluate_horizon(data, folds, level=cfg.level, cost=cfg.cost), cfg.level
    )
    scores = {k: v for k, v in metrics["variance"]["qlike"].items() if k != SELECTED}
    chosen = min(scores, key=lambda name: scores[name])
    slots, variance = _stack(folds, chosen)
    fitted = FittedVolatility(
        timeframe=canonical(timeframe, field="timeframe"),
        horizon=canonical(horizon),
        h=data.h,
        candidate=fit_state(chosen, data, data.known, cfg.walk.seed),
        level=cfg.level,
        cost=cfg.cost,
        skill=Skill.from_metrics(metrics),
        maps=fit_maps(data, slots, variance, cfg),
        training=_training(data),
    )
    return VolatilityModel(fitted=fitted, config=cfg, metrics=metrics, data=data, bars=bars)
