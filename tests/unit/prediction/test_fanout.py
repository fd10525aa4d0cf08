"""Fan-out: every task through joblib; Dask by configuration (skipped when absent)."""

from __future__ import annotations

import importlib.util

import pytest

from finbot.errors import ConfigError
from finbot.prediction.models.model_store import ModelStore
from finbot.prediction.training import fanout
from finbot.storage.parquet_writer import BarStore
from tests.fixtures.bars import planted_signal

pytestmark = pytest.mark.unit


def test_tasks_use_each_horizons_timeframe() -> None:
    assert fanout.tasks_for(["a"], ["10m", "1h"]) == [("a", "5m", "10m"), ("a", "1h", "1h")]
    assert fanout.tasks_for(["a", "b"], ["6h"], ["1h", "4h"]) == [
        ("a", "1h", "6h"),
        ("a", "4h", "6h"),
        ("b", "1h", "6h"),
        ("b", "4h", "6h"),
    ]


@pytest.mark.parametrize("workers", [1, 2])
def test_train_all_trains_and_saves_every_task(workers: int, home, settings) -> None:
    BarStore(home.parquet_dir).upsert("bitcoin", "1h", planted_signal(1200, seed=51))
    seen = []
    out = fanout.train_all(
        BarStore(home.parquet_dir),
        ModelStore(home.models_dir),
        settings.general.training,
        ["bitcoin", "ethereum"],
        ["1h", "6h"],
        workers=workers,
        algorithms=["linear"],
        progress=lambda r, done, total: seen.append((done, total)),
    )
    assert [(r["coin"], r["horizon"]) for r in out] == [
        ("bitcoin", "1h"),
        ("bitcoin", "6h"),
        ("ethereum", "1h"),
        ("ethereum", "6h"),
    ]
    assert all("version" in r for r in out[:2]) and all("error" in r for r in out[2:])
    assert seen[-1] == (4, 4)
    assert {(m["coin"], m["horizon"]) for m in ModelStore(home.models_dir).list_models()} == {
        ("bitcoin", "1h"),
        ("bitcoin", "6h"),
    }


def test_dask_backend_without_the_extra_says_how_to_install(home, settings, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # as if the extra were absent
    training = settings.general.training.model_copy(update={"backend": "dask"})
    stores = BarStore(home.parquet_dir), ModelStore(home.models_dir)
    with pytest.raises(ConfigError, match=r"finbot\[dask\]"):
        fanout.train_all(*stores, training, ["bitcoin"], ["1h"])


@pytest.mark.skipif(importlib.util.find_spec("dask") is None, reason="dask not installed")
def test_dask_without_an_address_trains_on_a_local_cluster_of_the_workers(home, settings) -> None:
    BarStore(home.parquet_dir).upsert("bitcoin", "1h", planted_signal(1200, seed=53))
    BarStore(home.parquet_dir).upsert("ethereum", "1h", planted_signal(1200, seed=54))
    training = settings.general.training.model_copy(
        update={"backend": "dask", "dask_address": None, "workers": 2}
    )
    seen: list[tuple[int, int]] = []
    out = fanout.train_all(
        BarStore(home.parquet_dir),
        ModelStore(home.models_dir),
        training,
        ["bitcoin", "ethereum"],
        ["1h"],
        algorithms=["linear"],
        progress=lambda r, done, total: seen.append((done, total)),
        pooled=False,  # the per-coin tasks only: they are what runs on the cluster
    )
    assert [r["coin"] for r in out] == ["bitcoin", "ethereum"]
    assert all("version" in r for r in out), out
    assert sorted(seen) == [(1, 2), (2, 2)]
    assert {m["coin"] for m in ModelStore(home.models_dir).list_models()} == {"bitcoin", "ethereum"}


@pytest.mark.skipif(importlib.util.find_spec("dask") is None, reason="dask not installed")
def test_dask_at_an_address(home, settings) -> None:
    from dask.distributed import LocalCluster

    BarStore(home.parquet_dir).upsert("bitcoin", "1h", planted_signal(1200, seed=52))
    with LocalCluster(n_workers=1, processes=False) as cluster:
        training = settings.general.training.model_copy(
            update={"backend": "dask", "dask_address": cluster.scheduler_address}
        )
        out = fanout.train_all(
            BarStore(home.parquet_dir),
            ModelStore(home.models_dir),
            training,
            ["bitcoin"],
            ["1h"],
            algorithms=["linear"],
        )
    assert "version" in out[0]
