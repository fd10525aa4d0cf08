"""Round-trip cost of a trade (buy now, sell at the horizon) for an order of X EUR.

Components, every percentage from ``costs.json`` converted to a fraction exactly once here:

* fixed fee: ``fee_per_order_eur`` on each leg (2 orders);
* percentage fee: ``taker_fee_pct`` (or ``maker_fee_pct`` for limit orders) on each leg;
* spread: the full bid/ask spread is crossed once over a round trip (half on entry, half on
  exit). Source, in order: the median spread of whitelisted exchanges from the stored tickers
  (a PERCENT, divided by 100 here) plus ``spread_margin_pct``; else the OHLC spread proxy
  (Corwin–Schultz / Abdi–Ranaldo, already a fraction) plus the margin; else
  ``default_spread_pct``. The source and the reason for a fallback are reported;
* slippage: ``slippage_pct`` per leg plus a market-impact term ``slippage_volume_impact *
  order_usd / bar_volume_usd`` per leg (capped at 5 %) when the bar volume is known.

The order size defaults to ``default_order_eur`` (the original bot priced a 1 EUR order, where
the fixed fee alone is 200 %, so every answer was "no call").
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass

from finbot.config.models import Costs

log = logging.getLogger(__name__)

MAX_IMPACT_FRAC = 0.05


@dataclass(frozen=True)
class SpreadQuote:
    """The spread to pay, as a fraction of price, and where it came from."""

    fraction: float
    source: str  # "tickers" | "ohlc_proxy" | "default"
    reason: str = ""


@dataclass(frozen=True)
class CostBreakdown:
    """Round-trip cost of one order, in EUR and as a fraction of the order."""

    order_eur: float
    fixed_fee_eur: float
    pct_fee_eur: float
    spread_eur: float
    slippage_eur: float
    total_eur: float
    fraction: float
    spread_frac: float
    slippage_frac: float
    spread_source: str
    spread_reason: str

    def as_dict(self) -> dict[str, float | str]:
        return asdict(self)


def spread_from_tickers_pct(costs: Costs, median_spread_pct: float) -> SpreadQuote:
    """Tickers' median spread (PERCENT) + margin (percent) → one fraction."""
    if median_spread_pct < 0:
        raise ValueError(f"median spread: expected a percentage >= 0, got {median_spread_pct}")
    return SpreadQuote((median_spread_pct + costs.spread_margin_pct) / 100.0, "tickers")


def spread_from_proxy_frac(costs: Costs, proxy_frac: float, reason: str = "") -> SpreadQuote:
    """OHLC proxy spread (already a FRACTION) + margin (percent → fraction)."""
    if proxy_frac < 0:
        raise ValueError(f"proxy spread: expected a fraction >= 0, got {proxy_frac}")
    return SpreadQuote(proxy_frac + costs.spread_margin_pct / 100.0, "ohlc_proxy", reason)


def default_spread(costs: Costs, reason: str) -> SpreadQuote:
    return SpreadQuote(costs.default_spread_pct / 100.0, "default", reason)


def resolve_spread(
    costs: Costs,
    *,
    tickers_pct: Callable[[], float | None] | None = None,
    proxy_frac: Callable[[], float | None] | None = None,
) -> SpreadQuote:
    """First available of tickers → OHLC proxy → default; each failure becomes the reason."""
    reasons: list[str] = []
    for name, getter in (("tickers", tickers_pct), ("ohlc proxy", proxy_frac)):
        if getter is None:
            reasons.append(f"no {name} source")
            continue
        try:
            value = getter()
        except Exception as exc:  # a missing collector/store must not break a prediction
            log.debug("spread source %s failed: %s", name, exc)
            reasons.append(f"{name} unavailable ({type(exc).__name__}: {exc})")
            continue
        if value is None:
            reasons.append(f"no {name} data")
        elif name == "tickers":
            return spread_from_tickers_pct(costs, value)
        else:
            return spread_from_proxy_frac(costs, value, "; ".join(reasons))
    return default_spread(costs, "; ".join(reasons))


def _impact_frac(costs: Costs, order_usd: float, bar_volume_usd: float | None) -> float:
    if not bar_volume_usd or bar_volume_usd <= 0:
        return 0.0
    return min(costs.slippage_volume_impact * order_usd / bar_volume_usd, MAX_IMPACT_FRAC)


def round_trip_cost(
    costs: Costs,
    spread: SpreadQuote,
    order_eur: float | None = None,
    *,
    bar_volume_usd: float | None = None,
    eur_per_usd: float | None = None,
    maker: bool = False,
) -> CostBreakdown:
    """Cost of buying ``order_eur`` now and selling it back later (both legs)."""
    order = costs.default_order_eur if order_eur is None else float(order_eur)
    if order <= 0:
        raise ValueError(f"order: expected an amount > 0 EUR, got {order}")
    fee_pct = (costs.maker_fee_pct if maker else costs.taker_fee_pct) / 100.0
    order_usd = order / eur_per_usd if eur_per_usd else order
    slip_frac = 2.0 * (costs.slippage_pct / 100.0 + _impact_frac(costs, order_usd, bar_volume_usd))
    fixed = 2.0 * costs.fee_per_order_eur
    pct_fee = 2.0 * fee_pct * order
    spread_eur = spread.fraction * order
    slippage = slip_frac * order
    total = fixed + pct_fee + spread_eur + slippage
    return CostBreakdown(
        order_eur=order,
        fixed_fee_eur=fixed,
        pct_fee_eur=pct_fee,
        spread_eur=spread_eur,
        slippage_eur=slippage,
        total_eur=total,
        fraction=total / order,
        spread_frac=spread.fraction,
        slippage_frac=slip_frac,
        spread_source=spread.source,
        spread_reason=spread.reason,
    )
