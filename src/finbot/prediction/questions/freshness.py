"""How fresh an answer is, and ONE "now" per answer.

* The current price is the freshest one stored: the price collector's latest ``/simple/price``
  snapshot or the newest CLOSED bar of any stored timeframe, whichever is newer
  (``latest_price``). Every horizon of one answer uses that same price, and the prediction is
  re-anchored on it (``anchored``): its ``as_of`` becomes the time of that price, so the
  horizon counts from it and the tracker scores the prediction at that time plus the horizon.
* The data behind a prediction is stale when the newest bar its model used closed more than
  ``freshness.max_age_bars`` bars of its timeframe ago (default 2): the answer then says so
  (``stale: true`` and ``data_age_s`` in JSON, a line in text) and the decision is HOLD with
  that reason (``hold_if_stale``, ``hold_stale_coin``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypedDict

from finbot.clock import iso_utc
from finbot.prediction.decision import Action, Decision, HorizonDecision, Reason
from finbot.timeframes import DAY_MS, HOUR_MS, MINUTE_MS, duration_ms

if TYPE_CHECKING:
    from finbot.prediction.pipeline import Prediction
    from finbot.storage import BarStore, ParquetDataset


@dataclass(frozen=True)
class PricePoint:
    """One observed price: ``ts`` is when it was true (a bar's close time, a quote's time)."""

    ts: int
    price: float
    source: str  # "prices" (the price collector) or "bars 1h" (a bar's close)


@dataclass(frozen=True)
class Freshness:
    """The "now" of one answer and how old the data behind its prediction is."""

    now: int  # the clock, UTC ms
    price: PricePoint  # the current price the answer uses
    data_ts: int  # close time of the newest bar the model used
    max_age_ms: int

    @property
    def data_age_s(self) -> float:
        return max(0, self.now - self.data_ts) / 1000.0

    @property
    def stale(self) -> bool:
        return self.now - self.data_ts > self.max_age_ms


#: (prediction, bar timeframe) -> freshness, wired by ``finbot.services.live_sources``.
FreshnessSource = Callable[["Prediction", str], Freshness]


class FreshnessJson(TypedDict):
    stale: bool
    data_age_s: float | None
    price_time: str | None
    price_source: str | None


def freshest(points: Iterable[PricePoint | None]) -> PricePoint | None:
    """The newest of ``points`` (None when there is none)."""
    known = [p for p in points if p is not None]
    return max(known, key=lambda p: p.ts) if known else None


def last_closed_bar(bars: BarStore, coin: str, timeframe: str, now: int) -> PricePoint | None:
    """The close of the newest bar of ``timeframe`` that has closed by ``now``."""
    step = duration_ms(timeframe, field="timeframe")
    frame = bars.read(coin, timeframe, last_n=2)
    rows = zip(frame["ts"].to_list(), frame["close"].to_list(), strict=True)
    for ts, close in reversed(list(rows)):
        if ts + step <= now and close is not None:
            return PricePoint(int(ts) + step, float(close), f"bars {timeframe}")
    return None


def last_quote(prices: ParquetDataset, coin: str, now: int) -> PricePoint | None:
    """The price collector's newest USD quote of ``coin`` (not after ``now``)."""
    last = prices.last_ts(coin)
    if last is None or last > now:
        return None
    frame = prices.read(coin, start_ms=last)
    if frame.is_empty() or "usd" not in frame.columns:
        return None
    usd = frame.sort("ts")["usd"][-1]
    return PricePoint(last, float(usd), "prices") if usd else None


def latest_price(
    bars: BarStore, prices: ParquetDataset, coin: str, timeframes: Iterable[str], now: int
) -> PricePoint | None:
    """The freshest stored price of ``coin``: a quote or a closed bar, whichever is newer."""
    points = [last_closed_bar(bars, coin, tf, now) for tf in timeframes]
    return freshest([*points, last_quote(prices, coin, now)])


def freshness_of(
    pred: Prediction, timeframe: str, current: PricePoint | None, now: int, max_age_bars: float
) -> Freshness:
    """How fresh ``pred`` is, with the current price (the model's own bar when none newer)."""
    step = duration_ms(timeframe, field="timeframe")
    close_ts = int(pred.as_of) + step
    own = PricePoint(close_ts, float(pred.last_price), f"bars {timeframe}")
    price = freshest([current, own]) or own
    return Freshness(now, price, close_ts, int(max_age_bars * step))


def anchored(pred: Prediction, fresh: Freshness) -> Prediction:
    """``pred`` counted from the current price: same return, from that price and time."""
    p = fresh.price
    return replace(
        pred,
        as_of=p.ts,
        last_price=p.price,
        predicted_price=p.price * math.exp(pred.predicted_return),
    )


def age_text(seconds: float) -> str:
    """``"285 d"``, ``"3.2 h"``, ``"12 min"``: an age as a person reads it."""
    ms = seconds * 1000
    if ms >= 2 * DAY_MS:
        return f"{ms / DAY_MS:.0f} d"
    if ms >= HOUR_MS:
        return f"{ms / HOUR_MS:.1f} h"
    return f"{ms / MINUTE_MS:.0f} min"


def stale_reason(horizon: str, fresh: Freshness) -> Reason:
    return Reason(
        "stale_data",
        {
            "horizon": horizon,
            "age": age_text(fresh.data_age_s),
            "limit": age_text(fresh.max_age_ms / 1000),
        },
    )


def hold_if_stale(decision: HorizonDecision, fresh: Freshness | None) -> HorizonDecision:
    """HOLD, with the reason first, when the data behind the prediction is stale."""
    if fresh is None or not fresh.stale:
        return decision
    reasons = (stale_reason(decision.horizon, fresh), *decision.reasons)
    return replace(decision, action=Action.HOLD, reasons=reasons)


def hold_stale_coin(decision: Decision, freshness: Iterable[Freshness | None]) -> Decision:
    """The per-coin answer: HOLD when any horizon it combines rests on stale data."""
    stale = [f for f in freshness if f is not None and f.stale]
    if not stale:
        return decision
    oldest = max(stale, key=lambda f: f.data_age_s)
    reason = stale_reason(decision.coin, oldest)
    return replace(
        decision, action=Action.HOLD, position_fraction=0.0, reasons=(reason, *decision.reasons)
    )


def freshness_json(fresh: Freshness | None) -> FreshnessJson:
    if fresh is None:
        return {"stale": False, "data_age_s": None, "price_time": None, "price_source": None}
    return {
        "stale": fresh.stale,
        "data_age_s": round(fresh.data_age_s, 3),
        "price_time": iso_utc(fresh.price.ts),
        "price_source": fresh.price.source,
    }
