"""Master: as-of alignment on CLOSE time, out-of-fold only, scores against subs and naive."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from finbot.prediction.features.feature_builder import FEATURE_NAMES
from finbot.prediction.models.model_store import ModelStore
from finbot.prediction.training.master_trainer import align_asof, train_master
from finbot.prediction.training.splits import expanding_folds
from tests.fixtures.bars import START_MS, planted_signal, random_walk

pytestmark = pytest.mark.unit
HOUR, DAY = 3_600_000, 86_400_000


def test_daily_row_usable_only_after_its_day_closed() -> None:
    feats = pl.DataFrame({"ts": [0, DAY], **{n: [1.0, 2.0] for n in FEATURE_NAMES}})
    base_ts = np.array([0, 22 * HOUR, 23 * HOUR, 24 * HOUR, 47 * HOUR], dtype=np.int64)
    out = align_asof(base_ts, "1h", feats, "1d", "d:")
    # known at ts + 1h; day 0 closes at 24h: usable from the 23h bar (which closes at 24h)
    assert out["d:ret_1"].to_list() == [None, None, 1.0, 1.0, 2.0]


def test_folds_fit_only_on_earlier_rows_with_a_gap() -> None:
    ts = np.arange(1000, dtype=np.int64) * HOUR
    folds = expanding_folds(ts, 4, 6 * HOUR)
    predicted = np.concatenate([f.test for f in folds])
    assert np.array_equal(predicted, np.arange(predicted[0], 1000))  # contiguous blocks
    for fold in folds:
        assert fold.train.size > 0
        assert ts[fold.train].max() + 6 * HOUR < ts[fold.test].min()
        assert fold.gap == 6


@pytest.fixture(scope="module")
def bars_by_tf() -> dict[str, pl.DataFrame]:
    hourly = planted_signal(2400, seed=21)
    daily = random_walk(200, seed=22, timeframe="1d", start_ms=START_MS - 100 * DAY)
    return {"1h": hourly, "1d": daily}


def test_master_is_trained_out_of_fold_and_scored(bars_by_tf, tmp_path) -> None:
    report = train_master("bitcoin", "1h", bars_by_tf, n_folds=3)
    assert report.sub_timeframes == ("1d", "1h")
    assert {"naive", "master", "sub_1d", "sub_1h"} <= set(report.scores)
    predicted = np.concatenate([f.test for f in report.folds])
    np.testing.assert_array_equal(report.master_rows, predicted)
    for fold in report.folds:  # every master row was predicted by subs that never saw it
        assert set(fold.train).isdisjoint(fold.test) and fold.train.max() < fold.test.min()
    assert report.master_rows.min() > 0  # the first block has no out-of-fold prediction
    assert report.scores["sub_1h"]["mae_ratio"] < 0.95  # the hourly signal is learnt
    assert report.weights[1] > report.weights[0]  # and the blend leans on it
    store = ModelStore(tmp_path)
    version = store.save(report)
    loaded = store.load_latest("bitcoin", "master", "1h")
    assert loaded.version == version and loaded.meta["extra"]["master_wins"] == report.master_wins
    assert loaded.predict(np.array([[0.01, 0.02]])).shape == (1,)
