"""Incremental training never replaces a better model; schedule exposes both jobs."""

from __future__ import annotations

import pytest

from finbot.clock import FakeClock
from finbot.errors import UsageError
from finbot.prediction.models.model_store import ModelStore
from finbot.prediction.training import incremental_trainer as inc
from finbot.prediction.training.trainer import train
from finbot.storage.parquet_writer import BarStore
from tests.fixtures.bars import planted_signal

pytestmark = pytest.mark.unit


def test_worse_candidate_is_rejected_and_latest_kept(home) -> None:
    """The original overwrote better models; a worse candidate is kept as rejected."""
    bars = planted_signal(1500, seed=41)
    store = ModelStore(home.models_dir)
    good = store.save(train("bitcoin", "1h", "1h", bars, algorithms=["linear"]))
    worse = train("bitcoin", "1h", "1h", bars, algorithms=["linear"])
    worse.scores["linear"]["mae"] *= 10  # a candidate that did worse on the window
    out = inc.decide(store, worse, bars)
    assert out["status"] == "rejected" and "worse than the current" in out["reason"]
    assert store.latest_version("bitcoin", "1h", "1h") == good
    assert store.read_meta("bitcoin", "1h", "1h", out["version"])["status"] == "rejected"
    better = train("bitcoin", "1h", "1h", bars, algorithms=["linear"])
    better.scores["linear"]["mae"] *= 0.5
    assert inc.decide(store, better, bars)["status"] == "accepted"
    assert store.latest_version("bitcoin", "1h", "1h") != good


@pytest.mark.parametrize("mode", ["micro", "mini"])
def test_run_modes_train_from_storage(mode: str, home, settings) -> None:
    bars = planted_signal(2000, seed=42)
    BarStore(home.parquet_dir).upsert("bitcoin", "1h", bars)
    clock = FakeClock(int(bars["ts"][-1]) / 1000 + 3600)
    out = inc.run(mode, settings, home, coins=["bitcoin", "ethereum"], horizons=["1h"], clock=clock)
    by_coin = {r["coin"]: r for r in out["results"]}
    assert by_coin["bitcoin"]["status"] == "accepted"
    assert "error" in by_coin["ethereum"]  # no data: reported, not raised
    again = inc.run(mode, settings, home, coins=["bitcoin"], horizons=["1h"], clock=clock)
    assert again["results"][0]["status"] == "accepted"  # same data, same MAE: not worse


def test_schedule_and_bad_mode(settings) -> None:
    out = inc.run("schedule", settings, None)  # type: ignore[arg-type]
    funcs = {job["func"] for job in out["jobs"]}
    assert funcs == {
        "finbot.prediction.training.incremental_trainer:run_micro",
        "finbot.prediction.training.incremental_trainer:run_mini",
    }
    assert callable(inc.run_micro) and callable(inc.run_mini)
    with pytest.raises(UsageError, match="mode"):
        inc.run("nano", settings, None)  # type: ignore[arg-type]


def test_scheduler_entry_point_runs_on_a_home(home) -> None:
    out = inc.run_mini(str(home.home))
    assert out["mode"] == "mini" and all("error" in r for r in out["results"])
