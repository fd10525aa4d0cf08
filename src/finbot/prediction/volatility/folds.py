"""Walk-forward folds over the slots with known outcomes, purged by the horizon.

The test period is the last ``test_fraction`` of the rows, cut into ``n_folds`` contiguous
blocks. For each block the history before it (expanding window) is split into a training part
and a calibration part (its last ``cal_fraction``), with a gap of at least one horizon between
training and calibration and between calibration and test: no fitted row's outcome ends after
the first forecast it serves is made. ``check_fold`` asserts it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finbot.errors import DataError, UsageError
from finbot.i18n import N_

from .grid import IntArray

MIN_TRAIN, MIN_CAL, MIN_TEST = 200, 50, 10


@dataclass(frozen=True)
class Fold:
    """Grid slots of one walk-forward step."""

    index: int
    train: IntArray
    calibration: IntArray
    test: IntArray


def check_fold(fold: Fold, ts: IntArray, horizon_ms: int) -> None:
    """Raise AssertionError if an outcome of a fitted block overlaps the block after it."""
    train_end = int(ts[fold.train].max()) + horizon_ms
    cal_end = int(ts[fold.calibration].max()) + horizon_ms
    assert train_end <= int(ts[fold.calibration].min()), f"fold {fold.index}: train overlaps cal"
    assert cal_end <= int(ts[fold.test].min()), f"fold {fold.index}: calibration overlaps test"


def walk_forward_folds(
    rows: IntArray,
    ts: IntArray,
    horizon_ms: int,
    n_folds: int,
    *,
    test_fraction: float = 0.5,
    cal_fraction: float = 0.25,
) -> list[Fold]:
    """Folds over ``rows`` (sorted grid slots) whose times are ``ts[rows]``."""
    if n_folds < 1:
        raise UsageError(N_("folds: expected at least 1, got {n_folds}"), n_folds=n_folds)
    times = ts[rows]
    n = rows.size
    if n < MIN_TRAIN + MIN_CAL + MIN_TEST:  # an empty or short series: no fold can be cut
        raise DataError(
            N_(
                "too little history for {n_folds} volatility folds ({n} rows); collect more bars "
                "or use fewer folds"
            ),
            n_folds=n_folds,
            n=n,
        )
    edges = np.linspace(int(n * (1.0 - test_fraction)), n, n_folds + 1).astype(int)
    folds = []
    for k in range(n_folds):
        e, f = int(edges[k]), int(edges[k + 1])
        d = int(np.searchsorted(times, times[e] - horizon_ms, side="right"))
        c = int(d * (1.0 - cal_fraction))
        b = int(np.searchsorted(times, times[c] - horizon_ms, side="right"))
        if b < MIN_TRAIN or d - c < MIN_CAL or f - e < MIN_TEST:
            raise DataError(
                N_(
                    "too little history for {n_folds} volatility folds ({n} rows); collect more "
                    "bars or use fewer folds"
                ),
                n_folds=n_folds,
                n=n,
            )
        fold = Fold(k, rows[:b], rows[c:d], rows[e:f])
        check_fold(fold, ts, horizon_ms)
        folds.append(fold)
    return folds
