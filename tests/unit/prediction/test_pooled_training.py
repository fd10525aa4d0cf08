"""Pooled training: purged time-ordered splits, selection (served only where it beats naive
and the per-coin model out of sample), the store round trip, and predict serving it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from finbot.clock import FakeClock
from finbot.config.models import Training
from finbot.paths import Paths
from finbot.prediction import pipeline
from finbot.prediction.features import pooled_frames
from finbot.prediction.models import LIBRARY_TREES, NUMPY_TREES, POOLED, ModelStore, StoredModel
from finbot.prediction.training import PooledConfig, PooledRun, fit_pooled, train_all, train_pooled
from finbot.prediction.training.pooled_selection import pooled_report, select
from finbot.prediction.training.pooled_trainer import time_split
from finbot.storage.parquet_writer import BarStore
from finbot.timeframes import Timeframe
from tests.fixtures.bars import START_MS, bars_from_returns

pytestmark = pytest.mark.unit
HOUR = 3_600_000
FAST = PooledConfig(n_estimators=60)
Run = tuple[dict[str, pl.DataFrame], PooledRun]
Home = tuple[dict[str, pl.DataFrame], BarStore, ModelStore, list[dict[str, Any]], FakeClock]


def lead_lag(n: int, seed: int, start_ms: int | None = None) -> dict[str, pl.DataFrame]:
    """ethereum follows bitcoin's last hourly return (only a cross-asset model sees it);
    bitcoin and solana are random walks."""
    rng = np.random.default_rng(seed)
    btc = rng.normal(0.0, 0.01, n)
    eth = 0.7 * np.concatenate([[0.0], btc[:-1]]) + rng.normal(0.0, 0.01, n)
    sol = rng.normal(0.0, 0.01, n)
    start = START_MS if start_ms is None else start_ms
    return {
        c: bars_from_returns(r, rng, start_ms=start)
        for c, r in (("bitcoin", btc), ("ethereum", eth), ("solana", sol))
    }


@pytest.mark.parametrize("horizon_bars", [1, 6])
def test_time_split_is_by_timestamp_with_a_purge(horizon_bars: int) -> None:
    ts = np.repeat(np.arange(100, dtype=np.int64) * HOUR, 3)  # three coins per timestamp
    train, test = time_split(ts, 0.3, horizon_bars * HOUR)
    first = ts[test].min()
    assert first == 70 * HOUR and (ts[test] >= first).all() and test.sum() == 90
    assert (ts[train] + horizon_bars * HOUR < first).all()
    assert train.sum() == 3 * (70 - horizon_bars)


@pytest.fixture(scope="module")
def run_1h() -> Run:
    frames = lead_lag(2500, 1)
    return frames, train_pooled(frames, "1h", FAST)


def test_pooled_finds_the_cross_asset_signal_and_nothing_else(run_1h: Run) -> None:
    frames, run = run_1h
    assert run.model.pool == ("bitcoin", "ethereum", "solana")
    assert run.model.objective in ("l1", "huber", "l2")
    assert run.train_window[1] + HOUR < int(run.test["ts"].to_numpy().min())
    reports = {c: pooled_report(run, c, Timeframe.H1, "1h", "hash") for c in frames}
    assert reports["ethereum"] is not None and reports["ethereum"].has_edge
    assert reports["ethereum"].mae_ratio < 0.9
    assert reports["solana"] is not None and not reports["solana"].has_edge


def _stored(tmp_path: Path, calibration: pl.DataFrame, algorithm: str) -> StoredModel:
    folder = tmp_path / algorithm
    folder.mkdir()
    calibration.write_parquet(folder / "calibration.parquet")
    return StoredModel(
        meta={"algorithm": algorithm, "version": "v1"}, folder=folder, predictor=None
    )


def test_selection_needs_naive_and_the_per_coin_model_beaten(run_1h: Run, tmp_path: Path) -> None:
    frames, run = run_1h
    eth = pooled_report(run, "ethereum", Timeframe.H1, "1h", "hash")
    sol = pooled_report(run, "solana", Timeframe.H1, "1h", "hash")
    assert eth is not None and sol is not None
    assert select(eth, None) == (True, None)
    served, reason = select(sol, None)
    assert not served and reason and "no significant edge" in reason
    cal = eth.calibration
    perfect = _stored(tmp_path, cal.with_columns(pl.col("y_true").alias("y_pred")), "linear")
    served, reason = select(eth, perfect)
    assert not served and reason and "not better than the current linear" in reason
    naive_like = _stored(tmp_path, cal.with_columns(pl.lit(0.0).alias("y_pred")), "xgboost")
    assert select(eth, naive_like) == (True, None)


def test_store_round_trip_gives_the_same_predictions(run_1h: Run, tmp_path: Path) -> None:
    frames, run = run_1h
    report = pooled_report(run, "ethereum", Timeframe.H1, "1h", "hash")
    assert report is not None
    store = ModelStore(tmp_path / "models")
    version = store.save(report)
    rows = (
        pooled_frames(frames, "1h")["ethereum"]
        .tail(50)
        .with_columns(pl.lit("ethereum").alias("coin"))
    )
    expected = run.model.predict(rows)
    for trees in (NUMPY_TREES, LIBRARY_TREES):
        loaded = ModelStore(tmp_path / "models", trees=trees).load_latest("ethereum", "1h", "1h")
        assert loaded.algorithm == POOLED and loaded.version == version
        np.testing.assert_allclose(
            loaded.predict(run.model.input_matrix(rows)), expected, rtol=1e-9, atol=1e-12
        )
        assert loaded.meta["mae_ratio"] == pytest.approx(report.mae_ratio)
        assert loaded.meta["extra"]["pool"] == list(run.model.pool)
        assert loaded.calibration().equals(report.calibration)


def test_fit_pooled_is_the_evaluation_seam() -> None:
    frames = lead_lag(1500, 2)
    model = fit_pooled(frames, "6h", FAST)
    rows = pooled_frames(frames, "1h")["ethereum"].with_columns(pl.lit("ethereum").alias("coin"))
    pred = model.predict(rows)
    assert pred.shape == (rows.height,) and np.isfinite(pred).all()
    assert model.horizon == "6h" and model.timeframe == "1h"


@pytest.fixture
def pooled_home(home: Paths) -> Home:
    now_ms = 1_730_000_000_000 - 1_730_000_000_000 % HOUR
    n = 2500
    frames = lead_lag(n, 3, start_ms=now_ms - n * HOUR)
    bars = BarStore(home.parquet_dir)
    for coin, frame in frames.items():
        bars.upsert(coin, "1h", frame)
    models = ModelStore(home.models_dir)
    training = Training(algorithms=("linear",), workers=1)
    results = train_all(bars, models, training, list(frames), ["1h"])
    return frames, bars, models, results, FakeClock(now_ms / 1000)


def test_train_all_serves_pooled_only_where_it_wins(pooled_home: Home) -> None:
    frames, bars, models, results, _ = pooled_home
    pooled = {r["coin"]: r for r in results if r.get("pooled")}
    assert set(pooled) == set(frames)
    assert pooled["ethereum"]["served"] and pooled["ethereum"]["has_edge"]
    assert not pooled["solana"]["served"] and pooled["solana"]["reason"]
    assert models.load_latest("ethereum", "1h", "1h").algorithm == POOLED
    assert models.load_latest("solana", "1h", "1h").algorithm != POOLED
    rejected = models.read_meta("solana", "1h", "1h", pooled["solana"]["version"])
    assert rejected["status"] == "rejected" and rejected["algorithm"] == POOLED
    skipped = train_all(
        bars, models, Training(algorithms=("linear",), pooled=False), list(frames), ["1h"]
    )
    assert not any(r.get("pooled") for r in skipped)


def test_predict_serves_the_pooled_model_from_the_stores(pooled_home: Home) -> None:
    frames, bars, models, _, clock = pooled_home
    out = pipeline.predict("ethereum", "1h", store=models, bar_store=bars, clock=clock)
    assert out.model == POOLED and out.has_edge
    assert out.as_of == int(frames["ethereum"]["ts"][-1])
    stored = models.load_latest("ethereum", "1h", "1h")
    rows = (
        pooled_frames(frames, "1h")["ethereum"]
        .tail(1)
        .with_columns(pl.lit("ethereum").alias("coin"))
    )
    extra = stored.meta["extra"]
    x = rows.select([n for n in stored.meta["feature_names"] if n != "coin"]).to_numpy()
    if extra["coin_feature"]:
        x = np.column_stack([x, [[float(extra["pool"].index("ethereum"))]]])
    assert out.predicted_return == pytest.approx(float(stored.predict(x)[0]), rel=1e-6)
    assert out.calibration().height == stored.meta["samples"]["test"]


def test_incremental_retrain_compares_with_a_pooled_current_on_its_window(
    pooled_home: Home,
) -> None:
    """The current pooled model is scored by its stored out-of-sample predictions (its input
    needs the other coins), so a per-coin candidate replaces it only when better there."""
    from finbot.prediction.training import incremental_trainer

    _, bars, models, _, clock = pooled_home
    training = Training(algorithms=("linear",), workers=1)
    out = incremental_trainer.run("mini", bars, models, training, ["ethereum"], ["1h"], clock=clock)
    result = out["results"][0]
    assert np.isfinite(result["current_mae"])
    assert result["status"] == "rejected"  # a per-coin linear cannot see bitcoin's lead
    assert models.load_latest("ethereum", "1h", "1h").algorithm == POOLED
