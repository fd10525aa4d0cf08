"""What one coin's walk-forward evaluation produced (``Evaluation``), how it ran
(``EvalConfig``) and its ``--json`` view.

``to_json`` keeps the keys ``finbot evaluate --json`` always had and adds the served model per
horizon, the significance after correction, the volatility figures and ``cash``;
``evaluations_json`` is the view of one coin or of several.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from finbot.prediction.models import ALGORITHMS
from finbot.prediction.tracking.horizon_runs import FloatArray, HorizonMetrics, HorizonRun
from finbot.prediction.tracking.pooled_served import MIN_POOL, PooledSelection
from finbot.prediction.tracking.served import PerCoinSelection, Selection
from finbot.prediction.tracking.volatility_runs import VolatilityRun
from finbot.timeframes import HOUR_MS, WEEK_MS


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
    selection: Selection | None = None  # default: per-coin, plus pooled over several coins
    pooled: bool = True  # ``training.pooled``: a pooled model per horizon when several coins
    threads: int = 1  # the pooled LightGBM's threads (``training.workers``)

    def chosen_selection(self, n_coins: int = 1) -> Selection:
        """``selection``, or the bot's: per-coin, and with several coins (and ``pooled``) the
        pooled model of each horizon where the serving rule accepts it (one instance per run:
        its pooled fits are shared by every coin)."""
        if self.selection is not None:
            return self.selection
        per_coin = PerCoinSelection(self.algorithms, self.train_test_fraction, self.seed)
        if not self.pooled or n_coins < MIN_POOL:
            return per_coin
        from finbot.prediction.training import PooledConfig

        config = PooledConfig(
            test_fraction=self.train_test_fraction, n_jobs=self.threads, seed=self.seed
        )
        return PooledSelection(per_coin, config)


@dataclass
class Evaluation:
    """Everything the report and ``--json`` show (``to_json``) plus the series behind them."""

    coin: str
    timeframe: str
    algorithm: str
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

    @property
    def level(self) -> float:
        """The intervals' nominal coverage (``config.level``)."""
        return self.config.level

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
            "retrain_hours": None if cfg.n_folds else cfg.retrain_ms / HOUR_MS,
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
