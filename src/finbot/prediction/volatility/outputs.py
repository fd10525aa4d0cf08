"""What a volatility model shows, and when: ``Skill`` (out-of-sample ratios to each output's
baseline), ``Maps`` (variance to intervals and probabilities) and ``VolatilityForecast``.

The normalised interval is shown only where it beat the constant-width one on the Winkler
score (else the constant-width interval), touch and direction probabilities only where they
beat the base rate on Brier (touch: and were reliable within ``MAX_RELIABILITY_GAP``);
otherwise ``None``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .probability import Calibration, touch_probability

MAX_RELIABILITY_GAP = 0.05


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
