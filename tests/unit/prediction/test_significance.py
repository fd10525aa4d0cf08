"""The statistics behind "edge": HAC Diebold–Mariano keeps its size on overlapping errors,
Holm's adjustment, the Wilson interval, the information coefficient."""

from __future__ import annotations

import numpy as np
import pytest

from finbot.prediction.tracking.significance import (
    diebold_mariano,
    holm,
    newey_west_lag,
    spearman_ic,
    wilson,
)

pytestmark = pytest.mark.unit


def _overlapping(rng: np.random.Generator, n: int, h: int) -> np.ndarray:
    """Errors of an ``h``-bar forecast on overlapping labels: sums of ``h`` one-bar shocks."""
    shocks = rng.standard_normal(n + h - 1)
    return np.convolve(shocks, np.ones(h), mode="valid")


def test_dm_keeps_its_size_on_overlapping_labels() -> None:
    """Two equally good forecasts of a 6-bar horizon: the HAC test rejects about 5 % of the
    time (a plain variance ignoring the overlap would reject far more often)."""
    rng = np.random.default_rng(7)
    rejections = 0
    for _ in range(300):
        common = _overlapping(rng, 600, 6)
        a = common + 0.5 * _overlapping(rng, 600, 6)
        b = common + 0.5 * _overlapping(rng, 600, 6)
        rejections += diebold_mariano(a, b, 6)[1] < 0.05
    assert rejections / 300 <= 0.08


def test_dm_sees_a_real_difference_under_overlap() -> None:
    rng = np.random.default_rng(8)
    target = _overlapping(rng, 2000, 6)
    better, worse = 0.3 * _overlapping(rng, 2000, 6), target + 0.3 * _overlapping(rng, 2000, 6)
    stat, p = diebold_mariano(better, worse, 6)
    assert stat < 0 and p < 0.001


def test_newey_west_lag_covers_the_overlap() -> None:
    assert newey_west_lag(1000, 12) == 11
    assert newey_west_lag(1000, 1) == 6  # floor(4 * 10^(2/9))


def test_holm_hand_case() -> None:
    # sorted 0.01, 0.02, 0.04 -> 3*0.01, max(0.03, 2*0.02), max(0.04, 1*0.04)
    assert holm([0.04, 0.01, 0.02, float("nan")]) == pytest.approx(
        [0.04, 0.03, 0.04, float("nan")], nan_ok=True
    )
    assert holm([0.6, 0.9]) == [1.0, 1.0]


def test_wilson_hand_case() -> None:
    low, high = wilson(50, 100) or (0.0, 0.0)
    assert low == pytest.approx(0.4038, abs=1e-4) and high == pytest.approx(0.5962, abs=1e-4)
    assert wilson(0, 0) is None
    low, high = wilson(0, 10) or (1.0, 1.0)
    assert low == 0.0 and 0.2 < high < 0.35


def test_spearman_ic() -> None:
    y = np.array([0.1, -0.2, 0.3, 0.05])
    assert spearman_ic(y * 2, y) == pytest.approx(1.0)
    assert spearman_ic(np.zeros(4), y) is None  # a naive forecast has no IC
