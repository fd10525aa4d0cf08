"""Normalised split-conformal intervals: nominal coverage out of sample, narrower where calm."""

from __future__ import annotations

import numpy as np
import pytest

from finbot.prediction.volatility import (
    HorizonEvaluation,
    WalkForwardConfig,
    bar_grid,
    evaluate_horizon,
    horizon_data,
    horizon_metrics,
    walk_forward,
)
from finbot.prediction.volatility.intervals import conformal_quantile, price_interval
from finbot.prediction.volatility.scoring import winkler

from .simulate import garch_bars

pytestmark = pytest.mark.unit

LEVEL = 0.8
CONFIG = WalkForwardConfig(candidates=("naive_day", "har", "har_range", "garch"))


@pytest.fixture(scope="module")
def evaluations() -> dict[int, HorizonEvaluation]:
    grid = bar_grid(garch_bars(6000, seed=31), "1h")
    out = {}
    for h in (1, 6):
        data = horizon_data(grid, h)
        out[h] = evaluate_horizon(data, walk_forward(data, CONFIG), level=LEVEL, cost=0.01)
    return out


@pytest.mark.parametrize("h", [1, 6])
def test_coverage_is_nominal_out_of_sample(
    evaluations: dict[int, HorizonEvaluation], h: int
) -> None:
    m = horizon_metrics(evaluations[h], LEVEL)["interval"]
    assert abs(m["coverage"] - LEVEL) <= 0.03, m
    assert abs(m["coverage_constant"] - LEVEL) <= 0.04, m


@pytest.mark.parametrize("h", [1, 6])
def test_normalised_intervals_beat_constant_width_on_clustered_volatility(
    evaluations: dict[int, HorizonEvaluation], h: int
) -> None:
    assert horizon_metrics(evaluations[h], LEVEL)["interval"]["winkler_ratio"] < 0.97


def test_the_conformal_quantile_is_the_finite_sample_one() -> None:
    scores = np.arange(1.0, 11.0)
    assert conformal_quantile(scores, 0.8) == 9.0  # ceil(11 * 0.8) = 9th smallest
    assert conformal_quantile(scores, 0.95) == 10.0  # capped at the largest
    assert conformal_quantile(np.array([np.nan, 2.0, 1.0]), 0.5) == 2.0


def test_the_conformal_quantile_covers_exchangeable_scores() -> None:
    rng = np.random.default_rng(0)
    hits = []
    for _ in range(400):
        cal, new = np.abs(rng.standard_t(3, 50)), abs(rng.standard_t(3))
        hits.append(new <= conformal_quantile(cal, LEVEL))
    assert np.mean(hits) == pytest.approx(LEVEL, abs=0.05)


def test_winkler_charges_misses_by_two_over_alpha() -> None:
    y = np.array([0.0, 3.0, -2.0])
    score = winkler(y, np.full(3, -1.0), np.full(3, 1.0), LEVEL)
    np.testing.assert_allclose(score, [2.0, 2.0 + 10.0 * 2.0, 2.0 + 10.0 * 1.0])
    low, high = price_interval(100.0, 0.1)
    assert low == pytest.approx(100 * np.exp(-0.1)) and high == pytest.approx(100 * np.exp(0.1))
