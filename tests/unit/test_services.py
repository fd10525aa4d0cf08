"""The composition root: each collaborator built once, on first use, from one home; the live
sources tell an absence (None) from damaged data (a FinbotError)."""

from __future__ import annotations

import json
import subprocess
import sys
from types import SimpleNamespace

import polars as pl
import pytest
from sqlalchemy import Engine

from finbot.clock import FakeClock
from finbot.collectors import CoinGeckoClient, stored_fx
from finbot.config import Settings
from finbot.errors import ConfigError, DataError
from finbot.paths import Paths
from finbot.prediction.models import ModelStore
from finbot.prediction.questions import read_calibration
from finbot.prediction.tracking import PredictionTracker
from finbot.services import SYSTEM_CLOCK, Services, live_sources
from finbot.storage import BarStore

pytestmark = pytest.mark.unit


def test_each_collaborator_is_built_once_and_typed(home: Paths, settings: Settings) -> None:
    services = Services(home, settings)
    built = {
        "bar_store": BarStore,
        "model_store": ModelStore,
        "engine": Engine,
        "tracker": PredictionTracker,
    }
    for name, kind in built.items():
        first = getattr(services, name)
        assert isinstance(first, kind) and getattr(services, name) is first, name
    assert services.bar_store.root == home.parquet_dir
    assert services.model_store.root == home.models_dir
    assert services.tracker.engine is services.engine
    assert services.settings is settings and services.clock is SYSTEM_CLOCK


def test_nothing_is_built_before_it_is_asked_for(home: Paths) -> None:
    """A broken settings.json does not stop what needs no settings (a cold predict reads the
    stores first); it is reported when the settings are asked for."""
    (home.config_dir / "settings.json").write_text("{not json")
    services = Services(home)
    assert services.bar_store.read("bitcoin", "1h").is_empty()
    assert "settings" not in vars(services) and "coingecko" not in vars(services)
    with pytest.raises(ConfigError, match="settings.json"):
        services.settings  # noqa: B018


def test_the_collector_kit_wires_the_same_collaborators(home: Paths, settings: Settings) -> None:
    clock = FakeClock(1_717_200_000)
    with Services(home, settings, clock=clock, base_url="http://127.0.0.1:9/api/v3") as services:
        kit = services.collectors
        assert kit.bars is services.bar_store and kit.usage is services.usage
        assert kit.cache is services.cache and kit.clock is clock
        assert kit.coins is settings.coins and kit.history_days == settings.general.history_days
        assert "coingecko" not in vars(services)  # the client opens on first use only
        client = kit.coingecko()
        assert isinstance(client, CoinGeckoClient) and kit.coingecko() is client
        assert client.base_url == "http://127.0.0.1:9/api/v3"
        assert kit.fx_cache == home.cache_dir / "fx.json"
    assert "coingecko" not in vars(services)  # closed and forgotten on exit


def test_derive_keeps_the_home_and_clock(home: Paths, settings: Settings) -> None:
    clock, cache = FakeClock(0), SimpleNamespace()
    services = Services(home, settings, clock=clock, cache=cache)  # type: ignore[arg-type]
    other = settings.model_copy(update={"coins": settings.coins})
    replay = services.derive(settings=other, base_url="http://127.0.0.1:1/api/v3")
    assert replay.paths == home and replay.clock is clock and replay.settings is other
    assert replay.base_url == "http://127.0.0.1:1/api/v3" and services.base_url is None
    assert services.cache is cache and replay.cache is not cache


def test_importing_the_root_imports_no_heavy_library(home: Paths) -> None:
    """The CLI imports ``finbot.services`` for every command, ``--help`` included."""
    code = (
        "import json, sys\n"
        "from finbot.services import Services\n"
        "from finbot.paths import Paths\n"
        f"Services(Paths.resolve({str(home.home)!r}))\n"
        "heavy = ('polars', 'sqlalchemy', 'httpx', 'numpy', 'pydantic', 'finbot.storage')\n"
        "print(json.dumps(sorted(m for m in heavy if m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


# ------------------------------------------------------------------ the live sources
def _prediction(frame: object) -> SimpleNamespace:
    def calibration() -> object:
        if isinstance(frame, Exception):
            raise frame
        return frame

    return SimpleNamespace(
        coin="bitcoin", horizon="1h", model="linear", model_version="v1", calibration=calibration
    )


def test_calibration_absent_is_none_damaged_is_a_data_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    good = pl.DataFrame({"ts": [1], "y_true": [0.1], "y_pred": [0.0]})
    assert read_calibration(_prediction(good)) is good  # type: ignore[arg-type]
    missing = FileNotFoundError("calibration.parquet")
    assert read_calibration(_prediction(missing)) is None  # type: ignore[arg-type]
    garbage = tmp_path / "calibration.parquet"
    garbage.write_bytes(b"not parquet")
    try:
        pl.read_parquet(garbage)
    except pl.exceptions.PolarsError as exc:
        damaged = exc
    with pytest.raises(DataError, match="bitcoin 1h: the calibration data .* unreadable"):
        read_calibration(_prediction(damaged))  # type: ignore[arg-type]
    with pytest.raises(DataError, match=r"without column\(s\) y_pred"):
        read_calibration(_prediction(pl.DataFrame({"ts": [1], "y_true": [0.1]})))  # type: ignore[arg-type]


def test_bars_absent_are_none_and_present_are_the_tail(home: Paths, settings: Settings) -> None:
    from tests.fixtures.bars import random_walk

    services = Services(home, settings)
    sources = live_sources(services)
    assert sources.bars("bitcoin", "1h") is None
    services.bar_store.upsert("bitcoin", "1h", random_walk(700, 3))
    tail = sources.bars("bitcoin", "1h")
    assert tail is not None and tail.height == 600


def test_stored_fx_says_why_there_is_no_rate(home: Paths) -> None:
    services = Services(home)
    rate, why = stored_fx(services.fx_cache_file, services.datasets.prices, ("bitcoin",), 0)
    assert rate is None and "finbot collect fx" in why
