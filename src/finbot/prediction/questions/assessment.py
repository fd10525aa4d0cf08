"""One coin x horizon assessed: prediction, calibrated interval, confidence, costs, decision.

Everything an assessment needs from the rest of finbot comes through ``Sources`` (the model
pipeline, calibration data, bars, spread, FX, the freshest price, the volatility forecast), so
tests pass fakes.

The interval is the volatility model's normalised conformal one (``±q·σ̂`` around the point
forecast) where it beat the constant-width interval out of sample, else the point model's
own (method named). The confidence is the calibrated probability of the stated outcome
(``outcome``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from finbot.config.models import Settings
from finbot.errors import DataError
from finbot.i18n import N_
from finbot.prediction.decision import (
    Action,
    CostBreakdown,
    HorizonDecision,
    HorizonSignal,
    HorizonThresholds,
    SpreadQuote,
    decide_horizon,
    horizon_thresholds,
    round_trip_cost,
)
from finbot.prediction.decision import confidence as cf
from finbot.prediction.features import horizon_bars
from finbot.prediction.questions.freshness import (
    Freshness,
    FreshnessSource,
    anchored,
    hold_if_stale,
)
from finbot.prediction.questions.outcome import Outcomes, outcomes, stated_outcome
from finbot.prediction.questions.volatility_view import VolView
from finbot.timeframes import Timeframe, duration_seconds

if TYPE_CHECKING:
    import polars as pl

    from finbot.prediction.pipeline import Prediction

#: (half width, expected error, current vol, method) of one prediction's interval.
_Interval = tuple[float, float | None, float | None, str]


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
    volatility: Callable[[str, str], VolView] | None = None  # (coin, horizon) -> forecast
    freshness: FreshnessSource | None = None  # (prediction, timeframe) -> its "now" and age


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
    freshness: Freshness | None = None
    volatility: VolView = VolView(None, "no volatility source")
    outcomes: Outcomes | None = None
    outcome: str = "flat"  # the stated outcome the confidence is the probability of
    # the recent bars it was assessed on (``Sources.bars``): the questions' base rates read
    # them again from here, not from the store
    bars: pl.DataFrame | None = field(default=None, repr=False, compare=False)

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
            self.outcomes is not None and self.outcomes.p_up is not None,
        )

    def reasons(self, lang: str = "en") -> list[str]:
        return [r.text(lang) for r in self.decision.reasons]


def _conformal_interval(
    pred: Prediction,
    calibration: pl.DataFrame,
    bars: pl.DataFrame | None,
    level: float,
    sigma_now: float | None,
) -> _Interval:
    cal = cf.calibrator_from_frame(calibration, bars, level)
    resid = (calibration["y_true"] - calibration["y_pred"]).abs().mean()
    if not isinstance(resid, int | float):
        raise DataError(
            N_("{coin} {horizon}: calibration residuals are not numbers"),
            coin=pred.coin,
            horizon=pred.horizon,
        )
    method = "normalised split conformal" if cal.normalised else "split conformal"
    return cal.half_width(sigma_now), float(resid), sigma_now, method


def _gaussian_interval(
    pred: Prediction, timeframe: str, level: float, sigma_now: float
) -> _Interval:
    from scipy.stats import norm

    bars_per_h = duration_seconds(pred.horizon) / duration_seconds(timeframe, field="timeframe")
    width = float(norm.ppf((1 + level) / 2)) * sigma_now * math.sqrt(max(bars_per_h, 1.0))
    return width, None, sigma_now, "gaussian from recent volatility (no calibration data)"


def _interval(
    pred: Prediction,
    timeframe: str,
    calibration: pl.DataFrame | None,
    bars: pl.DataFrame | None,
    level: float,
) -> _Interval:
    """(half width, expected error, current vol, method) for one prediction."""
    sigma_now = cf.current_vol(bars)
    if calibration is not None and len(calibration) >= 10:
        return _conformal_interval(pred, calibration, bars, level, sigma_now)
    if sigma_now is None:
        return math.inf, None, None, "none (no calibration data, no bars)"
    return _gaussian_interval(pred, timeframe, level, sigma_now)


def _hourly(sigma_bar: float | None, timeframe: str) -> float | None:
    if sigma_bar is None:
        return None
    return sigma_bar * math.sqrt(3600.0 / duration_seconds(timeframe, field="timeframe"))


def _last_volume(bars: pl.DataFrame | None) -> float | None:
    if bars is None or len(bars) == 0:
        return None
    value = bars["volume"][-1]
    return float(value) if value is not None and value > 0 else None


def _costs(
    settings: Settings,
    sources: Sources,
    coin: str,
    bars: pl.DataFrame | None,
    order_eur: float | None,
) -> tuple[CostBreakdown, float | None, str]:
    """(round-trip costs, EUR per USD, FX source) of one order."""
    fx, fx_source = sources.eur_per_usd()
    volume = _last_volume(bars)
    costs = round_trip_cost(
        settings.costs, sources.spread(coin, bars), order_eur, bar_volume_usd=volume, eur_per_usd=fx
    )
    return costs, fx, fx_source


def _vol_interval(view: VolView) -> tuple[float, str] | None:
    """(half width, method) of the volatility model's interval where it has the skill."""
    vf = view.forecast
    if vf is None or not vf.skill.normalised_interval:
        return None
    half = math.log(vf.interval[1] / vf.close)
    return half, f"normalised split conformal on the volatility forecast ({vf.model})"


def _confidence(odds: Outcomes, outcome: str) -> cf.ConfidenceScore:
    """100 x the probability of the stated outcome (0 when nothing measures it)."""
    p = odds.stated(outcome)
    if p is None:
        return cf.ConfidenceScore(0.0, {})
    return cf.ConfidenceScore(round(100.0 * p, 1), {"p_outcome": round(p, 4)})


def _volatility(sources: Sources, coin: str, horizon: str) -> VolView:
    if sources.volatility is None:
        return VolView(None, "no volatility source")
    return sources.volatility(coin, horizon)


def assess(
    settings: Settings, sources: Sources, coin: str, horizon: str, order_eur: float | None = None
) -> Assessment:
    """Predict ``coin`` at ``horizon`` and attach interval, confidence, costs and decision."""
    pred = sources.predict(coin, horizon)
    level = settings.general.confidence.level
    timeframe = bar_timeframe(pred)
    fresh = sources.freshness(pred, timeframe) if sources.freshness else None
    pred = anchored(pred, fresh) if fresh else pred
    bars = sources.bars(coin, timeframe)
    width, err, sigma, method = _interval(pred, timeframe, sources.calibration(pred), bars, level)
    view = _volatility(sources, coin, pred.horizon)
    width, method = _vol_interval(view) or (width, method)
    costs, fx, fx_source = _costs(settings, sources, coin, bars, order_eur)
    h = horizon_bars(pred.horizon, timeframe)
    odds = outcomes(view.forecast, view.note, bars, h, pred.predicted_return, costs.fraction)
    outcome = stated_outcome(pred.predicted_return, bool(pred.has_edge))
    th = horizon_thresholds(
        settings.thresholds, pred.horizon, costs.fraction, _hourly(sigma, timeframe)
    )
    low, high = pred.predicted_return - width, pred.predicted_return + width
    hold = HorizonDecision(pred.horizon, Action.HOLD, 0.0, 0.0, 0.0, ())
    partial = Assessment(
        pred, low, high, level, method, _confidence(odds, outcome), costs, th, hold, err, fx,
        fx_source, fresh, view, odds, outcome, bars,
    )  # fmt: skip
    decision = decide_horizon(partial.signal(), settings.thresholds.decision.min_confidence)
    decision = hold_if_stale(decision, fresh)
    return replace(partial, decision=decision)


def bar_timeframe(pred: Prediction) -> Timeframe:
    """The bar timeframe behind a prediction (the master model's base timeframe otherwise)."""
    from finbot.timeframes import TIMEFRAMES

    if pred.timeframe in TIMEFRAMES:
        return Timeframe(pred.timeframe)
    from finbot.timeframes import default_timeframe

    return default_timeframe(pred.horizon)
