"""Out-of-sample scores of one horizon: variance, intervals, touch and direction probabilities.

Each fold's calibration block fits what the test block then uses (the conformal quantiles, the
calibration maps, the base rates), from the fold's chosen variance forecast; the test blocks are
pooled. Base rates (the climatological forecast every probability must beat) are the
calibration block's frequencies, known before the test block starts.

Touch levels are fixed by rule, not fitted: ``+0.5 %, +1 %, +2 %`` for one hour, scaled by the
square root of the horizon in hours (1h: 0.5/1/2 %, 6h: 1.2/2.4/4.9 %); one calibration map
per side serves every level.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from finbot.timeframes import HOUR_MS

from .dataset import HorizonData
from .grid import FloatArray, IntArray
from .intervals import constant_quantile, normalised_quantile
from .probability import exceed_probability, fit_calibration, touch_probability, touched
from .targets import Targets
from .walkforward import FoldForecasts

TOUCH_BASE: tuple[float, ...] = (0.005, 0.01, 0.02)
SELECTED = "selected"


def touch_moves(horizon_ms: int) -> tuple[float, ...]:
    scale = math.sqrt(horizon_ms / HOUR_MS)
    return tuple(round(base * scale, 4) for base in TOUCH_BASE)


@dataclass(frozen=True)
class EventScores:
    """Calibrated and raw probabilities, the base rate and the outcomes, per test event."""

    p: FloatArray
    raw: FloatArray
    base: FloatArray
    outcome: FloatArray

    @staticmethod
    def concat(parts: Sequence[EventScores]) -> EventScores:
        return EventScores(
            *(np.concatenate(a) for a in zip(*(_fields(p) for p in parts), strict=True))
        )


def _fields(e: EventScores) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    return e.p, e.raw, e.base, e.outcome


@dataclass(frozen=True)
class HorizonEvaluation:
    """Pooled test-block outcomes and forecasts of one horizon (one coin or several)."""

    h: int
    variance: FloatArray
    log_return: FloatArray
    forecasts: dict[str, FloatArray]
    chosen: tuple[str, ...]
    half_width: FloatArray  # normalised conformal, log-return units
    half_width_constant: FloatArray
    touch_up: EventScores
    touch_down: EventScores
    up: EventScores
    down: EventScores

    @staticmethod
    def concat(parts: Sequence[HorizonEvaluation]) -> HorizonEvaluation:
        names = [n for n in parts[0].forecasts if all(n in p.forecasts for p in parts)]
        cat = np.concatenate
        return HorizonEvaluation(
            h=parts[0].h,
            variance=cat([p.variance for p in parts]),
            log_return=cat([p.log_return for p in parts]),
            forecasts={n: cat([p.forecasts[n] for p in parts]) for n in names},
            chosen=tuple(c for p in parts for c in p.chosen),
            half_width=cat([p.half_width for p in parts]),
            half_width_constant=cat([p.half_width_constant for p in parts]),
            touch_up=EventScores.concat([p.touch_up for p in parts]),
            touch_down=EventScores.concat([p.touch_down for p in parts]),
            up=EventScores.concat([p.up for p in parts]),
            down=EventScores.concat([p.down for p in parts]),
        )


def event_scores(
    raw_cal: FloatArray, hit_cal: FloatArray, raw_test: FloatArray, hit_test: FloatArray
) -> EventScores:
    ok_cal = np.isfinite(raw_cal) & np.isfinite(hit_cal)
    ok = np.isfinite(raw_test) & np.isfinite(hit_test)
    calibration = fit_calibration(raw_cal[ok_cal], hit_cal[ok_cal])
    base = np.full(int(ok.sum()), float(np.mean(hit_cal[ok_cal])))
    return EventScores(calibration(raw_test[ok]), raw_test[ok], base, hit_test[ok])


def touch_events(
    t: Targets, slots: IntArray, variance: FloatArray, moves: Sequence[float], sign: int
) -> tuple[FloatArray, FloatArray]:
    """Raw touch probabilities and outcomes (NaN where the extreme is unknown), stacked over
    ``moves`` taken with ``sign`` (+1: the high reaches +X, −1: the low reaches −X)."""
    side = (t.high if sign > 0 else t.low)[slots]
    raw, hit = [], []
    for move in (sign * m for m in moves):
        raw.append(touch_probability(move, variance))
        outcome = touched(move, t.high[slots], t.low[slots])
        hit.append(np.where(np.isfinite(side), outcome, np.nan))
    return np.concatenate(raw), np.concatenate(hit)


def direction_events(
    t: Targets, slots: IntArray, variance: FloatArray, cost: float, sign: int
) -> tuple[FloatArray, FloatArray]:
    """Raw P(sign·return > cost) and the outcomes."""
    outcome = (sign * t.log_return[slots] > cost).astype(np.float64)
    return exceed_probability(cost, variance), outcome


def evaluate_fold(
    data: HorizonData, ff: FoldForecasts, *, level: float, cost: float
) -> HorizonEvaluation:
    t = data.targets
    cal, test = ff.fold.calibration, ff.fold.test
    var_cal, var_test = ff.cal[ff.chosen], ff.test[ff.chosen]
    q = normalised_quantile(t.log_return[cal], var_cal, level)
    q_constant = constant_quantile(t.log_return[cal], level)
    moves = touch_moves(data.h * data.grid.step_ms)
    return HorizonEvaluation(
        h=data.h,
        variance=t.variance[test],
        log_return=t.log_return[test],
        forecasts={**ff.test, SELECTED: var_test},
        chosen=(ff.chosen,),
        half_width=q * np.sqrt(var_test),
        half_width_constant=np.full(test.size, q_constant),
        touch_up=event_scores(
            *touch_events(t, cal, var_cal, moves, +1), *touch_events(t, test, var_test, moves, +1)
        ),
        touch_down=event_scores(
            *touch_events(t, cal, var_cal, moves, -1), *touch_events(t, test, var_test, moves, -1)
        ),
        up=event_scores(
            *direction_events(t, cal, var_cal, cost, +1),
            *direction_events(t, test, var_test, cost, +1),
        ),
        down=event_scores(
            *direction_events(t, cal, var_cal, cost, -1),
            *direction_events(t, test, var_test, cost, -1),
        ),
    )


def evaluate_horizon(
    data: HorizonData, folds: Sequence[FoldForecasts], *, level: float, cost: float
) -> HorizonEvaluation:
    return HorizonEvaluation.concat(
        [evaluate_fold(data, ff, level=level, cost=cost) for ff in folds]
    )
