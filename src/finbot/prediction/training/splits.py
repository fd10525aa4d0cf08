"""Time-series splits: one purge rule, two layouts (holdout, expanding folds).

A feature row's label is the log return from its bar to the bar one horizon later, so the
label of row ``i`` spans ``(ts[i], ts[i] + horizon]``. A row may fit a model that serves row
``j`` only when its label is known by then and does not overlap row ``j``'s: the **purge**
keeps training rows with ``ts[i] + horizon <= ts[j]`` (a gap of at least one horizon between
the last training row and the first served row). ``strict=True`` keeps one bar more out
(``ts[i] + horizon < ts[j]``); the training splits use it. Rows must be sorted by ``ts``;
nothing is shuffled.

* ``holdout(ts, test_fraction, horizon_ms)``: the last ``test_fraction`` of the rows for test,
  the purged rows before them for training (the trainer, and the master's final test).
* ``expanding_folds(ts, n_folds, horizon_ms)``: contiguous blocks after a first one, each
  predicted by a model fitted on the purged rows before it (the master's out-of-fold rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from finbot.errors import DataError
from finbot.i18n import N_

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Split:
    """Row indices: ``train`` fits the model that predicts ``test``; ``gap`` rows were purged
    between the end of ``train`` and the start of ``test``."""

    train: IntArray
    test: IntArray
    gap: int


def _check_sorted(ts: npt.NDArray[np.int64]) -> None:
    if ts.size > 1 and bool(np.any(ts[1:] < ts[:-1])):
        raise DataError(N_("ts: expected rows sorted by time for a time-series split"))


def purged_end(
    ts: npt.NDArray[np.int64], start: int, horizon_ms: int, *, strict: bool = False
) -> int:
    """How many leading rows may train a model serving row ``start``: rows ``[0, end)`` have
    ``ts + horizon_ms <= ts[start]`` (``<`` when ``strict``), the rest of ``[0, start)`` is
    purged. ``ts`` is sorted."""
    side: Literal["left", "right"] = "left" if strict else "right"
    return int(np.searchsorted(ts[:start], ts[start] - horizon_ms, side=side))


def purged_split(
    ts: npt.NDArray[np.int64],
    test_start: int,
    test_end: int,
    horizon_ms: int,
    *,
    strict: bool = False,
) -> Split:
    """Test rows ``[test_start, test_end)``; training rows every earlier row the purge keeps."""
    _check_sorted(ts)
    end = purged_end(ts, test_start, horizon_ms, strict=strict)
    return Split(
        train=np.arange(end, dtype=np.int64),
        test=np.arange(test_start, test_end, dtype=np.int64),
        gap=test_start - end,
    )


def holdout(ts: npt.NDArray[np.int64], test_fraction: float, horizon_ms: int) -> Split:
    """The last ``test_fraction`` of the rows (at least one) for test; train rows whose label
    ends strictly before the test starts."""
    n_test = max(1, round(ts.size * test_fraction))
    return purged_split(ts, ts.size - n_test, ts.size, horizon_ms, strict=True)


def expanding_folds(ts: npt.NDArray[np.int64], n_folds: int, horizon_ms: int) -> list[Split]:
    """``n_folds`` contiguous blocks after a first block of the same size; block ``k`` is
    predicted by a model fitted on every row before it that the (strict) purge keeps."""
    edges = np.linspace(0, ts.size, n_folds + 2, dtype=int)
    return [
        purged_split(ts, int(edges[k]), int(edges[k + 1]), horizon_ms, strict=True)
        for k in range(1, n_folds + 1)
    ]
