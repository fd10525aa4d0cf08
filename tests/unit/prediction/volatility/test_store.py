"""``VolatilityStore``: versions under ``<root>/<coin>/vol/<horizon>/``, an atomic ``latest``
pointer, the newest ``keep`` versions kept, and nothing the price model store would touch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import finbot.prediction.volatility.store as store_module
from finbot.errors import ModelError, UsageError
from finbot.prediction.models import ModelStore
from finbot.prediction.volatility import VolatilityStore, forecast_volatility
from finbot.prediction.volatility.persist import MODEL_FILE

from . import fitted_models

pytestmark = pytest.mark.unit

T0 = datetime(2024, 6, 1, tzinfo=UTC)


def _save_times(store: VolatilityStore, names: list[str]) -> list[str]:
    variants = fitted_models.variants()
    return [
        store.save("bitcoin", "6h", variants[name], when=T0 + timedelta(hours=k))
        for k, name in enumerate(names)
    ]


def test_the_latest_saved_model_is_loaded_and_forecasts_the_same(tmp_path: Path) -> None:
    store = VolatilityStore(tmp_path)
    fitted = fitted_models.variants()["lightgbm"]
    version = store.save("bitcoin", "6h", fitted)
    assert (tmp_path / "bitcoin" / "vol" / "6h" / version / MODEL_FILE).is_file()
    assert store.latest_version("bitcoin", "6h") == version
    loaded = VolatilityStore(tmp_path).latest("bitcoin", "6h")  # a fresh store: from disk
    assert loaded == fitted
    bars = fitted_models.all_bars()
    assert forecast_volatility(loaded, bars) == forecast_volatility(fitted, bars)


def test_nothing_saved_is_none(tmp_path: Path) -> None:
    store = VolatilityStore(tmp_path)
    assert store.latest("bitcoin", "6h") is None
    assert store.versions("bitcoin", "6h") == []


def test_the_newest_versions_are_kept(tmp_path: Path) -> None:
    store = VolatilityStore(tmp_path, keep=2)
    versions = _save_times(store, ["har", "garch", "naive_day", "har_range"])
    assert store.versions("bitcoin", "6h") == versions[-2:]
    latest = store.latest("bitcoin", "6h")
    assert latest is not None and latest.chosen == "har_range"
    group = store.group("bitcoin", "6h")
    assert sorted(p.name for p in group.iterdir()) == sorted([*versions[-2:], "latest"])


def test_the_latest_version_is_never_pruned(tmp_path: Path) -> None:
    store = VolatilityStore(tmp_path, keep=1)
    newer = store.save("bitcoin", "6h", fitted_models.variants()["har"], when=T0)
    older = store.save(
        "bitcoin", "6h", fitted_models.variants()["garch"], when=T0 - timedelta(days=1)
    )
    assert store.latest_version("bitcoin", "6h") == older
    # beyond the newest one, yet kept: it is the latest
    assert store.versions("bitcoin", "6h") == [older, newer]


def test_a_save_that_fails_midway_leaves_the_previous_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = VolatilityStore(tmp_path)
    (first,) = _save_times(store, ["har"])

    def broken(fitted: object, folder: Path) -> None:
        folder.mkdir(parents=True)
        (folder / MODEL_FILE).write_text("{")
        raise OSError("disk full")

    monkeypatch.setattr(store_module, "save_volatility", broken)
    with pytest.raises(OSError, match="disk full"):
        store.save("bitcoin", "6h", fitted_models.variants()["garch"], when=T0 + timedelta(1))
    assert store.versions("bitcoin", "6h") == [first]
    assert store.latest_version("bitcoin", "6h") == first
    assert sorted(p.name for p in store.group("bitcoin", "6h").iterdir()) == [first, "latest"]


def test_loaded_versions_are_cached(tmp_path: Path) -> None:
    store = VolatilityStore(tmp_path)
    _save_times(store, ["har"])
    first = store.latest("bitcoin", "6h")
    assert store.latest("bitcoin", "6h") is first
    store.save("bitcoin", "6h", fitted_models.variants()["garch"], when=T0 + timedelta(days=1))
    second = store.latest("bitcoin", "6h")
    assert second is not None and second.chosen == "garch"


def test_a_model_of_another_horizon_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="the model is for 6h, not 1h"):
        VolatilityStore(tmp_path).save("bitcoin", "1h", fitted_models.variants()["har"])
    assert VolatilityStore(tmp_path).save("bitcoin", "360m", fitted_models.variants()["har"])


@pytest.mark.parametrize("coin", ["", "..", "../etc", "a/b", ".hidden"])
def test_a_coin_that_is_no_plain_name_is_refused(tmp_path: Path, coin: str) -> None:
    with pytest.raises(UsageError, match="expected a coin id"):
        VolatilityStore(tmp_path).save(coin, "6h", fitted_models.variants()["har"])


def test_a_pointer_to_a_missing_version_is_a_model_error(tmp_path: Path) -> None:
    store = VolatilityStore(tmp_path)
    (version,) = _save_times(store, ["har"])
    (store.group("bitcoin", "6h") / "latest").write_text("20990101T000000000000Z\n")
    with pytest.raises(ModelError, match="no saved volatility model"):
        store.latest("bitcoin", "6h")
    (store.group("bitcoin", "6h") / "latest").write_text("../../x\n")
    with pytest.raises(ModelError, match="not a version name"):
        store.latest("bitcoin", "6h")
    assert store.load("bitcoin", "6h", version).chosen == "har"


def test_the_price_model_store_lists_and_cleans_none_of_it(tmp_path: Path) -> None:
    store = VolatilityStore(tmp_path)
    versions = _save_times(store, ["har", "garch"])
    prices = ModelStore(tmp_path)
    assert prices.list_models() == []
    assert prices.cleanup(keep=0) == []
    assert store.versions("bitcoin", "6h") == versions


def test_keep_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="keep"):
        VolatilityStore(tmp_path, keep=0)
