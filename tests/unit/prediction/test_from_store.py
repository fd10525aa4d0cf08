"""Read bars → train → keep: the one path from the bar store to a saved version."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from finbot.errors import DataError
from finbot.prediction.models.model_store import ModelStore
from finbot.prediction.training import train_from_store
from finbot.prediction.training.trainer import TrainReport
from finbot.storage.parquet_writer import BarStore
from tests.fixtures.bars import planted_signal

pytestmark = pytest.mark.unit


@pytest.fixture
def stores(home) -> tuple[BarStore, ModelStore]:  # type: ignore[no-untyped-def]
    bars = BarStore(home.parquet_dir)
    bars.upsert("bitcoin", "1h", planted_signal(1200, seed=71))
    return bars, ModelStore(home.models_dir)


def test_saves_the_new_latest_version(stores: tuple[BarStore, ModelStore]) -> None:
    bars, models = stores
    seen: list[str] = []
    trained = train_from_store(
        bars,
        models,
        "bitcoin",
        "1h",
        "1h",
        algorithms=["linear"],
        test_fraction=0.3,
        progress=lambda name, _done, _total: seen.append(name),
    )
    assert models.latest_version("bitcoin", "1h", "1h") == trained.version
    assert trained.report.coin == "bitcoin" and "linear" in trained.report.scores
    assert seen[0] == "linear" and seen[-1] == "done"


def test_reads_from_start_ms_and_hands_the_same_bars_to_keep(
    stores: tuple[BarStore, ModelStore],
) -> None:
    bars, models = stores
    start = int(bars.read("bitcoin", "1h")["ts"][400])
    kept: list[pl.DataFrame] = []

    def keep(_models: ModelStore, report: TrainReport, frame: pl.DataFrame) -> dict[str, Any]:
        kept.append(frame)
        return {"version": "not saved", "rows": report.n_test}

    trained = train_from_store(
        bars,
        models,
        "bitcoin",
        "1h",
        "1h",
        algorithms=["linear"],
        test_fraction=0.3,
        start_ms=start,
        keep=keep,
    )
    assert trained.version == "not saved" and kept[0].height == 800
    assert int(kept[0]["ts"].min()) == start
    assert models.latest_version("bitcoin", "1h", "1h") is None


def test_no_stored_bars_is_a_data_error(stores: tuple[BarStore, ModelStore]) -> None:
    bars, models = stores
    with pytest.raises(
        DataError,
        match="no bars stored; fill them with .finbot collect-historical --coins ethereum.",
    ):
        train_from_store(
            bars, models, "ethereum", "1h", "1h", algorithms=["linear"], test_fraction=0.3
        )
