"""The live model: chosen out of sample, forecasting from the latest bar, showing only what
measured skill allows."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from finbot.errors import DataError
from finbot.prediction.volatility import (
    VolatilityConfig,
    VolatilityModel,
    WalkForwardConfig,
    fit_volatility,
)
from finbot.prediction.volatility.forecaster import DEFAULT_COST
from finbot.prediction.volatility.outputs import MAX_RELIABILITY_GAP
from finbot.prediction.volatility.targets import NAIVES

from .simulate import garch_bars

pytestmark = pytest.mark.unit

CONFIG = VolatilityConfig(
    cost=0.01, walk=WalkForwardConfig(candidates=("naive_window", "naive_day", "har", "garch"))
)


@pytest.fixture(scope="module")
def model() -> VolatilityModel:
    return fit_volatility(garch_bars(4000, seed=51), "1h", "1h", CONFIG)


def test_a_model_is_chosen_and_forecasts_from_the_latest_bar(model: VolatilityModel) -> None:
    assert model.chosen not in NAIVES
    assert model.horizon == "1h" and model.h == 1
    f = model.forecast()
    assert f.ts == int(model.data.grid.ts[-1])
    assert f.variance > 0 and f.sigma == pytest.approx(np.sqrt(f.variance))
    low, high = f.interval
    assert low < f.close < high
    assert f.interval_kind == "normalised"
    assert model.skill.direction and model.skill.normalised_interval
    assert f.p_up is not None and 0.0 < f.p_up < 1.0
    assert f.p_down is not None and 0.0 < f.p_down < 1.0
    out = f.to_dict()
    assert out["model"] == model.chosen and out["interval"]["level"] == 0.8


def test_touch_probabilities_fall_with_the_distance(model: VolatilityModel) -> None:
    f = model.forecast()
    assert model.skill.touch
    ups = [f.touch_probability(x) for x in (0.005, 0.01, 0.02, 0.05)]
    downs = [f.touch_probability(-x) for x in (0.005, 0.01, 0.02, 0.05)]
    for side in (ups, downs):
        values = [p for p in side if p is not None]
        assert len(values) == 4 and all(a > b for a, b in zip(values, values[1:], strict=False))


def test_what_showed_no_skill_is_not_shown(model: VolatilityModel) -> None:
    worse = dataclasses.replace(
        model.skill,
        winkler_ratio=1.01,
        direction_brier_ratio=1.0,
        touch_reliability_gap=MAX_RELIABILITY_GAP + 0.01,
    )
    f = dataclasses.replace(model, fitted=dataclasses.replace(model.fitted, skill=worse)).forecast()
    assert f.interval_kind == "constant"
    half = model.maps.quantile_constant
    assert f.interval == pytest.approx((f.close * np.exp(-half), f.close * np.exp(half)))
    assert f.p_up is None and f.p_down is None
    assert f.touch_probability(0.01) is None


def test_the_latest_bar_needs_its_history() -> None:
    bars = garch_bars(2500, seed=52)
    gap = bars.filter(np.arange(bars.height) != bars.height - 2)  # the last return is unknown
    model = fit_volatility(gap, "1h", "6h", CONFIG)
    assert model.h == 6
    with pytest.raises(DataError, match="latest bar"):
        model.forecast()


def test_the_default_cost_is_the_default_round_trip() -> None:
    from finbot.config.models import Costs
    from finbot.prediction.decision import resolve_spread, round_trip_cost

    costs = Costs()
    assert round_trip_cost(costs, resolve_spread(costs)).fraction == pytest.approx(DEFAULT_COST)
