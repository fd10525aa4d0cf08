"""Probabilities of the moves an answer talks about, and the confidence defined on them.

* ``p_up`` / ``p_down``: P(log return over the horizon > +c) and P(< −c), ``c`` the round-trip
  cost fraction. Shown only where the volatility model's direction probabilities beat the base
  rate on Brier out of sample (``Skill.direction``): then the raw Gaussian probability (mean
  the point forecast, 0 for the naive one; sd the volatility forecast) goes through the
  model's held-out Platt maps. Without that skill they are ``None`` and the reason is given;
  the answer's confidence then rests on the base rates: the frequencies of those moves over
  the stored bars (a base rate is calibrated by construction, and claims nothing). The maps
  were fitted at the cost of training's default order (``VolatilityForecast.cost``); the
  answer's own cost (its order, the live spread) is usually close, and the raw probability
  moves with it before the map is applied.
* Confidence = 100 · P(the stated outcome). A point forecast with an edge states a direction
  (``up``: return beyond +c, ``down``: beyond −c); an answer without an edge (the naive "no
  change") states ``flat``: the price ends within ±c, with probability 1 − p_up − p_down. So
  a confidence c % means the stated outcome happens about c % of the time, and a no-edge
  answer's confidence is the chance that "no change worth trading" is right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np

from finbot.i18n import N_, Number, in_language, translate

if TYPE_CHECKING:
    import polars as pl

    from finbot.prediction.volatility import VolatilityForecast

MIN_BASE_SAMPLES = 50  # h-bar returns a base rate needs
NO_FORECAST = N_("no volatility forecast ({why})")
NO_SKILL = N_("no measured skill (direction Brier ratio {ratio} to the base rate)")


@dataclass(frozen=True)
class Outcomes:
    """The direction probabilities of one answer and where they come from."""

    cost: float  # the threshold c (fraction)
    p_up: float | None  # calibrated; None without measured skill
    p_down: float | None
    base_up: float | None  # frequencies over the stored bars
    base_down: float | None
    source: str  # "volatility model" | "base rate" | "none"
    why: tuple[str, dict[str, object]] = ("", {})  # why p_up / p_down are None: message, values

    @property
    def reason(self) -> str:
        """Why ``p_up`` / ``p_down`` are None, in English ("" when shown)."""
        return self.text("en")

    def text(self, lang: str) -> str:
        message, values = self.why
        shown = {k: in_language(lang, v) for k, v in values.items()}
        return translate(lang, message, **shown) if message else ""

    @property
    def up(self) -> float | None:
        return self.p_up if self.p_up is not None else self.base_up

    @property
    def down(self) -> float | None:
        return self.p_down if self.p_down is not None else self.base_down

    def stated(self, outcome: str) -> float | None:
        """P(``outcome``): ``up``, ``down`` or ``flat``."""
        up, down = self.up, self.down
        if up is None or down is None:
            return None
        return {"up": up, "down": down, "flat": max(0.0, 1.0 - up - down)}[outcome]


def stated_outcome(predicted_return: float, has_edge: bool) -> str:
    """What an answer claims: its direction with an edge, else no move beyond costs."""
    if not has_edge or predicted_return == 0:
        return "flat"
    return "up" if predicted_return > 0 else "down"


def horizon_returns(bars: pl.DataFrame | None, h: int) -> np.ndarray | None:
    """The overlapping ``h``-bar log returns of ``bars`` (None with too few)."""
    if bars is None or len(bars) <= h + MIN_BASE_SAMPLES:
        return None
    close = np.asarray(bars["close"].to_numpy(), dtype=np.float64)
    r = np.log(close[h:] / close[:-h])
    r = r[np.isfinite(r)]
    return r if r.size >= MIN_BASE_SAMPLES else None


def base_rate(returns: np.ndarray | None, threshold: float) -> float | None:
    """The share of ``returns`` above ``threshold`` (below it when negative)."""
    if returns is None:
        return None
    hit = returns > threshold if threshold >= 0 else returns < threshold
    return float(np.mean(hit))


def skilled_up_down(vf: VolatilityForecast, mean: float, cost: float) -> tuple[float, float] | None:
    """Calibrated (P(r > c), P(r < −c)) from the forecast, None without direction skill."""
    if not vf.skill.direction:
        return None
    normal = NormalDist(mean, vf.sigma)  # the standard library's: no scipy on the cold path
    raw_up = np.array([1.0 - normal.cdf(cost)])
    raw_down = np.array([normal.cdf(-cost)])
    up, down = float(vf.maps.up(raw_up)[0]), float(vf.maps.down(raw_down)[0])
    total = up + down
    return (up / total, down / total) if total > 1.0 else (up, down)


def outcomes(
    vf: VolatilityForecast | None,
    vol_note: str,
    bars: pl.DataFrame | None,
    h: int,
    mean: float,
    cost: float,
) -> Outcomes:
    """The probabilities of one answer (see the module docstring)."""
    returns = horizon_returns(bars, h)
    base_up, base_down = base_rate(returns, cost), base_rate(returns, -cost)
    skilled = None if vf is None else skilled_up_down(vf, mean, cost)
    if skilled is not None:
        return Outcomes(cost, skilled[0], skilled[1], base_up, base_down, "volatility model")
    why: tuple[str, dict[str, object]]
    if vf is None:
        why = (NO_FORECAST, {"why": vol_note})
    else:
        ratio = vf.skill.direction_brier_ratio
        why = (NO_SKILL, {"ratio": "n/a" if not math.isfinite(ratio) else Number(ratio, 3)})
    source = "base rate" if base_up is not None else "none"
    return Outcomes(cost, None, None, base_up, base_down, source, why)


def touch_base_rate(bars: pl.DataFrame | None, h: int, move: float) -> float | None:
    """The share of bars from whose close the high of the next ``h`` bars reached
    ``close·(1 + move)`` (``move`` > 0); None with too few bars."""
    if bars is None or len(bars) <= h + MIN_BASE_SAMPLES:
        return None
    close = np.asarray(bars["close"].to_numpy(), dtype=np.float64)
    high = np.asarray(bars["high"].to_numpy(), dtype=np.float64)
    ahead = np.lib.stride_tricks.sliding_window_view(high[1:], h).max(axis=1)
    start = close[: ahead.size]
    ok = np.isfinite(ahead) & np.isfinite(start)
    if int(ok.sum()) < MIN_BASE_SAMPLES:
        return None
    return float(np.mean(ahead[ok] >= start[ok] * (1.0 + move)))


def threshold_probability(
    vf: VolatilityForecast | None, bars: pl.DataFrame | None, h: int, mean: float, r: float
) -> tuple[float | None, str]:
    """P(log return over the horizon ≥ ``r``) and its source: the volatility model's Gaussian
    probability through its held-out up-move map where direction skill was measured (the map
    was fitted at the cost threshold), else the base rate over the stored bars."""
    if vf is not None and vf.skill.direction:
        raw = np.array([1.0 - NormalDist(mean, vf.sigma).cdf(r)])
        return float(vf.maps.up(raw)[0]), "volatility model"
    returns = horizon_returns(bars, h)
    base = None if returns is None else float(np.mean(returns >= r))
    return base, "none" if base is None else "base rate"
