"""Threshold arithmetic: volatility scaling, the cost floor, and one unit (fractions)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from finbot.config.models import DecisionThresholds, Thresholds
from finbot.prediction.decision import threshold_policy as tp

pytestmark = pytest.mark.unit
DEFAULT = Thresholds()  # buy/sell 0.30 %, reference hourly vol 1 %, scaling on


@pytest.mark.parametrize(
    ("thresholds", "cost", "vol", "buy", "scale"),
    [
        (DEFAULT, 0.001, None, 0.003, 1.0),  # unknown vol: base threshold
        (DEFAULT, 0.001, 0.02, 0.006, 2.0),  # twice the reference vol: twice the hurdle
        (DEFAULT, 0.001, 0.10, 0.009, 3.0),  # capped at 3x
        (DEFAULT, 0.001, 0.002, 0.0015, 0.5),  # floored at 0.5x
        (DEFAULT, 0.0055, 0.002, 0.0055, 0.5),  # never below the round-trip cost
        (
            Thresholds(decision=DecisionThresholds(volatility_scaling=False)),
            0.001,
            0.05,
            0.003,
            1.0,
        ),
        (
            Thresholds(decision=DecisionThresholds(buy_return_pct=1.0, sell_return_pct=0.5)),
            0.0,
            None,
            0.01,
            1.0,
        ),
    ],
)
def test_horizon_thresholds(
    thresholds: Thresholds, cost: float, vol: float | None, buy: float, scale: float
) -> None:
    out = tp.horizon_thresholds(thresholds, "1h", cost, vol)
    assert out.buy_frac == pytest.approx(buy)
    assert out.vol_scale == pytest.approx(scale)
    assert out.buy_frac >= cost and out.sell_frac >= cost
    expected_sell = max(thresholds.decision.sell_return_pct / 100 * scale, cost)
    assert out.sell_frac == pytest.approx(expected_sell)


@pytest.mark.parametrize(
    ("horizon", "expected"),
    [
        ("10m", 0.02),
        ("5m", 0.02),
        ("6h", 0.05),
        ("24h", 0.08),
        ("1d", 0.08),
        ("3h", 0.02 + 0.03 * (10800 - 600) / (21600 - 600)),
        ("12h", 0.05 + 0.03 * (43200 - 21600) / (86400 - 21600)),
        ("48h", 0.08),
    ],
)
def test_max_error_is_a_fraction(horizon: str, expected: float) -> None:
    assert tp.max_error_frac(DEFAULT, horizon) == pytest.approx(expected)


def test_max_error_cap() -> None:
    t = Thresholds(max_expected_error_pct={"1h": 5.0, "1d": 30.0}, max_expected_error_cap_pct=10.0)
    assert tp.max_error_frac(t, "2d") == pytest.approx(0.10)


@pytest.mark.parametrize(
    ("error_frac", "horizon", "too_large"),
    [
        (0.015, "10m", False),
        (0.025, "10m", True),  # the original compared 2.5 (percent) with 0.02 or 0.025 with 2
        (0.049, "6h", False),
        (0.051, "6h", True),
    ],
)
def test_error_comparison_in_one_unit(error_frac: float, horizon: str, too_large: bool) -> None:
    assert tp.error_too_large(DEFAULT, horizon, error_frac) is too_large


@pytest.mark.parametrize(
    ("timeframe", "factor"), [("1h", 1.0), ("5m", math.sqrt(12)), ("1d", math.sqrt(1 / 24))]
)
def test_realised_vol_hourly(timeframe: str, factor: float) -> None:
    returns = np.tile([0.01, -0.01], 30)
    closes = 100 * np.exp(np.concatenate([[0.0], np.cumsum(returns)]))
    got = tp.realised_vol_hourly(closes, timeframe, window=48)
    sample_std = float(np.std(returns[-48:], ddof=1))
    assert got == pytest.approx(sample_std * factor)


def test_realised_vol_needs_data() -> None:
    assert tp.realised_vol_hourly([100.0, 101.0], "1h") is None
    assert tp.realised_vol_hourly([100.0, np.nan, -1.0, 101.0], "1h") is None


def test_negative_cost_rejected() -> None:
    with pytest.raises(ValueError, match="cost"):
        tp.horizon_thresholds(DEFAULT, "1h", -0.001)
