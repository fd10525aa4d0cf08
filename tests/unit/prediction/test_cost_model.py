"""Round-trip costs on hand-computed cases, including the original's unit and 1-EUR defects."""

from __future__ import annotations

import pytest

from finbot.config.models import Costs
from finbot.prediction.decision import cost_model as cm

pytestmark = pytest.mark.unit
DEFAULT = Costs()  # fee 1 EUR/order, margin 0.2 %, slippage 0.05 %, impact 0.1, order 1000 EUR


@pytest.mark.parametrize(
    ("costs", "spread_pct", "order", "volume", "fx", "expected_total", "expected_frac"),
    [
        # 2 x 1 EUR + (0.05 + 0.2) % x 1000 + 2 x 0.05 % x 1000 = 2 + 2.5 + 1 = 5.5
        (DEFAULT, 0.05, 1000.0, None, None, 5.5, 0.0055),
        # default order size (1000 EUR), not 1 EUR
        (DEFAULT, 0.05, None, None, None, 5.5, 0.0055),
        # 100 EUR: 2 + 0.25 + 0.1 = 2.35
        (DEFAULT, 0.05, 100.0, None, None, 2.35, 0.0235),
        # taker fee 0.1 %: + 2 x 1 EUR
        (Costs(taker_fee_pct=0.1), 0.05, 1000.0, None, None, 7.5, 0.0075),
        # impact: 1000 EUR / 0.9 = 1111.1 USD on a 1,111,111 USD bar -> 0.1 x 0.001 per leg
        (DEFAULT, 0.05, 1000.0, 1_111_111.11, 0.9, 5.7, 0.0057),
        # no fixed fee, no margin: spread 0.1 % + slippage 0.1 %
        (Costs(fee_per_order_eur=0.0, spread_margin_pct=0.0), 0.1, 500.0, None, None, 1.0, 0.002),
    ],
)
def test_round_trip_hand_cases(
    costs: Costs,
    spread_pct: float,
    order: float | None,
    volume: float | None,
    fx: float | None,
    expected_total: float,
    expected_frac: float,
) -> None:
    spread = cm.spread_from_tickers_pct(costs, spread_pct)
    out = cm.round_trip_cost(costs, spread, order, bar_volume_usd=volume, eur_per_usd=fx)
    assert out.total_eur == pytest.approx(expected_total, rel=1e-3)
    assert out.fraction == pytest.approx(expected_frac, rel=1e-3)
    assert out.total_eur == pytest.approx(
        out.fixed_fee_eur + out.pct_fee_eur + out.spread_eur + out.slippage_eur
    )
    assert out.as_dict()["spread_source"] == "tickers"


def test_tickers_spread_is_a_percentage_read_once() -> None:
    """The original read a 0.05 % spread as 0.05 (5 %): 100x too large."""
    quote = cm.spread_from_tickers_pct(DEFAULT, 0.05)
    assert quote.fraction == pytest.approx(0.0025)  # (0.05 % + 0.2 % margin) / 100
    assert quote.fraction < 0.01


def test_default_order_is_not_one_euro() -> None:
    """At 1 EUR the 2 EUR of fixed fees are 200 %: every answer became 'no call'."""
    spread = cm.default_spread(DEFAULT, "test")
    default = cm.round_trip_cost(DEFAULT, spread)
    one_euro = cm.round_trip_cost(DEFAULT, spread, 1.0)
    assert default.order_eur == DEFAULT.default_order_eur == 1000.0
    assert default.fraction < 0.01
    assert one_euro.fraction > 2.0


def test_impact_is_capped_and_grows_with_size() -> None:
    spread = cm.default_spread(DEFAULT, "")
    small = cm.round_trip_cost(DEFAULT, spread, 1000, bar_volume_usd=1e6)
    big = cm.round_trip_cost(DEFAULT, spread, 100_000, bar_volume_usd=1e6)
    huge = cm.round_trip_cost(DEFAULT, spread, 1e9, bar_volume_usd=1e6)
    assert small.slippage_frac < big.slippage_frac
    assert huge.slippage_frac == pytest.approx(2 * (0.0005 + cm.MAX_IMPACT_FRAC))


@pytest.mark.parametrize(("order", "maker"), [(0.0, False), (-5.0, True)])
def test_bad_order_size(order: float, maker: bool) -> None:
    with pytest.raises(ValueError, match="order"):
        cm.round_trip_cost(DEFAULT, cm.default_spread(DEFAULT, ""), order, maker=maker)


def test_maker_fee_used_for_limit_orders() -> None:
    costs = Costs(maker_fee_pct=0.02, taker_fee_pct=0.1)
    spread = cm.default_spread(costs, "")
    assert cm.round_trip_cost(costs, spread, 1000, maker=True).pct_fee_eur == pytest.approx(0.4)
    assert cm.round_trip_cost(costs, spread, 1000).pct_fee_eur == pytest.approx(2.0)


def _boom() -> float:
    raise FileNotFoundError("no tickers dataset")


@pytest.mark.parametrize(
    ("tickers", "proxy", "source", "fraction", "reason_part"),
    [
        (lambda: 0.05, lambda: 0.003, "tickers", 0.0025, ""),
        (lambda: None, lambda: 0.003, "ohlc_proxy", 0.005, "no tickers data"),
        (_boom, lambda: 0.001, "ohlc_proxy", 0.003, "tickers unavailable"),
        (None, None, "default", 0.001, "no tickers source"),
        (lambda: None, lambda: None, "default", 0.001, "no ohlc proxy data"),
    ],
)
def test_spread_fallback_chain(tickers, proxy, source, fraction, reason_part) -> None:  # type: ignore[no-untyped-def]
    quote = cm.resolve_spread(DEFAULT, tickers_pct=tickers, proxy_frac=proxy)
    assert quote.source == source
    assert quote.fraction == pytest.approx(fraction)
    assert reason_part in quote.reason


@pytest.mark.parametrize("bad", [-0.1])
def test_negative_spreads_rejected(bad: float) -> None:
    with pytest.raises(ValueError):
        cm.spread_from_tickers_pct(DEFAULT, bad)
    with pytest.raises(ValueError):
        cm.spread_from_proxy_frac(DEFAULT, bad)
