"""Each candidate against the naive forecasts on simulated volatility clustering."""

from __future__ import annotations

import numpy as np
import pytest

from finbot.prediction.volatility import CANDIDATES, bar_grid, horizon_data, qlike
from finbot.prediction.volatility.candidates import fit_candidate
from finbot.prediction.volatility.dataset import HorizonData
from finbot.prediction.volatility.garch import (
    backcast,
    conditional_variance,
    fit_garch_params,
    horizon_variance,
)

from .simulate import garch_bars

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def clustered() -> dict[int, HorizonData]:
    grid = bar_grid(garch_bars(5000, seed=7), "1h")
    return {h: horizon_data(grid, h) for h in (1, 6)}


def _split(data: HorizonData) -> tuple[np.ndarray, np.ndarray]:
    known = data.known
    half = known.size // 2
    return known[: half - data.h], known[half:]  # a gap of one horizon


def _oos_qlike(data: HorizonData, name: str) -> float:
    train, test = _split(data)
    forecast = fit_candidate(name, data, train)(test)
    return float(np.mean(qlike(data.targets.variance[test], forecast, data.h)))


@pytest.mark.parametrize("h", [1, 6])
def test_har_beats_both_naive_forecasts_out_of_sample(
    clustered: dict[int, HorizonData], h: int
) -> None:
    data = clustered[h]
    har = _oos_qlike(data, "har")
    assert har < 0.98 * _oos_qlike(data, "naive_day")
    assert har < 0.98 * _oos_qlike(data, "naive_window")


@pytest.mark.parametrize("name", [n for n in CANDIDATES if not n.startswith("naive")])
def test_every_model_beats_the_day_mean_at_6h(clustered: dict[int, HorizonData], name: str) -> None:
    data = clustered[6]
    assert _oos_qlike(data, name) < _oos_qlike(data, "naive_day")


def test_garch_recovers_the_simulated_parameters() -> None:
    grid = bar_grid(garch_bars(5000, seed=3), "1h")
    p = fit_garch_params(grid.log_return)
    assert p.alpha == pytest.approx(0.2, abs=0.05)
    assert p.beta == pytest.approx(0.75, abs=0.06)


def test_the_garch_filter_matches_arch_without_gaps() -> None:
    from arch import arch_model

    grid = bar_grid(garch_bars(1500, seed=5), "1h")
    r = grid.log_return
    params = fit_garch_params(r)
    ours = conditional_variance(r, params, backcast(r))
    model = arch_model(r[1:] * 100, mean="Zero", vol="GARCH", p=1, q=1, rescale=False)
    theirs = model.fix([params.omega * 1e4, params.alpha, params.beta]).conditional_volatility
    np.testing.assert_allclose(ours[1:-1], (np.asarray(theirs) / 100) ** 2, rtol=1e-9)


def test_the_garch_forecast_is_the_sum_of_the_k_step_expectations() -> None:
    grid = bar_grid(garch_bars(1500, seed=5), "1h")
    p = fit_garch_params(grid.log_return)
    s1 = np.array([2e-4])
    steps = [
        p.omega / (1 - p.persistence) + p.persistence**k * (s1[0] - p.omega / (1 - p.persistence))
        for k in range(6)
    ]
    assert horizon_variance(s1, p, 6)[0] == pytest.approx(sum(steps))


def test_the_garch_filter_crosses_a_gap_by_its_expectation() -> None:
    grid = bar_grid(garch_bars(1500, seed=5), "1h")
    r = grid.log_return.copy()
    params = fit_garch_params(r)
    r[700] = np.nan
    var = conditional_variance(r, params, backcast(r))
    assert np.all(np.isfinite(var[1:]))
    assert var[701] == pytest.approx(params.omega + params.persistence * var[700])
