"""Pipeline: the LATEST complete feature row, shrink applied, master used when it wins."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl
import pytest

from finbot import timeframes
from finbot.clock import FakeClock
from finbot.prediction import pipeline
from finbot.prediction.features.feature_builder import build_features, feature_matrix
from finbot.prediction.models.model_store import ModelStore
from finbot.prediction.training.trainer import train
from finbot.storage.parquet_writer import BarStore
from tests.fixtures.bars import planted_signal

pytestmark = pytest.mark.unit
HOUR = 3_600_000


@pytest.fixture
def trained(home):
    bars = planted_signal(1500, seed=31)
    BarStore(home.parquet_dir).upsert("bitcoin", "1h", bars)
    store = ModelStore(home.models_dir)
    store.save(train("bitcoin", "1h", "1h", bars, algorithms=["linear"]))
    return bars, store


def _clock_after(bars: pl.DataFrame, bars_later: float = 1.0) -> FakeClock:
    return FakeClock((int(bars["ts"][-1]) + bars_later * HOUR) / 1000)


def test_predicts_from_the_latest_complete_row(trained, home) -> None:
    bars, store = trained
    out = pipeline.predict(
        "bitcoin", "1h", store=store, bar_store=BarStore(home.parquet_dir), clock=_clock_after(bars)
    )
    assert out.as_of == int(bars["ts"][-1])  # not rows ``horizon`` steps old (original bug)
    x_last = feature_matrix(build_features(bars).tail(1))
    model = store.load_latest("bitcoin", "1h", "1h")
    assert out.predicted_return == pytest.approx(float(model.predict(x_last)[0]))
    assert out.last_price == pytest.approx(float(bars["close"][-1]))
    assert out.predicted_price == pytest.approx(out.last_price * math.exp(out.predicted_return))
    assert out.model == "linear" and out.timeframe == "1h" and out.has_edge
    assert out.to_dict()["as_of"].endswith("Z")
    assert out.residuals().size == out.calibration().height > 0


def test_an_open_bar_is_not_used(trained, home) -> None:
    bars, store = trained
    out = pipeline.predict(
        "bitcoin",
        "1h",
        store=store,
        bar_store=BarStore(home.parquet_dir),
        clock=_clock_after(bars, 0.5),
    )
    assert out.as_of == int(bars["ts"][-2])


def test_stale_data_calls_refresh(trained, home) -> None:
    bars, store = trained
    calls = []
    pipeline.predict(
        "bitcoin",
        "1h",
        store=store,
        bar_store=BarStore(home.parquet_dir),
        clock=_clock_after(bars, 5),
        refresh=lambda c, tf: calls.append((c, tf)),
    )
    assert calls == [("bitcoin", "1h")]
    pipeline.predict(
        "bitcoin",
        "1h",
        store=store,
        bar_store=BarStore(home.parquet_dir),
        clock=_clock_after(bars, 1),
        refresh=lambda c, tf: calls.append((c, tf)),
    )
    assert len(calls) == 1


def test_given_bars_and_default_timeframes(trained, home) -> None:
    bars, store = trained
    out = pipeline.predict(
        "bitcoin",
        "60min",
        store=store,
        bar_store=BarStore(home.parquet_dir),
        bars=bars.head(1000),
        clock=_clock_after(bars),
    )
    assert out.as_of == int(bars["ts"][999]) and out.horizon == "1h"
    assert timeframes.default_timeframe("10m") == "5m"
    assert timeframes.default_timeframe("12h") == "1h"
    assert timeframes.default_timeframe("6h", {"6h": "4h"}) == "4h"


def test_master_is_used_when_it_wins(trained, home, monkeypatch) -> None:
    bars, store = trained
    from finbot.prediction.training.master_trainer import train_master

    report = train_master("bitcoin", "1h", {"1h": bars}, n_folds=2)
    report.extra["master_wins"] = True
    store.save(report)
    out = pipeline.predict(
        "bitcoin", "1h", store=store, bar_store=BarStore(home.parquet_dir), clock=_clock_after(bars)
    )
    assert out.model == "master" and out.as_of == int(bars["ts"][-1])
    assert np.isfinite(out.predicted_return)
    report.extra["master_wins"] = False
    store.save(report)
    out = pipeline.predict(
        "bitcoin", "1h", store=store, bar_store=BarStore(home.parquet_dir), clock=_clock_after(bars)
    )
    assert out.model == "linear"


class CountingEngine:
    """An indicator engine that counts its calls and delegates to another."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.calls = inner, 0
        self.name = f"counting {inner.name}"

    def __getattr__(self, method: str) -> Any:
        def call(*args: Any) -> Any:
            self.calls += 1
            return getattr(self.inner, method)(*args)

        return call


def test_the_indicator_engine_is_the_callers_choice(trained, home) -> None:
    """The numpy engine by default (a cold predict imports no TA-Lib), the one passed
    otherwise; TA-Lib (the reference) and numpy give the same prediction."""
    from finbot.prediction.features import NUMPY_INDICATORS, TALIB_INDICATORS

    bars, store = trained
    clock, bar_store = _clock_after(bars), BarStore(home.parquet_dir)
    default = pipeline.predict("bitcoin", "1h", store=store, bar_store=bar_store, clock=clock)
    answers = {}
    for engine in (NUMPY_INDICATORS, TALIB_INDICATORS):
        spy = CountingEngine(engine)
        answers[engine.name] = pipeline.predict(
            "bitcoin", "1h", store=store, bar_store=bar_store, clock=clock, indicators=spy
        ).predicted_return
        assert spy.calls > 0
    assert default.predicted_return == answers["numpy"]
    assert answers["numpy"] == pytest.approx(answers["talib"], rel=1e-9, abs=1e-12)
