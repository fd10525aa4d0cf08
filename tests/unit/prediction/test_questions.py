"""The four user questions on fake sources: price, amount vs target, when, best."""

from __future__ import annotations

import math
from pathlib import Path
from statistics import NormalDist

import numpy as np
import polars as pl
import pytest

from finbot.config import Settings
from finbot.errors import UsageError
from finbot.prediction import questions as q
from finbot.prediction.decision.cost_model import SpreadQuote
from finbot.prediction.models import StoredModel
from finbot.prediction.pipeline import Prediction
from finbot.prediction.volatility import Calibration, Skill, VolatilityForecast
from finbot.prediction.volatility.outputs import Maps
from finbot.timeframes import HOUR_MS, duration_ms

pytestmark = pytest.mark.unit
# The questions read the model's calibration through ``Sources.calibration``, never through
# the stored version itself: a version without files on disk is enough.
NO_FILES = StoredModel(
    meta={"version": "v1", "algorithm": "lightgbm"}, folder=Path(), predictor=None
)


def calibration(rng: np.random.Generator, scale: float = 0.002) -> pl.DataFrame:
    y = rng.normal(0, scale, 400)
    return pl.DataFrame(
        {"ts": np.arange(400, dtype=np.int64) * 3_600_000, "y_true": y, "y_pred": np.zeros(400)}
    )


IDENTITY = Calibration(0.0, 1.0)
SKILLED = Skill(0.8, 1.0, 0.8, 0.9, 0.01, 0.95)  # variance, touch, direction; not the interval
UNSKILLED = Skill(1.1, 1.1, 0.8, 1.1, 0.2, 1.1)


def hourly_sigma(horizon: str) -> float:
    """1 % an hour, growing as the square root of time."""
    return 0.01 * math.sqrt(duration_ms(horizon) / HOUR_MS)


def fake_volatility(horizon: str, skill: Skill = SKILLED) -> q.VolView:
    """A volatility forecast with uncalibrated (identity) maps and the given skill."""
    sigma = hourly_sigma(horizon)
    maps = Maps(1.28, 1.28 * sigma, IDENTITY, IDENTITY, IDENTITY, IDENTITY)
    forecast = VolatilityForecast(
        ts=1_700_000_000_000,
        close=50_000.0,
        horizon=horizon,
        model="har",
        variance=sigma**2,
        level=0.8,
        interval_kind="constant",
        interval=(50_000 * math.exp(-1.28 * sigma), 50_000 * math.exp(1.28 * sigma)),
        p_up=None,
        p_down=None,
        cost=0.0035,
        skill=skill,
        maps=maps,
    )
    return q.VolView(forecast)


def sources(
    rng: np.random.Generator,
    returns: dict[tuple[str, str], float],
    *,
    ratio: float = 0.9,
    edge: bool = True,
    with_calibration: bool = True,
    fx: float | None = 0.9,
    skill: Skill = SKILLED,
) -> q.Sources:
    cal = calibration(rng)

    def predict(coin: str, horizon: str) -> Prediction:
        r = returns.get((coin, horizon), 0.0)
        return Prediction(
            coin,
            horizon,
            1_700_000_000_000,
            50_000.0,
            r,
            50_000 * math.exp(r),
            "lightgbm",
            "v1",
            "1h",
            ratio,
            edge,
            stored=NO_FILES,
        )

    return q.Sources(
        predict=predict,
        calibration=lambda p: cal if with_calibration else None,
        bars=lambda coin, tf: None,
        spread=lambda coin, bars: SpreadQuote(0.0005, "tickers"),
        eur_per_usd=lambda: (fx, "test" if fx else "no FX rate"),
        volatility=lambda coin, h: fake_volatility(h, skill),
    )


def test_price_answer_has_the_design_keys(settings: Settings, rng) -> None:  # type: ignore[no-untyped-def]
    src = sources(rng, {("bitcoin", "1h"): math.log(1.005)})
    a = q.assess(settings, src, "bitcoin", "1h")
    data = q.price_json(a)
    assert set(q.PRICE_JSON_KEYS) <= data.keys()
    assert data["change_pct"] == pytest.approx(0.5)
    assert data["interval"]["low"] < data["predicted_price"] < data["interval"]["high"]
    assert data["interval"]["level"] == 0.8 and data["interval"]["method"] == "split conformal"
    # 80 % conformal quantile of |N(0, 0.002)| ~ 1.28 * 0.002
    width = math.log(data["interval"]["high"] / data["predicted_price"])
    assert width == pytest.approx(1.2816 * 0.002, rel=0.2)
    # the confidence is P(the stated move, up beyond costs): N(0.5 %, 1 %) above 0.35 %
    assert data["probability"]["outcome"] == "up"
    p_up = 1 - NormalDist(math.log(1.005), 0.01).cdf(0.0035)
    assert data["p_up"] == pytest.approx(p_up) and data["confidence"] == round(100 * p_up, 1)
    assert data["volatility"] == pytest.approx(0.01) and data["volatility_model"] == "har"
    assert data["expected_error"] == pytest.approx(0.0016, rel=0.25)
    # costs: 2 EUR + 0.05 % spread + 0.1 % slippage on 1000 EUR = 0.35 %
    assert data["cost_fraction"] == pytest.approx(0.0035)
    assert data["expected_net_return"] == pytest.approx(0.005 - 0.0035)


def test_no_edge_answer_is_hold_with_reason(settings: Settings, rng) -> None:  # type: ignore[no-untyped-def]
    src = sources(rng, {("bitcoin", "1h"): math.log(1.05)}, ratio=1.01, edge=False)
    data = q.price_json(q.assess(settings, src, "bitcoin", "1h"))
    assert data["decision"] == "HOLD" and "naive" in data["reasons"][0]


def test_fallback_interval_without_calibration(settings: Settings, rng) -> None:  # type: ignore[no-untyped-def]
    src = sources(rng, {}, with_calibration=False)
    a = q.assess(settings, src, "bitcoin", "1h")
    assert math.isinf(a.high_return) and a.interval_method.startswith("none")
    closes = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, 100)))
    bars = pl.DataFrame(
        {
            "ts": np.arange(100, dtype=np.int64) * 3_600_000,
            "close": closes,
            "volume": np.full(100, 1e6),
        }
    )
    src2 = q.Sources(src.predict, src.calibration, lambda c, t: bars, src.spread, src.eur_per_usd)
    a2 = q.assess(settings, src2, "bitcoin", "6h")
    assert a2.interval_method.startswith("gaussian")
    assert 0.01 < a2.high_return < 0.1  # ~1.28 * 1 % * sqrt(6)


@pytest.mark.parametrize(
    ("ret", "amount_eur", "meets"),
    [
        (math.log(1.10), 1000.0, True),  # +100 EUR gross - 3.5 EUR costs >= 50 EUR target at 6h
        (math.log(1.01), 1000.0, False),  # +10 EUR - 3.5 EUR < 50 EUR
    ],
)
def test_amount_against_target(
    settings: Settings, rng, ret: float, amount_eur: float, meets: bool
) -> None:  # type: ignore[no-untyped-def]
    src = sources(rng, {("bitcoin", "6h"): ret})
    ans = q.amount(settings, src, "bitcoin", "6h", amount_eur)
    data = ans.to_json()
    assert data["value_eur"] == pytest.approx(amount_eur * math.exp(ret))
    assert data["costs_eur"] == pytest.approx(3.5)
    assert data["net_profit_eur"] == pytest.approx(data["value_eur"] - amount_eur - 3.5)
    assert data["target_eur"] == 50.0 and data["meets_target"] is meets
    assert ("below the target" in data["reasons"][-1]) is (not meets)
    assert data["eur_per_usd"] == 0.9


def test_amount_default_order_pins_the_one_euro_defect(settings: Settings, rng) -> None:  # type: ignore[no-untyped-def]
    src = sources(rng, {})
    a = q.assess(settings, src, "bitcoin", "1h")
    assert a.costs.order_eur == 1000.0 and a.costs.fraction < 0.01
    with pytest.raises(UsageError, match="amount"):
        q.amount(settings, src, "bitcoin", "1h", 0.0)


def test_amount_without_target(settings: Settings, rng) -> None:  # type: ignore[no-untyped-def]
    src = sources(rng, {}, fx=None)
    ans = q.amount(settings, src, "unknown-coin", "1h", 100.0)
    assert ans.target_eur is None and ans.meets_target is None and ans.reasons == ()


def test_when_answers_a_touch_probability_per_horizon(settings: Settings, rng) -> None:  # type: ignore[no-untyped-def]
    ans = q.when(settings, sources(rng, {}), "bitcoin", 2.0)
    data = ans.to_json()
    probs = data["probabilities"]
    assert list(probs) == ["10m", "1h", "6h", "8h", "12h"] and data["level"] == 0.5
    assert set(data["sources"].values()) == {"volatility model"}
    # the barrier formula 2 (1 - Phi(ln 1.02 / sigma)), sigma = 1 % sqrt(hours), floored at 0.1 %
    barrier = {h: 2 * (1 - NormalDist().cdf(math.log(1.02) / hourly_sigma(h))) for h in probs}
    expected = {h: max(p, 1e-3) for h, p in barrier.items()}
    assert probs == pytest.approx(expected)
    values = [probs[h] for h in probs]
    assert values == sorted(values) and all(0 <= p <= 1 for p in values)
    assert data["horizon"] == "12h" and data["confidence"] == round(100 * probs["12h"], 1)
    harder = q.when(settings, sources(rng, {}), "bitcoin", 4.0).to_json()
    assert all(harder["probabilities"][h] <= probs[h] for h in probs)
    assert harder["probabilities"]["12h"] < probs["12h"]
    assert harder["horizon"] is None and harder["within"] == "12h"
    assert len(harder["scan"]) == 5 and harder["confidence"] is None


def test_best_ranks_by_net_return_per_hour(settings: Settings, rng) -> None:  # type: ignore[no-untyped-def]
    rets = {
        ("bitcoin", "1h"): math.log(1.01),
        ("ethereum", "1h"): math.log(1.02),
        ("solana", "12h"): math.log(1.05),
        ("ripple", "1h"): math.log(1.001),
        ("cardano", "1h"): math.log(1.002),
        ("dogecoin", "1h"): math.log(0.98),
        ("bitcoin", "6h"): math.log(0.99),
    }
    src = sources(rng, rets)
    assessments = [q.assess(settings, src, c, h) for c, h in rets]
    out = q.best(assessments)
    assert [(r["coin"], r["horizon"]) for r in out["buys"]] == [
        ("ethereum", "1h"),
        ("bitcoin", "1h"),
        ("solana", "12h"),
    ]
    assert [r["coin"] for r in out["sells"]] == ["dogecoin", "bitcoin"]
    assert out["buys"][0]["decision"] == "BUY"
    assert out["buys"][0]["expected_net_return_per_hour"] == pytest.approx(0.02 - 0.0035)


def test_coin_decision_combines_horizons(settings: Settings, rng) -> None:  # type: ignore[no-untyped-def]
    rets = {("bitcoin", h): math.log(1.02) for h in settings.general.horizons}
    src = sources(rng, rets)
    assessed = [q.assess(settings, src, "bitcoin", h) for h in settings.general.horizons]
    decision = q.coin_decision(settings, "bitcoin", assessed)
    assert decision.action == "BUY" and decision.position_fraction > 0
    no_edge = sources(rng, rets, ratio=1.1, edge=False)
    assessed = [q.assess(settings, no_edge, "bitcoin", h) for h in settings.general.horizons]
    assert q.coin_decision(settings, "bitcoin", assessed).action == "HOLD"


def test_no_probability_skill_is_hold_with_reason_and_null_probabilities(
    settings: Settings, rng
) -> None:  # type: ignore[no-untyped-def]
    src = sources(rng, {("bitcoin", "1h"): math.log(1.02)}, skill=UNSKILLED)
    data = q.price_json(q.assess(settings, src, "bitcoin", "1h"))
    assert data["p_up"] is None and data["p_down"] is None
    assert "no measured skill" in data["probability"]["reason"]
    assert data["decision"] == "HOLD"
    assert data["reasons"] == [
        "1h: no measured skill for the probability of clearing the costs: HOLD"
    ]
    # no bars: no base rate either, so nothing measures the stated outcome
    assert data["probability"]["source"] == "none" and data["confidence"] == 0.0
