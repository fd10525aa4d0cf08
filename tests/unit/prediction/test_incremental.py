"""Incremental training never replaces a better model; the scheduler's jobs run it on a home."""

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
    store = BarStore(home.parquet_dir)
    store.upsert("bitcoin", "1h", bars)
    models, training = ModelStore(home.models_dir), settings.general.training
    clock = FakeClock(int(bars["ts"][-1]) / 1000 + 3600)
    out = inc.run(mode, store, models, training, ["bitcoin", "ethereum"], ["1h"], clock=clock)
    by_coin = {r["coin"]: r for r in out["results"]}
    assert by_coin["bitcoin"]["status"] == "accepted"
    assert "error" in by_coin["ethereum"]  # no data: reported, not raised
    again = inc.run(mode, store, models, training, ["bitcoin"], ["1h"], clock=clock)
    assert again["results"][0]["status"] == "accepted"  # same data, same MAE: not worse


def test_bad_mode(home, settings) -> None:
    stores = BarStore(home.parquet_dir), ModelStore(home.models_dir)
    with pytest.raises(UsageError, match="mode"):
        inc.run("nano", *stores, settings.general.training, ["bitcoin"], ["1h"])


def test_the_scheduler_job_runs_it_on_a_home(home, monkeypatch: pytest.MonkeyPatch) -> None:
    """The weekly job's work (``finbot.ops.jobs``) on an empty home: every set reported, and
    the job counts one row per set."""
    from finbot.ops import jobs
    from finbot.prediction.training import RetrainMode
    from finbot.services import Services

    seen: list[dict] = []
    real = inc.run
    monkeypatch.setattr(inc, "run", lambda *a, **kw: seen.append(real(*a, **kw)) or seen[-1])
    services = Services(home)
    rows = jobs._incremental(RetrainMode.MINI)(services)
    [out] = seen
    assert out["mode"] == "mini" and all("error" in r for r in out["results"])
    general, coins = services.settings.general, services.settings.coins.ids
    assert rows == len(out["results"]) == len(coins) * len(general.horizons)
