"""Which model serves a coin × horizon: the pooled one only where it wins out of sample.

Public API: ``PooledReport`` (a pooled run's figures for ONE coin, saved by the model store
like a per-coin ``TrainReport``: its test-window predictions are the version's calibration,
so intervals and ``mae_ratio`` keep working); ``pooled_report(run, coin, ...)``;
``select(report, current) -> (served, reason)``.

The pooled model is served for a coin only when, on that coin's rows of the pooled test
window, it beats naive significantly (the per-coin trainer's one-sided paired test on absolute
errors, overlap-corrected) AND its MAE is below the current model's (the coin's ``latest``,
per-coin or naive) on the timestamps both predicted out of sample (the current model's
stored test-window predictions). Otherwise the version is kept as ``rejected`` with the
reason, and the current model (or the naive fallback) stays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import polars as pl

from finbot.i18n import N_, Message, Number
from finbot.prediction.features import horizon_bars
from finbot.prediction.models import NAIVE, POOLED, Algorithm, PooledModel
from finbot.prediction.training.pooled_trainer import PooledRun
from finbot.prediction.training.trainer import EDGE_T_STAT, edge_t_stat, score
from finbot.timeframes import Timeframe


class CurrentModel(Protocol):
    """What the serving rule reads of the coin's current model: a stored ``latest`` version
    (``StoredModel``) or the evaluation's per-coin choice."""

    @property
    def algorithm(self) -> str: ...

    @property
    def version(self) -> str: ...

    def calibration(self) -> pl.DataFrame: ...


@dataclass
class PooledReport:
    """The pooled model as one coin's version (the store's ``ModelReport``)."""

    coin: str
    timeframe: Timeframe
    horizon: str
    model: PooledModel
    scores: dict[str, dict[str, float]]
    has_edge: bool
    edge_t: float
    train_window: tuple[int, int]
    test_window: tuple[int, int]
    n_train: int
    n_test: int
    gap_rows: int
    calibration: pl.DataFrame
    data_hash: str
    chosen: Algorithm = POOLED
    best_algorithm: Algorithm = POOLED
    n_validation: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def shrink(self) -> float:
        return self.model.shrink

    @property
    def feature_names(self) -> tuple[str, ...]:
        return self.model.feature_names

    @property
    def mae_ratio(self) -> float:
        naive = self.scores[NAIVE]["mae"]
        return self.scores[POOLED]["mae"] / naive if naive else 1.0

    def save_model(self, folder: Path) -> str | None:
        return self.model.save(folder)

    def summary(self) -> dict[str, Any]:
        """The ``train --json`` view of this coin's pooled result."""
        return {
            "coin": self.coin,
            "timeframe": self.timeframe,
            "horizon": self.horizon,
            "pooled": True,
            "chosen": POOLED,
            "objective": self.model.objective,
            "coin_feature": self.model.coin_feature,
            "mae_ratio": self.mae_ratio,
            "has_edge": self.has_edge,
        }


def pooled_report(
    run: PooledRun, coin: str, timeframe: Timeframe, horizon: str, data_hash: str
) -> PooledReport | None:
    """``run``'s figures on ``coin``'s test rows (None when the coin has none)."""
    rows = run.test.filter(pl.col("coin") == coin).select("ts", "y_true", "y_pred")
    if rows.is_empty():
        return None
    y, pred = rows["y_true"].to_numpy(), rows["y_pred"].to_numpy()
    scores: dict[str, dict[str, float]] = {
        NAIVE: score(y, np.zeros_like(y)),
        POOLED: score(y, pred),
    }
    for values in scores.values():
        values["mae_ratio"] = values["mae"] / scores[NAIVE]["mae"] if scores[NAIVE]["mae"] else 1.0
    t_stat = edge_t_stat(y, pred, horizon_bars(horizon, timeframe))
    ts = rows["ts"].to_numpy()
    return PooledReport(
        coin=coin,
        timeframe=timeframe,
        horizon=horizon,
        model=run.model,
        scores=scores,
        has_edge=bool(scores[POOLED]["mae"] < scores[NAIVE]["mae"] and t_stat > EDGE_T_STAT),
        edge_t=t_stat,
        train_window=run.train_window,
        test_window=(int(ts[0]), int(ts[-1])),
        n_train=run.n_train,
        n_test=int(ts.size),
        gap_rows=run.gap_rows,
        calibration=rows,
        data_hash=data_hash,
        extra=run.model.extra(),
    )


def _common_maes(report: PooledReport, current: CurrentModel) -> tuple[float, float, int]:
    """(pooled MAE, current MAE, rows) on the timestamps both predicted out of sample."""
    theirs = current.calibration().select("ts", pl.col("y_pred").alias("theirs"))
    both = report.calibration.join(theirs, on="ts", how="inner")
    if both.is_empty():
        return float("nan"), float("nan"), 0
    y = both["y_true"].to_numpy()
    ours = float(np.mean(np.abs(both["y_pred"].to_numpy() - y)))
    return ours, float(np.mean(np.abs(both["theirs"].to_numpy() - y))), both.height


def select(report: PooledReport, current: CurrentModel | None) -> tuple[bool, str | None]:
    """(served, reason when not): pooled beats naive significantly and the current model."""
    if not report.has_edge:
        return False, Message(
            N_(
                "no significant edge over naive on the pooled test window "
                "(MAE ratio {ratio}, t {t})"
            ),
            ratio=Number(report.mae_ratio, 4),
            t=Number(report.edge_t, 2),
        )
    if current is None or current.algorithm == NAIVE:
        return True, None
    ours, theirs, rows = _common_maes(report, current)
    report.extra |= {"compared_with": current.version, "common_rows": rows}
    if rows == 0 or not ours < theirs:
        return False, Message(
            N_(
                "not better than the current {algorithm} version {version} on the {rows} test "
                "timestamps both predicted (MAE {ours} vs {theirs})"
            ),
            algorithm=current.algorithm,
            version=current.version,
            rows=rows,
            ours=Number(ours, 6),
            theirs=Number(theirs, 6),
        )
    return True, None


#: ``select`` under the name the training face exports (the evaluation's pooled selection).
select_pooled = select
