"""Walk-forward evaluation: how a model would have done, honestly, against the naive baseline.

Folds (``finbot.prediction.training``'s ``walk_forward``) are contiguous time blocks covering
the last ``test_fraction`` of the feature rows. For each fold the model is refitted (expanding
window, or rolling with ``rolling_rows``) on rows whose label is fully known before the
calibration block (a gap of one horizon), a shrink factor toward zero (the trainer's
``fit_shrink``) and the conformal quantile are fitted on the calibration block (the training
window's last ``cal_fraction``, also one horizon before the test block), then every test row
is predicted. No row used for fitting has a label that ends after the first prediction it
serves (``Fold.check`` asserts it).

Per horizon: n, MAE vs the zero-return baseline, their ratio, the Diebold–Mariano test on
absolute-error loss with the Harvey–Leybourne–Newbold small-sample correction (two-sided,
Student t with n-1 degrees of freedom, autocovariances up to ``h-1`` lags for an ``h``-bar
horizon), directional accuracy and conformal coverage. The decision engine then trades the
test period long-only (BUY → long, SELL → cash, HOLD → keep), paying half the round-trip
cost on each position change, against buy-and-hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from finbot.errors import DataError, UsageError
from finbot.prediction.models import Algorithm
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
    FloatArray,
    HorizonMetrics,
    HorizonRun,
    dataset,
    diebold_mariano,
    run_horizon,
)
from finbot.timeframes import duration_ms

__all__ = [
    "DecisionInputs",
    "Evaluation",
    "FloatArray",
    "HorizonMetrics",
    "HorizonRun",
    "backtest",
    "dataset",
    "dataset_next_returns",
    "diebold_mariano",
    "equity_stats",
    "evaluate",
    "run_horizon",
    "strategy_positions",
]


@dataclass
class Evaluation:
    """Everything the report and ``--json`` show (``to_json``) plus the series behind them."""

    coin: str
    timeframe: str
    algorithm: Algorithm
    level: float
    folds: int
    horizons: dict[str, HorizonMetrics]
    strategy: dict[str, float | int]
    buy_and_hold: dict[str, float | int]
    cost_frac: float
    spread_source: str
    start: int
    end: int
    skipped: dict[str, str]
    runs: dict[str, HorizonRun] = field(default_factory=dict, repr=False)
    equity_ts: npt.NDArray[np.int64] = field(
        default_factory=lambda: np.empty(0, np.int64), repr=False
    )
    equity_strategy: FloatArray = field(default_factory=lambda: np.empty(0), repr=False)
    equity_hold: FloatArray = field(default_factory=lambda: np.empty(0), repr=False)

    def to_json(self) -> dict[str, Any]:
        from finbot.clock import iso_utc

        return {
            "coin": self.coin,
            "timeframe": self.timeframe,
            "algorithm": self.algorithm,
            "level": self.level,
            "folds": self.folds,
            "horizons": self.horizons,
            "strategy": self.strategy,
            "buy_and_hold": self.buy_and_hold,
            "cost_frac": self.cost_frac,
            "spread_source": self.spread_source,
            "start": iso_utc(self.start),
            "end": iso_utc(self.end),
            "skipped": self.skipped,
        }


@dataclass(frozen=True)
class _FitSettings:
    """How every horizon is fitted (``run_horizon``'s keywords)."""

    algorithm: str
    n_folds: int
    level: float
    seed: int
    rolling_rows: int | None


def _usable_horizons(horizons: list[str], timeframe: str) -> tuple[list[str], dict[str, str]]:
    step = duration_ms(timeframe, field="timeframe")
    good = [h for h in horizons if duration_ms(h) % step == 0]
    skipped = {h: f"not a whole number of {timeframe} bars" for h in horizons if h not in good}
    if not good:
        raise UsageError(
            f"horizon: expected a multiple of the {timeframe} timeframe, got {horizons}"
        )
    return good, skipped


def evaluate(
    bars: pl.DataFrame,
    *,
    coin: str,
    timeframe: str,
    horizons: list[str],
    inputs: DecisionInputs,
    level: float,
    n_folds: int = 5,
    algorithm: Algorithm = Algorithm.LIGHTGBM,
    seed: int = 0,
    rolling_rows: int | None = None,
) -> Evaluation:
    """Walk-forward evaluation of ``algorithm`` on ``bars`` (canonical, sorted) per horizon."""
    usable, skipped = _usable_horizons(horizons, timeframe)
    ts, x, labels, vol = dataset(bars, usable)
    fit = _FitSettings(algorithm, n_folds, level, seed, rolling_rows)
    runs, metrics = _run_horizons(usable, ts, x, labels, vol, timeframe, fit, skipped)
    period = backtest_period(bars, timeframe, runs, ts, vol, level, inputs)
    return _evaluation(coin, timeframe, algorithm, fit, metrics, skipped, runs, period)


def _run_horizons(
    horizons: list[str],
    ts: npt.NDArray[np.int64],
    x: FloatArray,
    labels: dict[str, FloatArray],
    vol: FloatArray,
    timeframe: str,
    fit: _FitSettings,
    skipped: dict[str, str],
) -> tuple[dict[str, HorizonRun], dict[str, HorizonMetrics]]:
    """Each horizon's run and metrics; one without enough data goes to ``skipped`` instead."""
    runs: dict[str, HorizonRun] = {}
    metrics: dict[str, HorizonMetrics] = {}
    step = duration_ms(timeframe, field="timeframe")
    for h in horizons:
        try:
            runs[h] = run_horizon(
                h,
                ts,
                x,
                labels[h],
                vol,
                algorithm=fit.algorithm,
                n_folds=fit.n_folds,
                level=fit.level,
                seed=fit.seed,
                rolling_rows=fit.rolling_rows,
            )
        except DataError as exc:
            skipped[h] = str(exc)
            continue
        metrics[h] = runs[h].metrics(fit.level, duration_ms(h) // step)
    if not runs:
        raise DataError(f"evaluation: no horizon could be evaluated ({skipped})")
    return runs, metrics


def _evaluation(
    coin: str,
    timeframe: str,
    algorithm: Algorithm,
    fit: _FitSettings,
    metrics: dict[str, HorizonMetrics],
    skipped: dict[str, str],
    runs: dict[str, HorizonRun],
    period: PeriodBacktest,
) -> Evaluation:
    test_ts = next(iter(runs.values())).ts
    return Evaluation(
        coin,
        timeframe,
        algorithm,
        fit.level,
        fit.n_folds,
        metrics,
        period.strategy,
        period.buy_and_hold,
        period.cost_frac,
        period.spread_source,
        int(test_ts[0]),
        int(test_ts[-1]),
        skipped,
        runs,
        test_ts,
        period.equity_strategy,
        period.equity_hold,
    )
