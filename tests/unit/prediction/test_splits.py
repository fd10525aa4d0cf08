"""The one time-series splitter: no training row's label window overlaps a row it serves, the
gap is at least one horizon, and the purge keeps every row the rule allows (no more, no less)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from finbot.errors import DataError
from finbot.prediction.training.splits import (
    expanding_folds,
    holdout,
    purged_end,
)

pytestmark = pytest.mark.unit
H = 3_600_000


def _series(steps: list[int]) -> np.ndarray:
    """Sorted hourly timestamps with holes (a step of k bars leaves k - 1 bars missing)."""
    return (np.cumsum(np.asarray(steps, dtype=np.int64)) * H).astype(np.int64)


def _assert_purged(ts: np.ndarray, train: np.ndarray, served: np.ndarray, h: int) -> None:
    """Labels span (ts, ts + h]: every training label ends by the first served row's time,
    so no training row's label window overlaps any served row's, and the gap is >= h."""
    assert train.size and served.size
    first = ts[served].min()  # the served rows' label windows start at or after this
    assert (ts[train] + h <= first).all()
    assert first - ts[train].max() >= h


def _brute_force_end(ts: np.ndarray, start: int, h: int, strict: bool) -> int:
    keep = ts[:start] + h < ts[start] if strict else ts[:start] + h <= ts[start]
    kept = np.flatnonzero(keep)
    assert np.array_equal(kept, np.arange(kept.size))  # the kept rows are a prefix
    return int(kept.size)


STEPS = st.lists(st.sampled_from([1, 1, 1, 2, 3, 7]), min_size=400, max_size=1500)
HORIZON_BARS = st.integers(min_value=1, max_value=24)


@settings(max_examples=40, deadline=None)
@given(steps=STEPS, h_bars=HORIZON_BARS, fraction=st.sampled_from([0.1, 0.2, 0.3, 0.5]))
def test_holdout_never_overlaps_and_purges_exactly(
    steps: list[int], h_bars: int, fraction: float
) -> None:
    ts, h = _series(steps), h_bars * H
    split = holdout(ts, fraction, h)
    assert split.test.tolist() == list(range(ts.size - split.test.size, ts.size))
    assert split.test.size == max(1, round(ts.size * fraction))
    _assert_purged(ts, split.train, split.test, h)
    start = int(split.test[0])
    assert split.train.size == _brute_force_end(ts, start, h, strict=True)
    assert split.gap == start - split.train.size
    assert ts[split.train[-1]] + h < ts[start]  # strict: one bar more than the plain rule


@settings(max_examples=40, deadline=None)
@given(steps=STEPS, h_bars=HORIZON_BARS, n_folds=st.integers(min_value=2, max_value=6))
def test_expanding_folds_never_overlap(steps: list[int], h_bars: int, n_folds: int) -> None:
    ts, h = _series(steps), h_bars * H
    folds = expanding_folds(ts, n_folds, h)
    assert len(folds) == n_folds
    predicted = np.concatenate([f.test for f in folds])
    assert np.array_equal(predicted, np.arange(predicted[0], ts.size))  # contiguous blocks
    for fold in folds:
        assume(fold.train.size > 0)
        _assert_purged(ts, fold.train, fold.test, h)
        start = int(fold.test[0])
        assert fold.train.size == _brute_force_end(ts, start, h, strict=True)
        assert fold.gap == start - fold.train.size


@pytest.mark.parametrize("h_bars", [1, 6, 12])
def test_regular_grid_gaps(h_bars: int) -> None:
    """On a grid without holes: strict leaves h bars out, the plain rule h - 1 (the row whose
    label ends exactly at the served row is known by then)."""
    ts = np.arange(500, dtype=np.int64) * H
    assert 400 - purged_end(ts, 400, h_bars * H, strict=True) == h_bars
    assert 400 - purged_end(ts, 400, h_bars * H) == h_bars - 1


def test_unsorted_rows_are_refused() -> None:
    ts = np.array([0, 2, 1, 3, 4, 5, 6, 7, 8, 9], dtype=np.int64) * H
    with pytest.raises(DataError, match="sorted"):
        holdout(ts, 0.3, H)
    with pytest.raises(DataError, match="sorted"):
        expanding_folds(ts, 2, H)
