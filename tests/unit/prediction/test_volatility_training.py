"""Training fits the volatility model beside the point model: the one path from the bar store
(``train_from_store``), the fan-out, and the weekly full retrain (not the daily window)."""

from __future__ import annotations

import pytest

from finbot.config import Settings
from finbot.config.models import GeneralSettings, VolatilitySettings
from finbot.paths import Paths
from finbot.prediction.models.model_store import ModelStore
from finbot.prediction.training import VolatilityTraining, run, train_all, train_from_store
from finbot.prediction.volatility import VolatilityConfig, VolatilityStore
from finbot.services import Services
from finbot.storage.parquet_writer import BarStore
from tests.fixtures.bars import planted_signal

pytestmark = pytest.mark.unit


@pytest.fixture
def stores(home: Paths) -> tuple[BarStore, ModelStore, VolatilityTraining]:
    bars = BarStore(home.parquet_dir)
    bars.upsert("bitcoin", "1h", planted_signal(1500, seed=71))
    bars.upsert("ethereum", "1h", planted_signal(300, seed=72))  # too short for 6 vol folds
    vol = VolatilityTraining(home.models_dir, VolatilityConfig(cost=0.005), keep=2)
    return bars, ModelStore(home.models_dir), vol


def test_train_from_store_saves_the_volatility_model(
    stores: tuple[BarStore, ModelStore, VolatilityTraining],
) -> None:
    bars, models, vol = stores
    trained = train_from_store(
        bars, models, "bitcoin", "1h", "6h", algorithms=["linear"], test_fraction=0.3,
        volatility=vol,
    )  # fmt: skip
    summary = trained.volatility
    assert summary is not None and "error" not in summary, summary
    saved = VolatilityStore(vol.root).latest("bitcoin", "6h")
    assert saved is not None and saved.chosen == summary["model"] and saved.cost == 0.005
    assert VolatilityStore(vol.root).latest_version("bitcoin", "6h") == summary["version"]
    assert 0 < summary["qlike_ratio"] < 2
    # the price model store lists none of it
    assert [m["horizon"] for m in models.list_models()] == ["6h"]


def test_a_series_too_short_for_it_keeps_the_point_model_and_says_why(
    stores: tuple[BarStore, ModelStore, VolatilityTraining],
) -> None:
    bars, models, vol = stores
    out = train_all(bars, models, GeneralSettings().training, ["bitcoin", "ethereum"], ["1h"],
                    workers=1, algorithms=["linear"], volatility=vol)  # fmt: skip
    by_coin = {r["coin"]: r for r in out if not r.get("pooled")}
    assert "version" in by_coin["bitcoin"]["volatility"]
    assert "error" not in by_coin["ethereum"] and by_coin["ethereum"]["version"]
    assert "too little history" in by_coin["ethereum"]["volatility"]["error"]
    assert VolatilityStore(vol.root).latest("ethereum", "1h") is None


def test_only_the_full_retrain_refits_it(
    stores: tuple[BarStore, ModelStore, VolatilityTraining],
) -> None:
    bars, models, vol = stores
    training = GeneralSettings().training.model_copy(update={"algorithms": ("linear",)})
    micro = run("micro", bars, models, training, ["bitcoin"], ["1h"], volatility=vol)
    assert "volatility" not in micro["results"][0]
    assert VolatilityStore(vol.root).versions("bitcoin", "1h") == []
    mini = run("mini", bars, models, training, ["bitcoin"], ["1h"], volatility=vol)
    assert "version" in mini["results"][0]["volatility"]


def test_services_wire_it_from_the_settings(home: Paths, settings: Settings) -> None:
    services = Services(home)
    wired = services.volatility_training
    assert wired is not None and wired.root == home.models_dir
    assert wired.config.level == services.settings.general.confidence.level
    assert 0 < wired.config.cost < 0.02  # the default order's round trip
    assert wired.config.walk.candidates == (
        "naive_window",
        "naive_day",
        "har",
        "har_range",
        "garch",
    )
    assert services.volatility_store.root == home.models_dir
    general = settings.general.model_copy(update={"volatility": VolatilitySettings(enabled=False)})
    off = settings.model_copy(update={"general": general})
    assert Services(home, off).volatility_training is None
