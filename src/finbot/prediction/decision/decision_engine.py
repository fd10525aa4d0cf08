"""BUY / SELL / HOLD from the horizons' predictions, intervals, confidence and costs.

Per horizon (``decide_horizon``), in this order, the first rule that applies wins:

1. no edge over the naive baseline (``has_edge`` false or ``mae_ratio >= 1``) → HOLD, always;
2. no measured skill for the probability of clearing costs (``probability_skill`` false: the
   confidence then rests on a base rate, not on a forecast) → HOLD;
3. expected error above the horizon's maximum from ``thresholds.json`` → HOLD;
4. confidence (the calibrated probability of the predicted move beyond costs) below
   ``decision.min_confidence`` → HOLD;
5. expected simple return ``g = exp(r) - 1`` ≥ the BUY hurdle → BUY; ``g`` ≤ -SELL hurdle →
   SELL (hurdles from ``threshold_policy``: volatility-scaled, never below round-trip costs);
6. otherwise HOLD (the move does not clear the hurdle).

The expected net return of a horizon is ``|g| - cost`` in the predicted direction.

Per coin (``decide``): each horizon votes +1 (BUY), -1 (SELL) or 0 (HOLD) with its weight from
``settings.general.horizon_weights`` (renormalised over the horizons present; equal weights if
all are zero). A vote of at least ``AGREEMENT`` (0.5) in absolute value gives BUY or SELL;
otherwise HOLD. If no horizon has an edge, the answer is HOLD with that reason. The coin's
confidence is the weighted mean of the horizons' (each the calibrated probability of its own
stated outcome): a summary, not itself the probability of one outcome.

Risk note: suggested position = ``min(MAX_POSITION, BASE_POSITION * confidence / 50 *
clip(reference_vol / realised_vol, 0.25, 2))`` of capital (0 for HOLD): 10 % at 50 %
confidence in a normal market, more with confidence, less when the market is wild, never more
than 25 %.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from finbot.i18n import N_, localise_values, translate
from finbot.prediction.decision.threshold_policy import HorizonThresholds

AGREEMENT = 0.5
BASE_POSITION = 0.10
MAX_POSITION = 0.25


class Action(StrEnum):
    """A decision; a member is its string (``"BUY"``), so JSON and text show it as is."""

    BUY = "BUY"
    SELL = "SELL"
    HOLD = "HOLD"

    @property
    def vote(self) -> int:
        """+1 for BUY, -1 for SELL, 0 for HOLD."""
        return {Action.BUY: 1, Action.SELL: -1, Action.HOLD: 0}[self]

    def text(self, lang: str = "en") -> str:
        """The action as the user reads it: ``BUY`` in English, ``ACHETER`` in French."""
        return translate(lang, _ACTION_TEXT[self])


ACTIONS: tuple[Action, ...] = tuple(Action)
_ACTION_TEXT = {Action.BUY: N_("BUY"), Action.SELL: N_("SELL"), Action.HOLD: N_("HOLD")}

# code -> English message (the catalog's key), translated when shown (``Reason.text``)
REASONS: dict[str, str] = {
    "no_edge": N_("{horizon}: no edge over the naive baseline (MAE ratio {ratio})"),
    "no_edge_any": N_("no horizon beats the naive baseline: HOLD"),
    "no_probability_skill": N_(
        "{horizon}: no measured skill for the probability of clearing the costs: HOLD"
    ),
    "error_too_large": N_("{horizon}: expected error {error} above the limit {limit}"),
    "low_confidence": N_("{horizon}: confidence {confidence} % below {minimum} %"),
    "below_hurdle": N_(
        "{horizon}: expected move {move} does not clear ±{hurdle} (round-trip costs {cost})"
    ),
    "clears_hurdle": N_(
        "{horizon}: expected move {move} clears the hurdle {hurdle} (costs {cost})"
    ),
    "agree": N_("{action} agreed by {horizons} (weighted vote {vote})"),
    "disagree": N_("horizons do not agree (weighted vote {vote}, need ±{need})"),
    "below_target": N_("expected net profit {profit} EUR below the target {target} EUR"),
    "meets_target": N_("expected net profit {profit} EUR meets the target {target} EUR"),
    "stale_data": N_(
        "{horizon}: newest data is {age} old (limit {limit}): HOLD until it is collected"
    ),
}


def pct(value: float, signed: bool = True) -> str:
    """A fraction as a percentage with a space before the sign: ``+0.50 %``."""
    return f"{value * 100:+.2f} %" if signed else f"{value * 100:.2f} %"


@dataclass(frozen=True)
class Reason:
    """A machine-readable reason code with the values its message needs."""

    code: str
    values: dict[str, object] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        """The reason in ``lang``: its numbers in the locale's separators, an action in words."""
        values = {k: v.text(lang) if isinstance(v, Action) else v for k, v in self.values.items()}
        return translate(lang, REASONS[self.code], **localise_values(lang, values))


@dataclass(frozen=True)
class HorizonSignal:
    """What the engine needs to know about one horizon's prediction."""

    horizon: str
    predicted_return: float  # log return
    interval_low: float  # log return
    interval_high: float
    confidence: float  # 0..100
    mae_ratio: float | None
    has_edge: bool
    expected_error_frac: float | None
    thresholds: HorizonThresholds
    probability_skill: bool = True  # the confidence is a calibrated probability with skill


@dataclass(frozen=True)
class HorizonDecision:
    horizon: str
    action: Action
    expected_return: float  # simple, gross
    expected_net_return: float
    confidence: float
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Decision:
    """The per-coin answer."""

    coin: str
    action: Action
    expected_net_return: float
    confidence: float
    vote: float
    position_fraction: float
    horizons: tuple[HorizonDecision, ...]
    reasons: tuple[Reason, ...]

    def reason_texts(self, lang: str = "en") -> list[str]:
        return [r.text(lang) for r in self.reasons]

    def risk_note(self, lang: str = "en") -> str:
        """One line on position size (0 for HOLD) derived from confidence and volatility."""
        if self.action == Action.HOLD:
            return translate(lang, "no position suggested")
        share = f"{self.position_fraction * 100:.0f} %"
        return translate(
            lang,
            "suggested position: at most {share} of capital (from confidence and volatility)",
            share=share,
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["reasons"] = self.reason_texts()
        data["risk"] = {"position_fraction": self.position_fraction, "note": self.risk_note()}
        data["horizons"] = [
            {**asdict(h), "reasons": [r.text() for r in h.reasons]} for h in self.horizons
        ]
        return data


def _has_edge(sig: HorizonSignal) -> bool:
    ratio_ok = sig.mae_ratio is not None and math.isfinite(sig.mae_ratio) and sig.mae_ratio < 1
    return sig.has_edge and ratio_ok


def _gate(sig: HorizonSignal, min_confidence: float) -> Reason | None:
    """The first reason forcing HOLD regardless of the predicted move, if any."""
    if not _has_edge(sig):
        ratio = "n/a" if sig.mae_ratio is None else f"{sig.mae_ratio:.3f}"
        return Reason("no_edge", {"horizon": sig.horizon, "ratio": ratio})
    if not sig.probability_skill:
        return Reason("no_probability_skill", {"horizon": sig.horizon})
    err, limit = sig.expected_error_frac, sig.thresholds.max_error_frac
    if err is not None and err > limit:
        return Reason(
            "error_too_large",
            {"horizon": sig.horizon, "error": pct(err, False), "limit": pct(limit, False)},
        )
    if sig.confidence < min_confidence:
        return Reason(
            "low_confidence",
            {
                "horizon": sig.horizon,
                "confidence": f"{sig.confidence:.0f}",
                "minimum": f"{min_confidence:.0f}",
            },
        )
    return None


def decide_horizon(sig: HorizonSignal, min_confidence: float) -> HorizonDecision:
    """The decision at one horizon (see the module docstring for the rules)."""
    gross = math.expm1(sig.predicted_return)
    th = sig.thresholds
    net = abs(gross) - th.cost_frac
    values = {"horizon": sig.horizon, "move": pct(gross), "cost": pct(th.cost_frac, False)}
    gate = _gate(sig, min_confidence)
    if gate is not None:
        action, reason = Action.HOLD, gate
    elif gross >= th.buy_frac:
        action = Action.BUY
        reason = Reason("clears_hurdle", {**values, "hurdle": pct(th.buy_frac)})
    elif gross <= -th.sell_frac:
        action = Action.SELL
        reason = Reason("clears_hurdle", {**values, "hurdle": pct(-th.sell_frac)})
    else:
        hurdle = pct(th.buy_frac if gross >= 0 else th.sell_frac, False)
        action, reason = Action.HOLD, Reason("below_hurdle", {**values, "hurdle": hurdle})
    return HorizonDecision(sig.horizon, action, gross, net, sig.confidence, (reason,))


def _weights(horizons: list[str], weights: dict[str, float]) -> dict[str, float]:
    raw = {h: max(weights.get(h, 0.0), 0.0) for h in horizons}
    total = sum(raw.values())
    if total <= 0:
        return {h: 1.0 / len(horizons) for h in horizons}
    return {h: w / total for h, w in raw.items()}


def position_fraction(
    action: str, confidence: float, realised_vol: float | None, reference_vol: float
) -> float:
    """Suggested share of capital (see the module docstring); 0 for HOLD."""
    if action == Action.HOLD:
        return 0.0
    vol_factor = 1.0
    if realised_vol and realised_vol > 0:
        vol_factor = min(max(reference_vol / realised_vol, 0.25), 2.0)
    return round(min(MAX_POSITION, BASE_POSITION * confidence / 50.0 * vol_factor), 4)


def _vote_action(vote: float) -> Action:
    if vote >= AGREEMENT:
        return Action.BUY
    if vote <= -AGREEMENT:
        return Action.SELL
    return Action.HOLD


def _combined_reasons(action: Action, vote: float, per: list[HorizonDecision]) -> list[Reason]:
    if action == Action.HOLD:
        return [Reason("disagree", {"vote": f"{vote:+.2f}", "need": f"{AGREEMENT:.2f}"})]
    agreeing = [h.horizon for h in per if h.action == action]
    return [
        Reason("agree", {"action": action, "horizons": ", ".join(agreeing), "vote": f"{vote:+.2f}"})
    ]


def decide(
    coin: str,
    signals: list[HorizonSignal],
    *,
    weights: dict[str, float],
    min_confidence: float,
    reference_vol: float,
    realised_vol: float | None = None,
) -> Decision:
    """Combine the horizons of one coin into one BUY / SELL / HOLD with reasons and size."""
    if not signals:
        raise ValueError(f"{coin}: expected at least one horizon prediction to decide on")
    per = [decide_horizon(s, min_confidence) for s in signals]
    w = _weights([s.horizon for s in signals], weights)
    vote = sum(w[d.horizon] * Action(d.action).vote for d in per)
    confidence = sum(w[d.horizon] * d.confidence for d in per)
    if not any(_has_edge(s) for s in signals):
        action = Action.HOLD
        reasons = [Reason("no_edge_any")] + [r for d in per for r in d.reasons]
    else:
        action = _vote_action(vote)
        reasons = _combined_reasons(action, vote, per) + [r for d in per for r in d.reasons]
    sign = {Action.BUY: 1.0, Action.SELL: -1.0}.get(action)
    if sign is None:
        net = sum(w[d.horizon] * d.expected_net_return for d in per)
    else:
        net = sum(
            w[d.horizon] * (sign * d.expected_return - s.thresholds.cost_frac)
            for d, s in zip(per, signals, strict=True)
        )
    size = position_fraction(action, confidence, realised_vol, reference_vol)
    return Decision(
        coin, action, net, round(confidence, 1), round(vote, 4), size, tuple(per), tuple(reasons)
    )
