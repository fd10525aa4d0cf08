"""The JSON views of a price answer (``finbot predict --json``) and of an amount answer."""

from __future__ import annotations

import math
from typing import TypedDict

from finbot.clock import iso_utc
from finbot.prediction.questions.assessment import Assessment
from finbot.prediction.questions.freshness import freshness_json

#: The minimum keys of ``finbot predict --json`` (DESIGN.md); ``price_json`` gives more.
PRICE_JSON_KEYS: tuple[str, ...] = (
    "coin",
    "horizon",
    "as_of",
    "last_price",
    "predicted_price",
    "predicted_return",
    "interval",
    "confidence",
    "decision",
    "expected_net_return",
    "model",
    "model_version",
)


class IntervalJson(TypedDict):
    low: float
    high: float
    level: float
    method: str


class ProbabilityJson(TypedDict):
    """Where ``p_up`` / ``p_down`` and the confidence come from."""

    source: str  # "volatility model" | "base rate" | "none"
    reason: str  # why p_up / p_down are null ("" when shown)
    cost: float  # the threshold: P(return > +cost), P(return < -cost)
    calibrated_at: float | None  # the cost the probability maps were fitted at (training's)
    base_rate_up: float | None
    base_rate_down: float | None
    outcome: str  # the stated outcome the confidence is the probability of: up | down | flat


class PriceJson(TypedDict):
    """``finbot predict --json`` for one coin and horizon."""

    coin: str
    horizon: str
    as_of: str
    last_price: float
    predicted_price: float
    predicted_return: float
    change_pct: float
    interval: IntervalJson
    confidence: float
    confidence_components: dict[str, float]
    decision: str
    expected_net_return: float
    reasons: list[str]
    model: str
    model_version: str
    timeframe: str
    mae_ratio: float
    has_edge: bool
    expected_error: float | None
    max_error: float
    cost_fraction: float
    costs: dict[str, float | str]
    stale: bool
    data_age_s: float | None
    price_time: str | None
    price_source: str | None
    volatility: float | None  # forecast sd of the log return over the horizon
    volatility_model: str | None
    volatility_note: str  # why there is no forecast ("" when there is)
    p_up: float | None
    p_down: float | None
    probability: ProbabilityJson


class AmountJson(PriceJson):
    """``finbot predict --kind amount --json``: the price answer and the EUR figures."""

    amount_eur: float
    value_eur: float
    costs_eur: float
    net_profit_eur: float
    target_eur: float | None
    meets_target: bool | None
    p_target: float | None  # P(net profit >= target)
    p_target_source: str
    eur_per_usd: float | None
    fx_source: str


def _interval_json(a: Assessment) -> IntervalJson:
    return {"low": a.low_price, "high": a.high_price, "level": a.level, "method": a.interval_method}


def _probability_json(a: Assessment) -> ProbabilityJson:
    o, vf = a.outcomes, a.volatility.forecast
    return {
        "source": "none" if o is None else o.source,
        "reason": "not assessed" if o is None else o.reason,
        "cost": a.costs.fraction if o is None else o.cost,
        "calibrated_at": None if vf is None else vf.cost,
        "base_rate_up": None if o is None else o.base_up,
        "base_rate_down": None if o is None else o.base_down,
        "outcome": a.outcome,
    }


def price_json(a: Assessment) -> PriceJson:
    """The ``finbot predict --json`` object (DESIGN.md keys and more)."""
    p, vf = a.prediction, a.volatility.forecast
    fresh = freshness_json(a.freshness)
    return {
        "coin": p.coin,
        "horizon": p.horizon,
        "as_of": iso_utc(int(p.as_of)),
        "last_price": p.last_price,
        "predicted_price": p.predicted_price,
        "predicted_return": p.predicted_return,
        "change_pct": math.expm1(p.predicted_return) * 100,
        "interval": _interval_json(a),
        "confidence": a.confidence.score,
        "confidence_components": a.confidence.components,
        "decision": a.decision.action,
        "expected_net_return": a.decision.expected_net_return,
        "reasons": a.reasons(),
        "model": p.model,
        "model_version": p.model_version,
        "timeframe": p.timeframe,
        "mae_ratio": p.mae_ratio,
        "has_edge": bool(p.has_edge),
        "expected_error": a.expected_error_frac,
        "max_error": a.thresholds.max_error_frac,
        "cost_fraction": a.costs.fraction,
        "costs": a.costs.as_dict(),
        "stale": fresh["stale"],
        "data_age_s": fresh["data_age_s"],
        "price_time": fresh["price_time"],
        "price_source": fresh["price_source"],
        "volatility": None if vf is None else vf.sigma,
        "volatility_model": None if vf is None else vf.model,
        "volatility_note": a.volatility.note,
        "p_up": None if a.outcomes is None else a.outcomes.p_up,
        "p_down": None if a.outcomes is None else a.outcomes.p_down,
        "probability": _probability_json(a),
    }
