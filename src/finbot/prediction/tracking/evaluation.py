"""Walk-forward evaluation of what the bot would have served, against the naive baseline.

For each coin and horizon the bot's model selection (``served.Selection``: every candidate,
the naive fallback, the shrink) is re-run at each retrain of the test period on the bars known
then, and the chosen model serves the block up to the next retrain (``horizon_runs``). Served
predictions are scored against the zero-return baseline: MAE, the Diebold–Mariano test with a
Newey–West variance (``significance``), the hit rate with its Wilson interval, the Spearman IC
and the conformal coverage. Every p-value of one run (all coins × horizons) is then adjusted
with Holm's method; ``edge`` is an adjusted p below ``alpha`` with the model's errors smaller,
``verdict`` says ``win`` or ``loss`` (significantly worse) or nothing.

Beside them, per horizon, the volatility library's own walk-forward (``volatility_runs``):
variance (QLIKE), interval score, direction and touch probabilities. The decision engine then
trades the test period long-only (``backtest``) against buy-and-hold and cash.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from finbot.errors import DataError, UsageError
from finbot.prediction.models import ALGORITHMS
from finbot.prediction.tracking.backtest import (
    DecisionInputs,
    PeriodBacktest,
    backtest,
    backtest_period,
    dataset_next_returns,
    equity_stats,
    strategy_positions,
)
from finbot.prediction.tracking.horizon_runs import (
    CoinRows,
    FloatArray,
    HorizonMetrics,
    HorizonRun,
    RunSettings,
    dataset,
    run_horizon,
)
from finbot.prediction.tracking.served import PerCoinSelection, Selection, retrain_blocks
from finbot.prediction.tracking.significance import diebold_mariano, holm
from finbot.prediction.tracking.volatility_runs import (
    VolatilityRun,
    volatility_keys,
    volatility_runs,
)
from finbot.timeframes import WEEK_MS, duration_ms

__all__ = [
    "DecisionInputs",
    "EvalConfig",
    "Evaluation",
    "FloatArray",
    "HorizonMetrics",
    "HorizonRun",
    "backtest",
    "correct",
    "dataset",
    "dataset_next_returns",
    "diebold_mariano",
    "equity_stats",
    "evaluate",
    "evaluate_many",
    "evaluations_json",
    "run_horizon",
    "strategy_positions",
]

#: ``progress(coin, horizon, done, total)`` after each coin × horizon.
Progress = Callable[[str, str, int, int], None]


@dataclass(frozen=True)
class EvalConfig:
    """How the walk-forward runs: the test period, the retrain cadence, the candidates."""

    level: float = 0.8
    n_folds: int | None = None  # None: one block per retrain (``retrain_ms``)
    retrain_ms: int = WEEK_MS  # the weekly full retrain (``train-incremental --mode mini``)
    window_ms: int | None = None  # rolling history length; None: expanding
    algorithms: tuple[str, ...] = tuple(ALGORITHMS)
    train_test_fraction: float = 0.3  # the trainer's own held-out share (``training``)
    test_fraction: float = 0.5
    volatility_folds: int = 6  # 0: no volatility figures (a faster run)
    alpha: float = 0.05
    seed: int = 0
    selection: Selection | None = None  # default: the trainer's per-coin selection

    def chosen_selection(self) -> Selection:
        if self.selection is not None:
            return self.selection
        return PerCoinSelection(self.algorithms, self.train_test_fraction, self.seed)


@dataclass
class Evaluation:
    """Everything the report and ``--json`` show (``to_json``) plus the series behind them."""

    coin: str
    timeframe: str
    algorithm: str
    level: float
    folds: int
    horizons: dict[str, HorizonMetrics]
    strategy: dict[str, float | int]
    buy_and_hold: dict[str, float | int]
    cash: dict[str, float | int]
    cost_frac: float
    spread_source: str
    start: int
    end: int
    skipped: dict[str, str]
    config: EvalConfig = field(default_factory=EvalConfig, repr=False)
    runs: dict[str, HorizonRun] = field(default_factory=dict, repr=False)
    volatility: dict[str, VolatilityRun] = field(default_factory=dict, repr=False)
    equity_ts: npt.NDArray[np.int64] = field(
        default_factory=lambda: np.empty(0, np.int64), repr=False
    )
    equity_strategy: FloatArray = field(default_factory=lambda: np.empty(0), repr=False)
    equity_hold: FloatArray = field(default_factory=lambda: np.empty(0), repr=False)

    def to_json(self) -> dict[str, Any]:
        from finbot.clock import iso_utc

        cfg = self.config
        return {
            "coin": self.coin,
            "timeframe": self.timeframe,
            "algorithm": self.algorithm,
            "level": self.level,
            "folds": self.folds,
            "horizons": self.horizons,
            "strategy": self.strategy,
            "buy_and_hold": self.buy_and_hold,
            "cash": self.cash,
            "cost_frac": self.cost_frac,
            "spread_source": self.spread_source,
            "start": iso_utc(self.start),
            "end": iso_utc(self.end),
            "skipped": self.skipped,
            "candidates": list(cfg.algorithms),
            "retrain_hours": None if cfg.n_folds else cfg.retrain_ms / 3_600_000,
            "window": "expanding" if cfg.window_ms is None else "rolling",
            "correction": "holm",
            "alpha": cfg.alpha,
        }


def evaluations_json(evaluations: Sequence[Evaluation]) -> dict[str, Any]:
    """``--json``: one coin's object (today's keys), or several under ``evaluations``."""
    if len(evaluations) == 1:
        return evaluations[0].to_json()
    return {
        "timeframe": evaluations[0].timeframe,
        "coins": [ev.coin for ev in evaluations],
        "correction": "holm",
        "evaluations": [ev.to_json() for ev in evaluations],
    }


def _usable_horizons(horizons: Sequence[str], timeframe: str) -> tuple[list[str], dict[str, str]]:
    step = duration_ms(timeframe, field="timeframe")
    good = [h for h in horizons if duration_ms(h) % step == 0]
    skipped = {h: f"not a whole number of {timeframe} bars" for h in horizons if h not in good}
    if not good:
        raise UsageError(
            f"horizon: expected a multiple of the {timeframe} timeframe, got {list(horizons)}"
        )
    return good, skipped


def evaluate(
    bars: pl.DataFrame,
    *,
    coin: str,
    timeframe: str,
    horizons: Sequence[str],
    inputs: DecisionInputs,
    config: EvalConfig | None = None,
    progress: Progress | None = None,
) -> Evaluation:
    """One coin's evaluation (its horizons corrected together)."""
    return evaluate_many(
        {coin: bars},
        timeframe=timeframe,
        horizons=horizons,
        inputs=inputs,
        config=config,
        progress=progress,
    )[0]


def evaluate_many(
    frames: Mapping[str, pl.DataFrame],
    *,
    timeframe: str,
    horizons: Sequence[str],
    inputs: DecisionInputs,
    config: EvalConfig | None = None,
    progress: Progress | None = None,
) -> list[Evaluation]:
    """Every coin of ``frames`` (canonical, sorted bars), then Holm across coin × horizon. The
    selection sees every coin's history (a pooled candidate trains across them)."""
    cfg = config or EvalConfig()
    usable, skipped = _usable_horizons(horizons, timeframe)
    total = len(frames) * len(usable)
    done = [0]

    def tick(coin: str, horizon: str) -> None:
        done[0] += 1
        if progress is not None:
            progress(coin, horizon, done[0], total)

    out = [
        _evaluate_coin(frames, coin, timeframe, usable, dict(skipped), inputs, cfg, tick)
        for coin in frames
    ]
    correct(out, cfg.alpha)
    return out


def correct(evaluations: Sequence[Evaluation], alpha: float) -> None:
    """Holm-adjust every DM p-value of ``evaluations`` together; set ``dm_pvalue_adjusted``,
    ``edge`` and ``verdict`` of each horizon."""
    rows = [m for ev in evaluations for m in ev.horizons.values()]
    adjusted = holm([m["dm_pvalue"] for m in rows])
    for m, p in zip(rows, adjusted, strict=True):
        significant = bool(np.isfinite(p) and p < alpha)
        m["dm_pvalue_adjusted"] = p if np.isfinite(p) else None
        m["edge"] = significant and m["dm_stat"] < 0
        m["verdict"] = ("win" if m["dm_stat"] < 0 else "loss") if significant else ""


def _evaluate_coin(
    frames: Mapping[str, pl.DataFrame],
    coin: str,
    timeframe: str,
    horizons: list[str],
    skipped: dict[str, str],
    inputs: DecisionInputs,
    cfg: EvalConfig,
    tick: Callable[[str, str], None],
) -> Evaluation:
    bars = frames[coin]
    ts, labels, vol = dataset(bars, horizons)
    blocks = retrain_blocks(
        ts, test_fraction=cfg.test_fraction, n_folds=cfg.n_folds, retrain_ms=cfg.retrain_ms
    )
    settings = RunSettings(cfg.chosen_selection(), blocks, cfg.level, cfg.window_ms)
    step = duration_ms(timeframe, field="timeframe")
    runs: dict[str, HorizonRun] = {}
    metrics: dict[str, HorizonMetrics] = {}
    for h in horizons:
        try:
            rows = CoinRows(coin, timeframe, ts, labels[h], vol)
            runs[h] = run_horizon(h, rows, frames, settings)
        except DataError as exc:
            skipped[h] = str(exc)
            tick(coin, h)
            continue
        metrics[h] = runs[h].metrics(cfg.level, duration_ms(h) // step)
        tick(coin, h)
    if not runs:
        raise DataError(f"evaluation of {coin}: no horizon could be evaluated ({skipped})")
    period = backtest_period(bars, timeframe, runs, ts, vol, cfg.level, inputs)
    vols = (
        volatility_runs(
            bars,
            timeframe,
            list(runs),
            level=cfg.level,
            cost=period.cost_frac,
            n_folds=cfg.volatility_folds,
        )
        if cfg.volatility_folds
        else {}
    )
    for h, m in metrics.items():
        m.update(volatility_keys(vols.get(h)))
    return _evaluation(coin, timeframe, cfg, metrics, skipped, runs, vols, period)


def _served_overall(runs: dict[str, HorizonRun]) -> str:
    counts = Counter(name for run in runs.values() for name in run.models)
    return max(sorted(counts), key=lambda name: counts[name])


def _evaluation(
    coin: str,
    timeframe: str,
    cfg: EvalConfig,
    metrics: dict[str, HorizonMetrics],
    skipped: dict[str, str],
    runs: dict[str, HorizonRun],
    vols: dict[str, VolatilityRun],
    period: PeriodBacktest,
) -> Evaluation:
    first = next(iter(runs.values()))
    return Evaluation(
        coin=coin,
        timeframe=timeframe,
        algorithm=_served_overall(runs),
        level=cfg.level,
        folds=len(first.blocks),
        horizons=metrics,
        strategy=period.strategy,
        buy_and_hold=period.buy_and_hold,
        cash=period.cash,
        cost_frac=period.cost_frac,
        spread_source=period.spread_source,
        start=int(first.ts[0]),
        end=int(first.ts[-1]),
        skipped=skipped,
        config=cfg,
        runs=runs,
        volatility=vols,
        equity_ts=first.ts,
        equity_strategy=period.equity_strategy,
        equity_hold=period.equity_hold,
    )
