"""Answers about now (issue 12, item 2): one current price per answer, the horizon counted
from it, and stale data said and decided HOLD."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from finbot.config import Settings
from finbot.paths import Paths
from finbot.prediction import questions as q
from finbot.prediction.decision.cost_model import SpreadQuote
from finbot.prediction.models import StoredModel
from finbot.prediction.pipeline import Prediction
from finbot.prediction.questions.freshness import last_closed_bar
from finbot.schema import conform
from finbot.storage.parquet_writer import BarStore
from finbot.timeframes import HOUR_MS, MINUTE_MS

pytestmark = pytest.mark.unit
NO_FILES = StoredModel(meta={"version": "v1"}, folder=Path(), predictor=None)
T = 1_700_000_000_000 - 1_700_000_000_000 % HOUR_MS  # 07:00, say
BARS = {  # (timeframe, open time of the model's last bar, its close)
    "10m": ("5m", T + 30 * MINUTE_MS, 60_543.0),  # closes 07:35
    "1h": ("1h", T - HOUR_MS, 60_058.0),  # closes 07:00
}


def sources(now: int, quote: q.PricePoint | None, ret: float = math.log(1.01)) -> q.Sources:
    rng = np.random.default_rng(0)
    cal = pl.DataFrame(
        {"ts": np.arange(400) * HOUR_MS, "y_true": rng.normal(0, 0.002, 400), "y_pred": 0.0}
    )

    def predict(coin: str, horizon: str) -> Prediction:
        tf, as_of, close = BARS[horizon]
        return Prediction(
            coin, horizon, as_of, close, ret, close * math.exp(ret), "lightgbm", "v1", tf, 0.8,
            True, stored=NO_FILES,
        )  # fmt: skip

    return q.Sources(
        predict=predict,
        calibration=lambda p: cal,
        bars=lambda coin, tf: None,
        spread=lambda coin, bars: SpreadQuote(0.0005, "tickers"),
        eur_per_usd=lambda: (0.9, "test"),
        freshness=lambda pred, tf: q.freshness_of(pred, tf, quote, now, 2.0),
    )


def test_one_current_price_per_answer_and_the_horizon_counts_from_it(settings: Settings) -> None:
    now = T + 37 * MINUTE_MS
    quote = q.PricePoint(T + 36 * MINUTE_MS, 60_600.0, "prices")  # newer than both bars
    src = sources(now, quote)
    answers = [q.assess(settings, src, "bitcoin", h) for h in ("10m", "1h")]
    assert {a.prediction.last_price for a in answers} == {60_600.0}  # not 60,543 beside 60,058
    assert {a.prediction.as_of for a in answers} == {quote.ts}
    for a in answers:
        assert a.prediction.predicted_price == pytest.approx(60_600.0 * 1.01)
        data = q.price_json(a)
        assert data["stale"] is False and data["price_source"] == "prices"
    hour = q.to_record(answers[1], now)
    assert hour.as_of == quote.ts and hour.bar_ts == T  # scored at 07:36 + 1 h


def test_stale_data_is_said_and_decided_hold(settings: Settings) -> None:
    now = T + 285 * 24 * HOUR_MS  # the newest bar is 285 days old
    src = sources(now, None, ret=math.log(1.05))
    a = q.assess(settings, src, "bitcoin", "1h")
    data = q.price_json(a)
    assert data["stale"] is True and data["data_age_s"] == pytest.approx(285 * 86400 - 0)
    assert data["decision"] == "HOLD"
    assert data["reasons"][0].startswith("1h: newest data is 285 d old (limit 2.0 h)")
    decision = q.coin_decision(settings, "bitcoin", [a])
    assert decision.action == "HOLD" and "285 d old" in decision.reason_texts()[0]


def test_fresh_within_two_bars_of_its_timeframe(settings: Settings) -> None:
    close_1h = T  # the 1 h bar closed at 07:00: fresh until 09:00
    fresh = q.assess(settings, sources(close_1h + 2 * HOUR_MS, None), "bitcoin", "1h")
    late = q.assess(settings, sources(close_1h + 2 * HOUR_MS + 1, None), "bitcoin", "1h")
    assert fresh.freshness is not None and not fresh.freshness.stale
    assert late.freshness is not None and late.freshness.stale
    assert fresh.decision.action != "HOLD" or "stale" not in " ".join(fresh.reasons())


def test_an_open_bar_is_not_a_price(home: Paths) -> None:
    store = BarStore(home.parquet_dir)
    closes = [100.0, 101.0]
    frame = {"ts": [T, T + HOUR_MS], "open": closes, "high": closes, "low": closes}
    store.upsert("bitcoin", "1h", conform(pl.DataFrame(frame | {"close": closes, "volume": 1.0})))
    point = last_closed_bar(store, "bitcoin", "1h", T + HOUR_MS + 10 * MINUTE_MS)
    assert point == q.PricePoint(T + HOUR_MS, 100.0, "bars 1h")  # the 08:00 bar is still open


def test_the_freshest_stored_price_across_timeframes_and_quotes(home: Paths) -> None:
    from finbot.services import Services

    services = Services.at(home.home)
    store, prices = services.bar_store, services.datasets.prices
    for tf, ts, close in (("1h", T - HOUR_MS, 60_058.0), ("5m", T + 30 * MINUTE_MS, 60_543.0)):
        frame = {"ts": [ts], "open": [close], "high": [close], "low": [close], "close": [close]}
        store.upsert("bitcoin", tf, conform(pl.DataFrame(frame | {"volume": 1.0})))
    now = T + 37 * MINUTE_MS
    point = q.latest_price(store, prices, "bitcoin", ("5m", "1h"), now)
    assert point == q.PricePoint(T + 35 * MINUTE_MS, 60_543.0, "bars 5m")
    quote = {"ts": [T + 36 * MINUTE_MS], "usd": [60_600.0], "eur": [55_000.0]}
    prices.upsert(pl.DataFrame(quote | {"collected_ms": [now]}), partition="bitcoin")
    point = q.latest_price(store, prices, "bitcoin", ("5m", "1h"), now)
    assert point == q.PricePoint(T + 36 * MINUTE_MS, 60_600.0, "prices")
