"""The confidence is calibrated: on a long simulated GARCH series (a known distribution), the
answers' probabilities of their stated outcome, scored on bars after the fit, happen about as
often as they say; and the live gates and bounds of ``questions.outcome``."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from finbot.prediction.questions.outcome import (
    outcomes,
    stated_outcome,
    threshold_probability,
    touch_base_rate,
)
from finbot.prediction.tracking.reliability import reliability, stated_hit
from finbot.prediction.volatility import VolatilityConfig, fit_volatility, forecast_volatility
from tests.unit.prediction.volatility.simulate import garch_bars, random_walk_bars

pytestmark = pytest.mark.unit
COST = 0.004
FIT, TEST = 5000, 2500


@pytest.fixture(scope="module")
def scored() -> dict[str, list[tuple[float, bool]]]:
    """(probability, happened) of each stated outcome, on the bars after the fit."""
    bars = garch_bars(FIT + TEST + 1, seed=5)
    fitted = fit_volatility(bars.head(FIT), "1h", "1h", VolatilityConfig(cost=COST)).fitted
    close = bars["close"].to_numpy()
    out: dict[str, list[tuple[float, bool]]] = {"up": [], "down": [], "flat": []}
    for t in range(FIT, FIT + TEST):
        recent = bars.slice(t - 400, 401)
        vf = forecast_volatility(fitted, recent)
        odds = outcomes(vf, "", recent, 1, 0.0, COST)
        assert odds.p_up is not None and odds.p_down is not None, odds.reason
        assert 0 <= odds.p_up <= 1 and 0 <= odds.p_down <= 1 and odds.p_up + odds.p_down <= 1
        realised = math.log(close[t + 1] / close[t])
        for outcome in out:
            p = odds.stated(outcome)
            assert p is not None
            out[outcome].append((p, bool(stated_hit(outcome, COST, realised))))
    return out


@pytest.mark.parametrize("outcome", ["up", "down", "flat"])
def test_confidence_of_each_outcome_is_calibrated(
    scored: dict[str, list[tuple[float, bool]]], outcome: str
) -> None:
    table = reliability(scored[outcome])
    assert table["n"] == TEST
    assert table["gap"] is not None and table["gap"] <= 0.05, table
    # and not by always saying the base rate: the probabilities spread over several bins
    assert len([b for b in table["bins"] if b["n"] >= 50]) >= 3


def test_stated_outcome_and_its_hit() -> None:
    assert stated_outcome(0.01, True) == "up" and stated_outcome(-0.01, True) == "down"
    assert stated_outcome(0.01, False) == "flat" and stated_outcome(0.0, True) == "flat"
    assert stated_hit("up", 0.004, 0.005) and not stated_hit("up", 0.004, 0.003)
    assert stated_hit("down", 0.004, -0.005) and stated_hit("flat", 0.004, -0.003)
    assert stated_hit(None, None, 0.1) is None


def test_without_a_forecast_the_base_rates_say_why_and_carry_the_confidence() -> None:
    bars = random_walk_bars(600, seed=3, sigma=0.01)
    odds = outcomes(None, "no volatility model yet", bars, 1, 0.0, COST)
    assert odds.p_up is None and odds.p_down is None and odds.source == "base rate"
    assert "no volatility model yet" in odds.reason
    # N(0, 1 %): P(r > 0.4 %) = 1 - Phi(0.4) ~ 0.345, on 599 one-bar returns
    assert odds.base_up == pytest.approx(0.345, abs=0.06)
    assert odds.stated("flat") == pytest.approx(1 - odds.base_up - odds.base_down)
    nothing = outcomes(None, "none", None, 1, 0.0, COST)
    assert nothing.source == "none" and nothing.stated("flat") is None


def test_base_rates_of_a_touch_and_a_threshold_fall_with_the_move() -> None:
    bars = random_walk_bars(2000, seed=4, sigma=0.01)
    touches = [touch_base_rate(bars, 6, m) for m in (0.01, 0.02, 0.04)]
    assert all(t is not None for t in touches)
    assert touches[0] > touches[1] > touches[2]  # type: ignore[operator]
    longer = touch_base_rate(bars, 12, 0.02)
    assert longer is not None and longer > touches[1]  # type: ignore[operator]
    p, source = threshold_probability(None, bars, 6, 0.0, 0.02)
    assert source == "base rate" and p is not None and p < 0.5
    assert touch_base_rate(pl.DataFrame({"close": [1.0], "high": [1.0]}), 6, 0.01) is None
    assert np.isfinite(p)
