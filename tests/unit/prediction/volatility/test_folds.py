"""Walk-forward folds: purged by the horizon, contiguous test blocks, chosen on calibration."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from finbot.errors import DataError
from finbot.prediction.volatility import (
    BarGrid,
    WalkForwardConfig,
    bar_grid,
    horizon_data,
    walk_forward,
)
from finbot.prediction.volatility.folds import Fold, check_fold, walk_forward_folds

from .simulate import HOUR_MS, garch_bars

pytestmark = pytest.mark.unit


def _gappy_grid(seed: int) -> BarGrid:
    bars = garch_bars(3000, seed=seed)
    rng = np.random.default_rng(seed)
    drop = rng.choice(np.arange(200, bars.height - 1), size=60, replace=False)
    return bar_grid(bars.filter(~pl.int_range(pl.len()).is_in(drop.tolist())), "1h")


@pytest.mark.parametrize("h", [1, 6, 12])
def test_every_fold_leaves_a_gap_of_one_horizon(h: int) -> None:
    grid = _gappy_grid(seed=h)
    data = horizon_data(grid, h)
    rows = data.known
    folds = walk_forward_folds(rows, grid.ts, h * HOUR_MS, 6)
    assert len(folds) == 6
    ts = grid.ts
    for fold in folds:
        assert ts[fold.train].max() + h * HOUR_MS <= ts[fold.calibration].min()
        assert ts[fold.calibration].max() + h * HOUR_MS <= ts[fold.test].min()
        assert np.all(np.isfinite(data.targets.variance[fold.train]))
    tests = np.concatenate([f.test for f in folds])
    assert np.all(np.diff(tests) > 0)  # ordered, disjoint
    assert tests.size == rows.size - int(rows.size * 0.5)  # the last half, every row once
    assert np.array_equal(tests, rows[-tests.size :])


def test_check_fold_catches_an_overlap() -> None:
    ts = np.arange(100, dtype=np.int64) * HOUR_MS
    slots = np.arange(100, dtype=np.int64)
    fold = Fold(0, slots[:51], slots[53:70], slots[73:])
    check_fold(fold, ts, 3 * HOUR_MS)
    with pytest.raises(AssertionError):
        check_fold(fold, ts, 4 * HOUR_MS)


def test_too_little_history_is_a_clear_error() -> None:
    ts = np.arange(300, dtype=np.int64) * HOUR_MS
    with pytest.raises(DataError, match="too little history"):
        walk_forward_folds(np.arange(300, dtype=np.int64), ts, HOUR_MS, 6)


@pytest.mark.parametrize("n", [0, 1, 30])
def test_an_empty_or_tiny_series_is_the_same_clear_error(n: int) -> None:
    """Two days of 5-minute bars left no row once labelled: an IndexError ended the whole
    training run (the 100-coin benchmark), where a too-short series must only be reported."""
    ts = np.arange(n, dtype=np.int64) * HOUR_MS
    with pytest.raises(DataError, match="too little history"):
        walk_forward_folds(np.arange(n, dtype=np.int64), ts, HOUR_MS, 6)


def test_each_fold_picks_its_best_calibration_qlike() -> None:
    data = horizon_data(bar_grid(garch_bars(3000, seed=21), "1h"), 6)
    config = WalkForwardConfig(candidates=("naive_day", "har", "garch"))
    folds = walk_forward(data, config)
    for ff in folds:
        assert ff.chosen == min(ff.cal_qlike, key=lambda n: ff.cal_qlike[n])
        assert set(ff.test) == {"naive_day", "har", "garch"}
    assert any(ff.chosen != "naive_day" for ff in folds)
