"""BUY/SELL return thresholds and the maximum acceptable expected error, per horizon.

Units: ``thresholds.json`` writes percentages (``buy_return_pct`` 0.30 means 0.30 %); every
value leaves this module as a FRACTION (0.003). The original bot compared an error in percent
with a limit in fractions; here both sides of every comparison are fractions.

Volatility scaling: realised volatility is the standard deviation of recent one-bar log returns
scaled to one hour (``sigma_bar * sqrt(3600 / bar_seconds)``); ``reference_volatility_pct`` is
read as an HOURLY volatility in percent. When ``volatility_scaling`` is on, the base thresholds
are multiplied by ``clip(realised / reference, 0.5, 3)``: a 0.3 % move means little in a
market that swings 2 % an hour. A threshold is never below the round-trip cost fraction, so a
signal that clears it is always positive after costs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from finbot.config.models import Thresholds
from finbot.timeframes import duration_seconds

SCALE_MIN, SCALE_MAX = 0.5, 3.0
DEFAULT_VOL_WINDOW = 48


@dataclass(frozen=True)
class HorizonThresholds:
    """Return hurdles (fractions) a prediction must clear at one horizon."""

    horizon: str
    buy_frac: float
    sell_frac: float
    cost_frac: float
    vol_scale: float
    realised_vol_hourly_frac: float | None
    max_error_frac: float


def realised_vol_hourly(
    closes: object, timeframe: str, window: int = DEFAULT_VOL_WINDOW
) -> float | None:
    """Std of the last ``window`` one-bar log returns, scaled to one hour (fraction)."""
    prices = np.asarray(closes, dtype=np.float64)
    prices = prices[np.isfinite(prices) & (prices > 0)][-(window + 1) :]
    if prices.size < 3:
        return None
    sigma_bar = float(np.std(np.diff(np.log(prices)), ddof=1))
    return sigma_bar * math.sqrt(3600.0 / duration_seconds(timeframe, field="timeframe"))


def vol_scale(thresholds: Thresholds, realised_hourly_frac: float | None) -> float:
    """Multiplier for the base thresholds; 1 when scaling is off or volatility unknown."""
    decision = thresholds.decision
    if not decision.volatility_scaling or realised_hourly_frac is None:
        return 1.0
    reference = decision.reference_volatility_pct / 100.0
    return float(np.clip(realised_hourly_frac / reference, SCALE_MIN, SCALE_MAX))


def max_error_frac(thresholds: Thresholds, horizon: str) -> float:
    """Maximum acceptable expected error at ``horizon`` (fraction, interpolated and capped)."""
    return thresholds.max_error_frac(horizon)


def error_too_large(thresholds: Thresholds, horizon: str, expected_error_frac: float) -> bool:
    """True when a FRACTION error exceeds the horizon's FRACTION limit."""
    return expected_error_frac > max_error_frac(thresholds, horizon)


def horizon_thresholds(
    thresholds: Thresholds,
    horizon: str,
    cost_frac: float,
    realised_hourly_frac: float | None = None,
) -> HorizonThresholds:
    """The buy/sell hurdles at ``horizon``: scaled base thresholds, floored at the cost."""
    if cost_frac < 0:
        raise ValueError(f"cost: expected a fraction >= 0, got {cost_frac}")
    scale = vol_scale(thresholds, realised_hourly_frac)
    base_buy = thresholds.decision.buy_return_pct / 100.0 * scale
    base_sell = thresholds.decision.sell_return_pct / 100.0 * scale
    return HorizonThresholds(
        horizon=horizon,
        buy_frac=max(base_buy, cost_frac),
        sell_frac=max(base_sell, cost_frac),
        cost_frac=cost_frac,
        vol_scale=scale,
        realised_vol_hourly_frac=realised_hourly_frac,
        max_error_frac=max_error_frac(thresholds, horizon),
    )
