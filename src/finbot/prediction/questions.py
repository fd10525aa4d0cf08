"""The user's four questions (the original bot's menu), each a library function.

* ``price``: coin, horizon → predicted price, change, calibrated interval, confidence, decision.
* ``amount``: "X EUR in coin C for horizon H" → value at the horizon and net profit in EUR after
  fees, spread, slippage and the EUR/USD rate, against the coin's target (``targets.json``).
* ``when``: "when does C gain X %?" → the first configured horizon whose predicted return AND
  whole interval (its lower bound) reach +X %, else ``None`` ("not within 12 h").
* ``best``: top 3 buy-side and top 3 sell-side opportunities across coins × horizons, ranked by
  expected net return per hour after costs (actual BUY/SELL decisions first).

Everything the questions need from the rest of finbot comes through ``Sources`` (the model
pipeline, calibration data, bars, spread, FX, live accuracy), so tests pass fakes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from finbot.clock import iso_utc
from finbot.config.models import Settings
from finbot.errors import DataError
from finbot.prediction.decision import (
    Action,
    CostBreakdown,
    Decision,
    HorizonDecision,
    HorizonSignal,
    HorizonThresholds,
    Reason,
    SpreadQuote,
    decide,
    decide_horizon,
    horizon_thresholds,
    round_trip_cost,
)
from finbot.prediction.decision import confidence as cf
from finbot.timeframes import Timeframe, duration_seconds

if TYPE_CHECKING:
    import polars as pl

    from finbot.prediction.pipeline import Prediction
    from finbot.prediction.tracking import NewPrediction


@dataclass(frozen=True)
class Sources:
    """Callables supplying the live inputs (wired by ``finbot.services.live_sources``).

    ``calibration`` and ``bars`` give None only when there is none (a version saved without
    calibration data, no bars stored); unreadable data raises a FinbotError."""

    predict: Callable[[str, str], Prediction]  # (coin, horizon) -> prediction
    calibration: Callable[[Prediction], pl.DataFrame | None]  # (ts, y_true, y_pred) | None
    bars: Callable[[str, str], pl.DataFrame | None]  # (coin, timeframe) -> recent bars | None
    spread: Callable[[str, pl.DataFrame | None], SpreadQuote]  # (coin, bars) -> spread quote
    eur_per_usd: Callable[[], tuple[float | None, str]]  # -> (rate, source or reason)
    live: Callable[[str, str], cf.LiveAccuracy | None]  # (coin, horizon) -> tracker record


@dataclass(frozen=True)
class Assessment:
    """One prediction with everything decided about it."""

    prediction: Prediction
    low_return: float
    high_return: float
    level: float
    interval_method: str
    confidence: cf.ConfidenceScore
    costs: CostBreakdown
    thresholds: HorizonThresholds
    decision: HorizonDecision
    expected_error_frac: float | None
    eur_per_usd: float | None
    fx_source: str

    @property
    def low_price(self) -> float:
        return float(self.prediction.last_price * math.exp(self.low_return))

    @property
    def high_price(self) -> float:
        return float(self.prediction.last_price * math.exp(self.high_return))

    def signal(self) -> HorizonSignal:
        p = self.prediction
        return HorizonSignal(
            p.horizon,
            p.predicted_return,
            self.low_return,
            self.high_return,
            self.confidence.score,
            p.mae_ratio,
            bool(p.has_edge),
            self.expected_error_frac,
            self.thresholds,
        )

    def reasons(self, lang: str = "en") -> list[str]:
        return [r.text(lang) for r in self.decision.reasons]


def _interval(
    pred: Prediction,
    timeframe: str,
    calibration: pl.DataFrame | None,
    bars: pl.DataFrame | None,
    level: float,
) -> tuple[float, float | None, float | None, float | None, str]:
    """(half width, expected error, vol ratio, current vol, method) for one prediction."""
    sigma_now = cf.current_vol(bars)
    if calibration is not None and len(calibration) >= 10:
        cal = cf.calibrator_from_frame(calibration, bars, level)
        resid = (calibration["y_true"] - calibration["y_pred"]).abs().mean()
        if not isinstance(resid, int | float):
            raise DataError(f"{pred.coin} {pred.horizon}: calibration residuals are not numbers")
        method = "normalised split conformal" if cal.normalised else "split conformal"
        return cal.half_width(sigma_now), float(resid), cal.vol_ratio(sigma_now), sigma_now, method
    if sigma_now is None:
        return math.inf, None, None, None, "none (no calibration data, no bars)"
    from scipy.stats import norm

    bars_per_h = duration_seconds(pred.horizon) / duration_seconds(timeframe, field="timeframe")
    width = float(norm.ppf((1 + level) / 2)) * sigma_now * math.sqrt(max(bars_per_h, 1.0))
    return width, None, None, sigma_now, "gaussian from recent volatility (no calibration data)"


def _hourly(sigma_bar: float | None, timeframe: str) -> float | None:
    if sigma_bar is None:
        return None
    return sigma_bar * math.sqrt(3600.0 / duration_seconds(timeframe, field="timeframe"))


def assess(
    settings: Settings, sources: Sources, coin: str, horizon: str, order_eur: float | None = None
) -> Assessment:
    """Predict ``coin`` at ``horizon`` and attach interval, confidence, costs and decision."""
    pred = sources.predict(coin, horizon)
    level = settings.general.confidence.level
    timeframe = bar_timeframe(pred)
    bars = sources.bars(coin, timeframe)
    width, err, vol_ratio, sigma, method = _interval(
        pred, timeframe, sources.calibration(pred), bars, level
    )
    score = cf.confidence_score(
        pred=pred.predicted_return,
        half_width=width,
        level=level,
        mae_ratio=pred.mae_ratio,
        vol_ratio=vol_ratio,
        live=sources.live(coin, pred.horizon),
    )
    fx, fx_source = sources.eur_per_usd()
    volume = _last_volume(bars)
    costs = round_trip_cost(
        settings.costs, sources.spread(coin, bars), order_eur, bar_volume_usd=volume, eur_per_usd=fx
    )
    th = horizon_thresholds(
        settings.thresholds, pred.horizon, costs.fraction, _hourly(sigma, timeframe)
    )
    low, high = pred.predicted_return - width, pred.predicted_return + width
    partial = Assessment(
        pred,
        low,
        high,
        level,
        method,
        score,
        costs,
        th,
        HorizonDecision(pred.horizon, Action.HOLD, 0.0, 0.0, 0.0, ()),
        err,
        fx,
        fx_source,
    )
    decision = decide_horizon(partial.signal(), settings.thresholds.decision.min_confidence)
    return Assessment(
        pred, low, high, level, method, score, costs, th, decision, err, fx, fx_source
    )


def _last_volume(bars: pl.DataFrame | None) -> float | None:
    if bars is None or len(bars) == 0:
        return None
    value = bars["volume"][-1]
    return float(value) if value is not None and value > 0 else None


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


class AmountJson(PriceJson):
    """``finbot predict --kind amount --json``: the price answer and the EUR figures."""

    amount_eur: float
    value_eur: float
    costs_eur: float
    net_profit_eur: float
    target_eur: float | None
    meets_target: bool | None
    eur_per_usd: float | None
    fx_source: str


def price_json(a: Assessment) -> PriceJson:
    """The ``finbot predict --json`` object (DESIGN.md keys and more)."""
    p = a.prediction
    return {
        "coin": p.coin,
        "horizon": p.horizon,
        "as_of": iso_utc(int(p.as_of)),
        "last_price": p.last_price,
        "predicted_price": p.predicted_price,
        "predicted_return": p.predicted_return,
        "change_pct": math.expm1(p.predicted_return) * 100,
        "interval": {
            "low": a.low_price,
            "high": a.high_price,
            "level": a.level,
            "method": a.interval_method,
        },
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
    }


@dataclass(frozen=True)
class AmountAnswer:
    assessment: Assessment
    amount_eur: float
    value_eur: float
    net_profit_eur: float
    target_eur: float | None
    meets_target: bool | None
    reasons: tuple[Reason, ...]

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
            eur_per_usd=self.assessment.eur_per_usd,
            fx_source=self.assessment.fx_source,
        )


def amount(
    settings: Settings, sources: Sources, coin: str, horizon: str, amount_eur: float
) -> AmountAnswer:
    """Value of ``amount_eur`` invested now, at the horizon, and the net profit after costs."""
    if not amount_eur > 0:
        raise ValueError(f"amount-eur: expected an amount > 0, got {amount_eur}")
    a = assess(settings, sources, coin, horizon, order_eur=amount_eur)
    value = amount_eur * math.exp(a.prediction.predicted_return)  # EUR→USD→EUR at one rate
    net = value - amount_eur - a.costs.total_eur
    target = settings.targets.target_eur(coin, a.prediction.horizon)
    meets = None if target is None else net >= target
    reasons: list[Reason] = []
    if target is not None:
        code = "meets_target" if meets else "below_target"
        reasons.append(Reason(code, {"profit": f"{net:.2f}", "target": f"{target:.2f}"}))
    return AmountAnswer(a, amount_eur, value, net, target, meets, tuple(reasons))


def horizons_by_length(settings: Settings) -> list[str]:
    return sorted(settings.general.horizons, key=duration_seconds)


class ScanJson(TypedDict):
    horizon: str
    change_pct: float
    interval_low_pct: float
    interval_high_pct: float
    confidence: float


class WhenJson(TypedDict):
    """``finbot predict --kind when --json``."""

    coin: str
    gain_pct: float
    horizon: str | None
    predicted_return: float | None
    confidence: float | None
    within: str
    missing: list[str]
    scan: list[ScanJson]


@dataclass(frozen=True)
class WhenAnswer:
    coin: str
    gain_pct: float
    horizon: str | None
    found: Assessment | None
    scanned: tuple[Assessment, ...]
    longest: str
    missing: tuple[str, ...] = ()

    def to_json(self) -> WhenJson:
        best = self.found
        return {
            "coin": self.coin,
            "gain_pct": self.gain_pct,
            "horizon": self.horizon,
            "predicted_return": best.prediction.predicted_return if best else None,
            "confidence": best.confidence.score if best else None,
            "within": self.longest,
            "missing": [m for m in self.missing],
            "scan": [
                {
                    "horizon": a.prediction.horizon,
                    "change_pct": math.expm1(a.prediction.predicted_return) * 100,
                    "interval_low_pct": math.expm1(a.low_return) * 100,
                    "interval_high_pct": math.expm1(a.high_return) * 100,
                    "confidence": a.confidence.score,
                }
                for a in self.scanned
            ],
        }


def when(settings: Settings, sources: Sources, coin: str, gain_pct: float) -> WhenAnswer:
    """The first horizon whose prediction and whole interval reach ``+gain_pct`` %."""
    from finbot.errors import FinbotError

    goal = gain_pct / 100.0
    scanned: list[Assessment] = []
    missing: list[str] = []
    horizons = horizons_by_length(settings)
    for h in horizons:
        try:
            a = assess(settings, sources, coin, h)
        except FinbotError as exc:  # no model or no data at this horizon: skip, say which
            missing.append(f"{h}: {exc}")
            continue
        scanned.append(a)
        reached = (
            math.expm1(a.prediction.predicted_return) >= goal and math.expm1(a.low_return) >= goal
        )
        if reached:
            return WhenAnswer(
                coin,
                gain_pct,
                a.prediction.horizon,
                a,
                tuple(scanned),
                horizons[-1],
                tuple(missing),
            )
    if not scanned:
        raise FinbotError(f"{coin}: no horizon could be predicted ({'; '.join(missing)})")
    return WhenAnswer(coin, gain_pct, None, None, tuple(scanned), horizons[-1], tuple(missing))


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
    return decide(
        coin,
        [a.signal() for a in assessments],
        weights=settings.general.horizon_weights,
        min_confidence=decision.min_confidence,
        reference_vol=decision.reference_volatility_pct / 100.0,
        realised_vol=vols[0] if vols else None,
    )


def bar_timeframe(pred: Prediction) -> Timeframe:
    """The bar timeframe behind a prediction (the master model's base timeframe otherwise)."""
    from finbot.timeframes import TIMEFRAMES

    if pred.timeframe in TIMEFRAMES:
        return Timeframe(pred.timeframe)
    from finbot.timeframes import default_timeframe

    return default_timeframe(pred.horizon)


def to_record(a: Assessment, made_at: int, source: str = "cli") -> NewPrediction:
    """The tracker row for an assessed prediction."""
    from finbot.prediction.tracking import NewPrediction

    p = a.prediction
    finite = math.isfinite(a.high_return)
    return NewPrediction(
        coin=p.coin,
        horizon=p.horizon,
        timeframe=bar_timeframe(p),
        made_at=made_at,
        as_of=int(p.as_of),
        last_price=float(p.last_price),
        predicted_price=float(p.predicted_price),
        predicted_return=float(p.predicted_return),
        interval_low=a.low_price if finite else None,
        interval_high=a.high_price if finite else None,
        level=a.level,
        confidence=a.confidence.score,
        decision=a.decision.action,
        model=str(p.model),
        model_version=str(p.model_version),
        source=source,
    )
