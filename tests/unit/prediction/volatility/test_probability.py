"""Touch (first-passage) and direction probabilities: exact for a random walk, calibrated and
skilful out of sample on clustered volatility."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import expit, logit

from finbot.prediction.volatility import (
    WalkForwardConfig,
    bar_grid,
    evaluate_horizon,
    horizon_data,
    horizon_metrics,
    touch_probability,
    walk_forward,
)
from finbot.prediction.volatility.probability import exceed_probability, fit_calibration
from finbot.prediction.volatility.scoring import reliability_gap, reliability_table
from finbot.prediction.volatility.targets import targets

from .simulate import garch_bars, random_walk_bars

pytestmark = pytest.mark.unit

SIGMA = 0.01


@pytest.mark.parametrize("h", [1, 6])
@pytest.mark.parametrize("k", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("sign", [1, -1])
def test_the_barrier_formula_is_calibrated_on_a_random_walk(h: int, k: float, sign: int) -> None:
    grid = bar_grid(random_walk_bars(24_000, seed=41, sigma=SIGMA), "1h")
    t = targets(grid, h)
    move = math.expm1(sign * k * SIGMA * math.sqrt(h))
    extreme = t.high if sign > 0 else t.low
    ok = np.isfinite(extreme)
    hit = extreme[ok] >= math.log1p(move) if sign > 0 else extreme[ok] <= math.log1p(move)
    p = touch_probability(move, np.array([h * SIGMA**2]))[0]
    assert p == pytest.approx(2 * (1 - 0.5 * math.erfc(-k / math.sqrt(2))), abs=1e-12)
    assert float(hit.mean()) == pytest.approx(p, abs=0.02)


def test_the_exceedance_is_a_zero_mean_gaussian_tail() -> None:
    p = exceed_probability(0.01, np.array([1e-4, 4e-4]))
    np.testing.assert_allclose(p, [0.158655, 0.308538], atol=1e-6)


def test_the_calibration_recovers_a_logistic_map() -> None:
    rng = np.random.default_rng(3)
    raw = rng.uniform(0.02, 0.98, 40_000)
    outcome = (rng.uniform(size=raw.size) < expit(0.4 + 1.5 * logit(raw))).astype(float)
    cal = fit_calibration(raw, outcome)
    assert cal.intercept == pytest.approx(0.4, abs=0.06)
    assert cal.slope == pytest.approx(1.5, abs=0.06)
    table = reliability_table(cal(raw), outcome)
    assert reliability_gap(table) < 0.015
    assert sum(b.count for b in table) == raw.size


def test_the_reliability_gap_sees_a_miscalibration() -> None:
    outcome = np.array([0.0, 1.0] * 500)
    assert reliability_gap(reliability_table(np.full(1000, 0.5), outcome)) == pytest.approx(0.0)
    assert reliability_gap(reliability_table(np.full(1000, 0.8), outcome)) == pytest.approx(0.3)


@pytest.fixture(scope="module")
def clustered_metrics() -> dict[str, dict[str, float]]:
    data = horizon_data(bar_grid(garch_bars(6000, seed=43), "1h"), 1)
    folds = walk_forward(data, WalkForwardConfig(candidates=("naive_day", "har", "garch")))
    return horizon_metrics(evaluate_horizon(data, folds, level=0.8, cost=0.01), 0.8)


@pytest.mark.parametrize("side", ["touch_up", "touch_down", "direction_up", "direction_down"])
def test_probabilities_are_reliable_and_beat_the_base_rate(
    clustered_metrics: dict[str, dict[str, float]], side: str
) -> None:
    m = clustered_metrics[side]
    assert m["reliability_gap"] <= 0.05, m
    assert m["brier_ratio"] < (0.9 if side.startswith("touch") else 0.98), m
    assert m["log_loss"] < m["log_loss_base"], m
