"""The live volatility model of one coin and horizon, and what it may show.

``fit_volatility`` runs the walk-forward (the measured skill), picks the candidate with the
lowest pooled out-of-sample QLIKE, refits it on every bar with a known outcome, and fits the
conformal quantiles and the probability maps on that candidate's pooled out-of-sample
forecasts. ``VolatilityModel.forecast()`` then forecasts from the latest bar.

What is shown follows the measured skill (``Skill``): the normalised interval only where it beat
the constant-width one on the Winkler score (else the constant-width interval), touch and
direction probabilities only where they beat the base rate on Brier (touch: and were reliable
within ``MAX_RELIABILITY_GAP``); otherwise ``None``. The variance is always shown, labelled with
its source: a naive forecast when no model beat it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from finbot.errors import DataError
from finbot.prediction.features import horizon_bars
from finbot.timeframes import canonical

from .candidates import fit_candidate
from .dataset import HorizonData, horizon_data
from .evaluation import SELECTED, direction_events, evaluate_horizon, touch_events, touch_moves
from .grid import FloatArray, IntArray, bar_grid
from .har import Forecaster
from .intervals import constant_quantile, normalised_quantile, price_interval
from .metrics import horizon_metrics
from .probability import Calibration, exceed_probability, fit_calibration, touch_probability
from .walkforward import FoldForecasts, Progress, WalkForwardConfig, walk_forward

MAX_RELIABILITY_GAP = 0.05
DEFAULT_COST = 0.004  # about the default round trip (2 x 1 EUR on 1000 EUR, spread, slippage)


@dataclass(frozen=True)
class VolatilityConfig:
    level: float = 0.8
    cost: float = DEFAULT_COST  # direction events: |return| beyond this fraction
    walk: WalkForwardConfig = field(default_factory=WalkForwardConfig)


@dataclass(frozen=True)
class Skill:
    """Out-of-sample ratios to each output's own baseline (below 1: skill)."""

    qlike_ratio: float  # chosen variance forecast / the better naive forecast
    winkler_ratio: float  # normalised / constant-width interval
    coverage: float
    touch_brier_ratio: float  # the worse side of up and down
    touch_reliability_gap: float
    direction_brier_ratio: float  # the worse side of up and down

    @property
    def normalised_interval(self) -> bool:
        return self.winkler_ratio < 1.0

    @property
    def touch(self) -> bool:
        return self.touch_brier_ratio < 1.0 and self.touch_reliability_gap <= MAX_RELIABILITY_GAP

    @property
    def direction(self) -> bool:
        return self.direction_brier_ratio < 1.0

    @staticmethod
    def from_metrics(m: dict[str, Any]) -> Skill:
        touch = (m["touch_up"], m["touch_down"])
        direction = (m["direction_up"], m["direction_down"])
        return Skill(
            qlike_ratio=float(m["variance"]["qlike_ratio_best_naive"]),
            winkler_ratio=float(m["interval"]["winkler_ratio"]),
            coverage=float(m["interval"]["coverage"]),
            touch_brier_ratio=max(float(e["brier_ratio"]) for e in touch),
            touch_reliability_gap=max(float(e["reliability_gap"]) for e in touch),
            direction_brier_ratio=max(float(e["brier_ratio"]) for e in direction),
        )


@dataclass(frozen=True)
class Maps:
    """What turns a variance forecast into intervals and probabilities."""

    quantile: float  # normalised conformal: half width = quantile · sigma
    quantile_constant: float  # constant width: half width = quantile_constant
    touch_up: Calibration
    touch_down: Calibration
    up: Calibration
    down: Calibration


@dataclass(frozen=True)
class VolatilityForecast:
    """One forecast from the latest bar: sizes, not a direction."""

    ts: int  # open time (ms) of the bar whose close the forecast starts from
    close: float
    horizon: str
    model: str
    variance: float  # of the log return over the horizon
    level: float
    interval_kind: str  # "normalised" | "constant"
    interval: tuple[float, float]  # price interval at ``level``
    p_up: float | None  # P(return > cost); None without measured skill
    p_down: float | None  # P(return < -cost)
    cost: float
    skill: Skill
    maps: Maps

    @property
    def sigma(self) -> float:
        return math.sqrt(self.variance)

    def touch_probability(self, move: float) -> float | None:
        """P(the price touches ``close·(1 + move)`` within the horizon); ``move`` > 0: the high,
        < 0: the low. None where touch probabilities showed no skill."""
        if not self.skill.touch:
            return None
        calibration = self.maps.touch_up if move > 0 else self.maps.touch_down
        raw = touch_probability(move, np.array([self.variance]))
        return float(calibration(raw)[0])

    def to_dict(self) -> dict[str, Any]:
        return {
            "ts": self.ts,
            "horizon": self.horizon,
            "model": self.model,
            "variance": self.variance,
            "sigma": self.sigma,
            "interval": {
                "level": self.level,
                "kind": self.interval_kind,
                "low": self.interval[0],
                "high": self.interval[1],
            },
            "p_up": self.p_up,
            "p_down": self.p_down,
            "cost": self.cost,
            "skill": dataclasses.asdict(self.skill),
        }


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
    horizon: str
    h: int
    chosen: str
    config: VolatilityConfig
    skill: Skill
    maps: Maps
    metrics: dict[str, Any]
    data: HorizonData = field(repr=False)
    forecaster: Forecaster = field(repr=False)

    def forecast(self) -> VolatilityForecast:
        """Forecast from the latest bar (which must have every HAR component)."""
        slot = self.data.grid.size - 1
        ready = self.data.ready
        if ready.size == 0 or int(ready[-1]) != slot:
            raise DataError("volatility: the latest bar lacks the history to forecast from")
        variance = float(self.forecaster(np.array([slot], dtype=np.int64))[0])
        close = float(self.data.grid.close[slot])
        normalised = self.skill.normalised_interval
        half = (
            self.maps.quantile * math.sqrt(variance) if normalised else self.maps.quantile_constant
        )
        raw = exceed_probability(self.config.cost, np.array([variance]))
        show = self.skill.direction
        return VolatilityForecast(
            ts=int(self.data.grid.ts[slot]),
            close=close,
            horizon=self.horizon,
            model=self.chosen,
            variance=variance,
            level=self.config.level,
            interval_kind="normalised" if normalised else "constant",
            interval=price_interval(close, half),
            p_up=float(self.maps.up(raw)[0]) if show else None,
            p_down=float(self.maps.down(raw)[0]) if show else None,
            cost=self.config.cost,
            skill=self.skill,
            maps=self.maps,
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
    return VolatilityModel(
        horizon=canonical(horizon),
        h=data.h,
        chosen=chosen,
        config=cfg,
        skill=Skill.from_metrics(metrics),
        maps=fit_maps(data, slots, variance, cfg),
        metrics=metrics,
        data=data,
        forecaster=fit_candidate(chosen, data, data.known, cfg.walk.seed),
    )
