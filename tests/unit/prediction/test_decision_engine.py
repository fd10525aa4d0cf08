"""Decision rules: no edge means HOLD, always; hurdles; agreement; position size."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finbot.config.models import Thresholds
from finbot.prediction.decision import decision_engine as de
from finbot.prediction.decision.threshold_policy import horizon_thresholds

pytestmark = pytest.mark.unit
WEIGHTS = {"10m": 0.1, "1h": 0.25, "6h": 0.25, "8h": 0.2, "12h": 0.2}


def signal(
    horizon: str = "1h",
    ret: float = 0.01,
    conf: float = 70.0,
    ratio: float | None = 0.9,
    edge: bool = True,
    error: float | None = 0.005,
    cost: float = 0.0055,
    skill: bool = True,
) -> de.HorizonSignal:
    th = horizon_thresholds(Thresholds(), horizon, cost, None)
    return de.HorizonSignal(
        horizon,
        math.log1p(ret),
        math.log1p(ret) - 0.01,
        math.log1p(ret) + 0.01,
        conf,
        ratio,
        edge,
        error,
        th,
        skill,
    )


@pytest.mark.parametrize(
    ("sig", "action", "code"),
    [
        (signal(ret=0.01), "BUY", "clears_hurdle"),
        (signal(ret=-0.01), "SELL", "clears_hurdle"),
        (signal(ret=0.004), "HOLD", "below_hurdle"),  # 0.4 % < 0.55 % costs
        (signal(ret=0.05, ratio=1.02), "HOLD", "no_edge"),
        (signal(ret=0.05, edge=False), "HOLD", "no_edge"),
        (signal(ret=0.05, ratio=None), "HOLD", "no_edge"),
        (signal(ret=0.05, ratio=float("nan")), "HOLD", "no_edge"),
        (signal(horizon="10m", ret=0.05, error=0.025), "HOLD", "error_too_large"),  # > 2 %
        (signal(ret=0.05, conf=30.0), "HOLD", "low_confidence"),
        (signal(ret=0.05, conf=90.0, skill=False), "HOLD", "no_probability_skill"),
        (signal(ret=0.05, ratio=1.1, skill=False), "HOLD", "no_edge"),  # no edge comes first
    ],
)
def test_horizon_rules(sig: de.HorizonSignal, action: str, code: str) -> None:
    out = de.decide_horizon(sig, min_confidence=50)
    assert out.action == action
    assert out.reasons[0].code == code
    assert out.expected_net_return == pytest.approx(abs(math.expm1(sig.predicted_return)) - 0.0055)
    assert out.reasons[0].text("en") and out.reasons[0].text("fr")


@settings(max_examples=200, deadline=None)
@given(
    ret=st.floats(-0.5, 0.5),
    conf=st.floats(0, 100),
    ratio=st.one_of(st.none(), st.floats(1.0, 5.0)),
    edge=st.booleans(),
    n=st.integers(1, 5),
)
def test_no_edge_always_holds(
    ret: float, conf: float, ratio: float | None, edge: bool, n: int
) -> None:
    """Whatever the predicted move and confidence: no edge over naive → HOLD with that reason."""
    sigs = [signal(h, ret=ret, conf=conf, ratio=ratio, edge=edge) for h in list(WEIGHTS)[:n]]
    out = de.decide("bitcoin", sigs, weights=WEIGHTS, min_confidence=0, reference_vol=0.01)
    assert out.action == "HOLD"
    assert out.reasons[0].code == "no_edge_any"
    assert all(h.action == "HOLD" and h.reasons[0].code == "no_edge" for h in out.horizons)
    assert out.position_fraction == 0.0


def test_edge_false_even_with_good_ratio_holds() -> None:
    out = de.decide(
        "bitcoin",
        [signal(ret=0.2, ratio=0.5, edge=False)],
        weights=WEIGHTS,
        min_confidence=0,
        reference_vol=0.01,
    )
    assert out.action == "HOLD" and "naive" in out.reason_texts()[0]


@pytest.mark.parametrize(
    ("rets", "action"),
    [
        ({"1h": 0.01, "6h": 0.02, "8h": 0.02}, "BUY"),  # all agree
        ({"1h": -0.01, "6h": -0.02, "8h": -0.02}, "SELL"),
        ({"1h": 0.01, "6h": -0.02, "8h": 0.001}, "HOLD"),  # disagree
        ({"10m": 0.02, "1h": 0.001, "6h": 0.001}, "HOLD"),  # only 10m (weight 0.1/0.6)
        ({"1h": 0.01, "6h": 0.01, "8h": 0.001}, "BUY"),  # 0.5/0.7 = 0.71 >= 0.5
    ],
)
def test_horizon_agreement(rets: dict[str, float], action: str) -> None:
    sigs = [signal(h, ret=r) for h, r in rets.items()]
    out = de.decide("bitcoin", sigs, weights=WEIGHTS, min_confidence=50, reference_vol=0.01)
    assert out.action == action
    assert out.reasons[0].code == ("disagree" if action == "HOLD" else "agree")
    assert len(out.horizons) == len(rets)
    if action == "BUY":
        w = {h: WEIGHTS[h] / sum(WEIGHTS[k] for k in rets) for h in rets}
        expected = sum(w[h] * (r - 0.0055) for h, r in rets.items())
        assert out.expected_net_return == pytest.approx(expected)
        assert out.position_fraction > 0


def test_unweighted_horizons_share_equally() -> None:
    sigs = [signal("2h", ret=0.01), signal("3h", ret=0.01)]
    out = de.decide("bitcoin", sigs, weights={}, min_confidence=50, reference_vol=0.01)
    assert out.action == "BUY" and out.vote == pytest.approx(1.0)


def test_no_signal_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one"):
        de.decide("bitcoin", [], weights=WEIGHTS, min_confidence=50, reference_vol=0.01)


@pytest.mark.parametrize(
    ("action", "conf", "vol", "expected"),
    [
        ("HOLD", 90, 0.01, 0.0),
        ("BUY", 50, 0.01, 0.10),
        ("BUY", 50, None, 0.10),
        ("SELL", 75, 0.01, 0.15),
        ("BUY", 100, 0.005, 0.25),  # capped
        ("BUY", 50, 0.02, 0.05),  # twice the reference volatility: half the size
        ("BUY", 50, 1.0, 0.025),  # vol factor floored at 0.25
    ],
)
def test_position_size(action: str, conf: float, vol: float | None, expected: float) -> None:
    assert de.position_fraction(action, conf, vol, 0.01) == pytest.approx(expected)


def test_json_and_texts() -> None:
    out = de.decide(
        "bitcoin",
        [signal(ret=0.01)],
        weights=WEIGHTS,
        min_confidence=50,
        reference_vol=0.01,
        realised_vol=0.01,
    )
    data = out.to_json()
    assert data["action"] == "BUY" and isinstance(data["reasons"][0], str)
    assert data["horizons"][0]["reasons"][0].startswith("1h")
    assert "capital" in data["risk"]["note"] and "capital" in out.risk_note("fr")
    hold = de.decide(
        "bitcoin", [signal(ret=0.001)], weights=WEIGHTS, min_confidence=50, reference_vol=0.01
    )
    assert "aucune" in hold.risk_note("fr") and "no position" in hold.risk_note()
    assert de.pct(0.005) == "+0.50 %" and de.pct(0.005, False) == "0.50 %"
