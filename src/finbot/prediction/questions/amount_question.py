"""The amount question: "X EUR in coin C for horizon H" -> value at the horizon and net profit in
EUR after fees, spread, slippage and the EUR/USD rate, against the coin's target
(``targets.json``), and the probability of meeting it (``p_target``: P(net profit ≥ target),
i.e. P(log return ≥ ln((amount + costs + target) / amount)), from ``outcome``'s
``threshold_probability``: the volatility model where its probabilities have skill, else the
base rate over the stored bars; ``p_target_source`` says which)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from finbot.config.models import Settings
from finbot.errors import UsageError
from finbot.i18n import N_
from finbot.prediction.decision import Reason
from finbot.prediction.features import horizon_bars
from finbot.prediction.questions.assessment import Assessment, Sources, assess, bar_timeframe
from finbot.prediction.questions.outcome import threshold_probability
from finbot.prediction.questions.price_view import AmountJson, price_json


@dataclass(frozen=True)
class AmountAnswer:
    assessment: Assessment
    amount_eur: float
    value_eur: float
    net_profit_eur: float
    target_eur: float | None
    meets_target: bool | None
    reasons: tuple[Reason, ...]
    p_target: float | None = None
    p_target_source: str = "none"

    def to_json(self) -> AmountJson:
        data = price_json(self.assessment)
        data["reasons"] = data["reasons"] + [r.text() for r in self.reasons]
        return AmountJson(
            **data,
            amount_eur=self.amount_eur,
            value_eur=self.value_eur,
            costs_eur=self.assessment.costs.total_eur,
            net_profit_eur=self.net_profit_eur,
            target_eur=self.target_eur,
            meets_target=self.meets_target,
            p_target=self.p_target,
            p_target_source=self.p_target_source,
            eur_per_usd=self.assessment.eur_per_usd,
            fx_source=self.assessment.fx_source,
        )


def amount(
    settings: Settings, sources: Sources, coin: str, horizon: str, amount_eur: float
) -> AmountAnswer:
    """Value of ``amount_eur`` invested now, at the horizon, and the net profit after costs."""
    if not amount_eur > 0:
        raise UsageError(N_("amount-eur: expected an amount > 0, got {amount}"), amount=amount_eur)
    a = assess(settings, sources, coin, horizon, order_eur=amount_eur)
    value = amount_eur * math.exp(a.prediction.predicted_return)  # EUR→USD→EUR at one rate
    net = value - amount_eur - a.costs.total_eur
    target = settings.targets.target_eur(coin, a.prediction.horizon)
    meets = None if target is None else net >= target
    reasons: list[Reason] = []
    p_target, source = None, "none"
    if target is not None:
        code = "meets_target" if meets else "below_target"
        reasons.append(Reason(code, {"profit": f"{net:.2f}", "target": f"{target:.2f}"}))
        p_target, source = _p_target(a, amount_eur, target)
    return AmountAnswer(a, amount_eur, value, net, target, meets, tuple(reasons), p_target, source)


def _p_target(a: Assessment, amount_eur: float, target: float) -> tuple[float | None, str]:
    """P(net profit ≥ ``target``) and its source."""
    needed = (amount_eur + a.costs.total_eur + target) / amount_eur
    if needed <= 0:
        return 1.0, "certain"
    p = a.prediction
    h = horizon_bars(p.horizon, bar_timeframe(p))
    return threshold_probability(
        a.volatility.forecast, a.bars, h, p.predicted_return, math.log(needed)
    )
