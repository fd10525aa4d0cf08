"""The test period traded by the decision engine, long-only (BUY → long, SELL → cash, HOLD →
keep), paying half the round-trip cost on each position change, against buy-and-hold and cash
(all zero: the baseline a strategy without an edge must not fall below).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import polars as pl

from finbot.prediction.decision import Action
from finbot.prediction.decision import confidence as cf
from finbot.prediction.tracking.horizon_runs import FloatArray, HorizonRun
from finbot.timeframes import HOUR_MS, duration_ms, duration_seconds

if TYPE_CHECKING:
    from finbot.config.models import Costs, Thresholds
    from finbot.prediction.decision import HorizonSignal


@dataclass(frozen=True)
class DecisionInputs:
    """The typed settings the backtested decision engine needs."""

    costs: Costs
    thresholds: Thresholds
    weights: dict[str, float]


def equity_stats(
    bar_returns: FloatArray, timeframe: str, trades: int, traded: float | None = None
) -> dict[str, float | int]:
    """Total return, annualised Sharpe (24/7 market), max drawdown of a net bar-return series,
    the number of position changes and the turnover: position traded (sum of the absolute
    changes, ``traded``; ``trades`` when not given) per year."""
    equity = np.cumprod(1.0 + bar_returns)
    peak = np.maximum.accumulate(np.concatenate([[1.0], equity]))[1:]
    sd = float(np.std(bar_returns, ddof=1)) if bar_returns.size > 1 else 0.0
    per_year = 365.0 * 86400.0 / duration_seconds(timeframe, field="timeframe")
    years = bar_returns.size / per_year
    sharpe = float(np.mean(bar_returns)) / sd * math.sqrt(per_year) if sd > 0 else 0.0
    return {
        "total_return": float(equity[-1] - 1.0) if equity.size else 0.0,
        "sharpe": sharpe,
        "max_drawdown": float(np.max(1.0 - equity / peak)) if equity.size else 0.0,
        "trades": int(trades),
        "turnover": (float(trades if traded is None else traded) / years) if years > 0 else 0.0,
    }


def backtest(
    positions: FloatArray, next_returns: FloatArray, cost_frac: float, timeframe: str
) -> tuple[FloatArray, dict[str, float | int]]:
    """Net simple returns of holding ``positions`` (0/1) over each next bar, and their stats."""
    simple = np.expm1(np.nan_to_num(next_returns))
    changes = np.abs(np.diff(np.concatenate([[0.0], positions])))
    net = positions * simple - changes * cost_frac / 2.0
    return net, equity_stats(net, timeframe, int(np.count_nonzero(changes)), float(changes.sum()))


def _signals(
    runs: dict[str, HorizonRun],
    i: int,
    level: float,
    cost_frac: float,
    hourly_vol: float | None,
    inputs: DecisionInputs,
) -> list[HorizonSignal]:
    from finbot.prediction.decision import HorizonSignal, horizon_thresholds

    out = []
    for h, run in runs.items():
        p, w, ratio = float(run.pred[i]), float(run.half_width[i]), float(run.mae_ratio_cal[i])
        edge = bool(run.has_edge[i])
        vr = float(run.vol_ratio[i])
        score = cf.confidence_score(
            pred=p,
            half_width=w,
            level=level,
            mae_ratio=ratio,
            vol_ratio=vr if math.isfinite(vr) else None,
        ).score
        th = horizon_thresholds(inputs.thresholds, h, cost_frac, hourly_vol)
        out.append(HorizonSignal(h, p, p - w, p + w, score, ratio, edge, float(run.mae_cal[i]), th))
    return out


def strategy_positions(
    runs: dict[str, HorizonRun],
    hourly_vol: FloatArray,
    level: float,
    cost_frac: float,
    inputs: DecisionInputs,
) -> FloatArray:
    """Long-only positions from the decision engine: BUY → 1, SELL → 0, HOLD → unchanged."""
    from finbot.prediction.decision import decide

    n = next(iter(runs.values())).ts.size
    positions = np.zeros(n)
    current = 0.0
    reference = inputs.thresholds.decision.reference_volatility_pct / 100.0
    for i in range(n):
        vol = float(hourly_vol[i]) if math.isfinite(hourly_vol[i]) else None
        action = decide(
            "backtest",
            _signals(runs, i, level, cost_frac, vol, inputs),
            weights=inputs.weights,
            reference_vol=reference,
            min_confidence=inputs.thresholds.decision.min_confidence,
        ).action
        current = {Action.BUY: 1.0, Action.SELL: 0.0}.get(action, current)
        positions[i] = current
    return positions


def _cost(bars: pl.DataFrame, costs: Costs) -> tuple[float, str]:
    from finbot.prediction.decision import estimate_from_bars, resolve_spread, round_trip_cost

    spread = resolve_spread(costs, proxy_frac=lambda: estimate_from_bars(bars).fraction)
    return round_trip_cost(costs, spread).fraction, spread.source


@dataclass(frozen=True)
class PeriodBacktest:
    """The strategy and buy-and-hold over the test period, net of costs."""

    cost_frac: float
    spread_source: str
    strategy: dict[str, float | int]
    buy_and_hold: dict[str, float | int]
    cash: dict[str, float | int]
    equity_strategy: FloatArray
    equity_hold: FloatArray


def backtest_period(
    bars: pl.DataFrame,
    timeframe: str,
    runs: dict[str, HorizonRun],
    ts: npt.NDArray[np.int64],
    vol: FloatArray,
    level: float,
    inputs: DecisionInputs,
) -> PeriodBacktest:
    """Trade the test period of ``runs`` (feature rows ``ts``, rolling ``vol``) and hold it."""
    step = duration_ms(timeframe, field="timeframe")
    cost_frac, source = _cost(bars, inputs.costs)
    first = next(iter(runs.values()))
    test_rows = np.searchsorted(ts, first.ts)
    hourly = vol[test_rows] * math.sqrt(HOUR_MS / step)
    positions = strategy_positions(runs, hourly, level, cost_frac, inputs)
    next_ret = dataset_next_returns(bars, timeframe, first.ts)
    net, strat = backtest(positions, next_ret, cost_frac, timeframe)
    hold_net, hold = backtest(np.ones_like(positions), next_ret, cost_frac, timeframe)
    return PeriodBacktest(
        cost_frac,
        source,
        strat,
        hold,
        equity_stats(np.zeros_like(positions), timeframe, 0),
        np.cumprod(1 + net).astype(np.float64),
        np.cumprod(1 + hold_net).astype(np.float64),
    )


def dataset_next_returns(
    bars: pl.DataFrame, timeframe: str, ts: npt.NDArray[np.int64]
) -> FloatArray:
    """Log return from each bar's close to the next bar's close (0 where the next is missing)."""
    from finbot.prediction.features import forward_log_returns

    nxt = forward_log_returns(bars, timeframe)
    joined = pl.DataFrame({"ts": ts}).join(nxt, on="ts", how="left", maintain_order="left")
    values = joined["target"].fill_null(0.0).to_numpy().astype(np.float64)
    return np.asarray(np.nan_to_num(values), dtype=np.float64)
