"""Automatic sizing: ``profile`` resolved on a given machine (fake figures, never psutil's),
never planning more memory than the machine has, and handed to the components."""

from __future__ import annotations

import json

import pytest

from finbot.config import Settings
from finbot.config.sizing import MachineFacts, planned_mb, resolve_sizes
from finbot.errors import ConfigError
from finbot.paths import Paths
from finbot.services import Services
from finbot.timeframes import Timeframe

pytestmark = pytest.mark.unit

LAPTOP = MachineFacts(cores=2, memory_mb=8192, available_mb=4096)
SERVER = MachineFacts(cores=32, memory_mb=131072, available_mb=120000)
TINY = MachineFacts(cores=8, memory_mb=2048, available_mb=1300)


def test_auto_grows_with_the_machine() -> None:
    small, big = resolve_sizes("auto", LAPTOP), resolve_sizes("auto", SERVER)
    assert (small.workers, big.workers) == (2, 31)
    assert small.threads_per_model == 1 and big.threads_per_model == 1
    assert small.model_cache_size < big.model_cache_size
    assert big.history_window_days == 730
    assert small.profile == big.profile == "auto"


@pytest.mark.parametrize("profile", ["low", "medium", "high"])
def test_fixed_profiles_keep_their_figures_when_they_fit(profile: str) -> None:
    sizes = resolve_sizes(profile, SERVER)
    assert sizes.notes == ()
    assert {"low": 1, "medium": 2, "high": 4}[profile] == sizes.workers


@pytest.mark.parametrize("profile", ["auto", "low", "medium", "high"])
@pytest.mark.parametrize("machine", [LAPTOP, SERVER, TINY], ids=["laptop", "server", "tiny"])
def test_the_plan_never_exceeds_the_machines_memory(profile: str, machine: MachineFacts) -> None:
    sizes = resolve_sizes(profile, machine)
    assert sizes.planned_mb == planned_mb(sizes) <= sizes.budget_mb < machine.available_mb
    assert sizes.workers >= 1 and sizes.train_batch_coins >= 1


def test_a_profile_too_big_for_the_machine_is_shrunk_and_says_so() -> None:
    sizes = resolve_sizes("high", TINY)
    assert sizes.workers < 4
    assert any(n.startswith("workers lowered from 4 to") for n in sizes.notes)


def test_a_machine_too_small_for_any_plan_is_one_config_error() -> None:
    with pytest.raises(ConfigError, match=r"needs at least \d+ MB of memory; this machine has 200"):
        resolve_sizes("low", MachineFacts(cores=1, memory_mb=512, available_mb=200))


def test_services_hand_the_sizes_to_the_components(home: Paths, settings: Settings) -> None:
    services = Services(home, settings, machine=SERVER)
    sizes = services.sizes
    assert services.machine is SERVER
    assert services.training.workers == sizes.workers == 31
    assert services.training.threads_per_model == sizes.threads_per_model
    assert services.model_store._cache_size == sizes.model_cache_size
    hourly = services.collectors.history_days[Timeframe.H1]
    assert hourly == min(settings.general.history_days[Timeframe.H1], sizes.history_window_days)


def test_the_profile_is_read_from_settings_json(home: Paths) -> None:
    from finbot.config import load_settings

    (home.config_dir / "settings.json").write_text(json.dumps({"profile": "low"}), "utf-8")
    services = Services(home, load_settings(home), machine=SERVER)
    assert services.sizes.profile == "low" and services.training.workers == 1
    (home.config_dir / "settings.json").write_text(json.dumps({"profile": "huge"}), "utf-8")
    with pytest.raises(ConfigError, match="profile"):
        load_settings(home)


def test_finbot_settings_shows_the_resolved_sizes(home: Paths, run_finbot) -> None:
    result = run_finbot(home, "settings", "--json")
    assert result.returncode == 0, result.stderr
    sizes = json.loads(result.stdout)["sizes"]
    assert sizes["planned_mb"] <= sizes["budget_mb"] < sizes["machine"]["available_mb"]
    assert sizes["profile"] == "auto" and sizes["workers"] >= 1
    text = run_finbot(home, "settings")
    assert "Profile auto on" in text.stdout and "workers, plans" in text.stdout
