"""The best question and the per-coin decision: top 3 buy-side and top 3 sell-side opportunities
across coins x horizons, ranked by expected net return per hour after costs (actual BUY/SELL
decisions first)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypedDict

from finbot.config.models import Settings
from finbot.prediction.decision import Action, Decision, decide
from finbot.prediction.questions.assessment import Assessment
from finbot.prediction.questions.freshness import hold_stale_coin
from finbot.timeframes import duration_seconds


class Opportunity(TypedDict):
    """One row of ``best``: an assessed coin x horizon ranked by net return per hour."""

    coin: str
    horizon: str
    expected_net_return: float
    expected_net_return_per_hour: float
    change_pct: float
    confidence: float
    decision: str


def opportunity(a: Assessment) -> Opportunity:
    hours = duration_seconds(a.prediction.horizon) / 3600.0
    net = a.decision.expected_net_return
    return {
        "coin": a.prediction.coin,
        "horizon": a.prediction.horizon,
        "expected_net_return": net,
        "expected_net_return_per_hour": net / hours,
        "change_pct": math.expm1(a.prediction.predicted_return) * 100,
        "confidence": a.confidence.score,
        "decision": a.decision.action,
    }


def best(assessments: list[Assessment], top: int = 3) -> dict[str, list[Opportunity]]:
    """Top ``top`` buy-side and sell-side opportunities (decisions first, then net per hour)."""
    rows = [(a, opportunity(a)) for a in assessments]
    buys = [r for a, r in rows if a.prediction.predicted_return > 0]
    sells = [r for a, r in rows if a.prediction.predicted_return < 0]

    def key(action: Action) -> Callable[[Opportunity], tuple[bool, float]]:
        return lambda r: (r["decision"] == action, r["expected_net_return_per_hour"])

    return {
        "buys": sorted(buys, key=key(Action.BUY), reverse=True)[:top],
        "sells": sorted(sells, key=key(Action.SELL), reverse=True)[:top],
    }


def coin_decision(settings: Settings, coin: str, assessments: list[Assessment]) -> Decision:
    """The decision engine's per-coin answer over the assessed horizons."""
    vols = [
        a.thresholds.realised_vol_hourly_frac
        for a in assessments
        if a.thresholds.realised_vol_hourly_frac is not None
    ]
    decision = settings.thresholds.decision
    combined = decide(
        coin,
        [a.signal() for a in assessments],
        weights=settings.general.horizon_weights,
        min_confidence=decision.min_confidence,
        reference_vol=decision.reference_volatility_pct / 100.0,
        realised_vol=vols[0] if vols else None,
    )
    return hold_stale_coin(combined, [a.freshness for a in assessments])
