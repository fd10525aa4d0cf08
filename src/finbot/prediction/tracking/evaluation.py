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

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import polars as pl

from finbot.errors import DataError, UsageError
from finbot.i18n import N_, Message, error_message
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
from finbot.prediction.tracking.result import EvalConfig, Evaluation, evaluations_json
from finbot.prediction.tracking.served import Selection, model_counts, retrain_blocks
from finbot.prediction.tracking.significance import diebold_mariano, holm
from finbot.prediction.tracking.volatility_runs import (
    VolatilityRun,
    volatility_keys,
    volatility_runs,
)
from finbot.timeframes import duration_ms

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


def _usable_horizons(horizons: Sequence[str], timeframe: str) -> tuple[list[str], dict[str, str]]:
    step = duration_ms(timeframe, field="timeframe")
    good = [h for h in horizons if duration_ms(h) % step == 0]
    misfit = Message(N_("not a whole number of {tf} bars"), tf=timeframe)
    skipped: dict[str, str] = {h: misfit for h in horizons if h not in good}
    if not good:
        raise UsageError(
            N_("horizon: expected a multiple of the {timeframe} timeframe, got {horizons}"),
            timeframe=timeframe,
            horizons=list(horizons),
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

    selection = cfg.chosen_selection(len(frames))
    out = [
        _evaluate_coin(
            frames, coin, timeframe, usable, dict(skipped), inputs, (cfg, selection), tick
        )
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
    how: tuple[EvalConfig, Selection],
    tick: Callable[[str, str], None],
) -> Evaluation:
    cfg, selection = how
    bars = frames[coin]
    ts, labels, vol = dataset(bars, horizons)
    blocks = retrain_blocks(
        ts, test_fraction=cfg.test_fraction, n_folds=cfg.n_folds, retrain_ms=cfg.retrain_ms
    )
    settings = RunSettings(selection, blocks, cfg.level, cfg.window_ms)
    step = duration_ms(timeframe, field="timeframe")
    runs: dict[str, HorizonRun] = {}
    metrics: dict[str, HorizonMetrics] = {}
    for h in horizons:
        try:
            rows = CoinRows(coin, timeframe, ts, labels[h], vol)
            runs[h] = run_horizon(h, rows, frames, settings)
        except DataError as exc:
            skipped[h] = error_message(exc)  # English, and translatable where shown
            tick(coin, h)
            continue
        metrics[h] = runs[h].metrics(cfg.level, duration_ms(h) // step)
        tick(coin, h)
    if not runs:
        raise DataError(
            N_("evaluation of {coin}: no horizon could be evaluated ({skipped})"),
            coin=coin,
            skipped=skipped,
        )
    period = backtest_period(bars, timeframe, runs, ts, vol, cfg.level, inputs)
    vols = _volatility(bars, timeframe, list(runs), cfg, period.cost_frac)
    for h, m in metrics.items():
        m.update(volatility_keys(vols.get(h)))
    return _evaluation(coin, timeframe, cfg, metrics, skipped, runs, vols, period)


def _volatility(
    bars: pl.DataFrame, timeframe: str, horizons: list[str], cfg: EvalConfig, cost: float
) -> dict[str, VolatilityRun]:
    if not cfg.volatility_folds:
        return {}
    return volatility_runs(
        bars, timeframe, horizons, level=cfg.level, cost=cost, n_folds=cfg.volatility_folds
    )


def _served_overall(runs: dict[str, HorizonRun]) -> str:
    """The model most retrains served, over every horizon (the first name on ties)."""
    return next(iter(model_counts([name for run in runs.values() for name in run.models])))


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
