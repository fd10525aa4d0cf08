"""Fit one pooled LightGBM per horizon over every coin, and score it out of sample per coin.

Public API: ``PooledConfig``; ``fit_pooled(frames_by_coin, horizon, config) -> PooledModel``
(the seam the walk-forward evaluation uses: fit on the bars it is given, nothing held out
but the inner validation slice); ``fit_pooled_rows(data, horizon, config)`` (the same on rows
of ``pooled_dataset``); ``train_pooled(frames_by_coin, horizon, config) -> PooledRun`` (a
time-ordered holdout: fit before it, predictions of every coin on it).

Splits are by TIMESTAMP, so every coin's test rows start at the same instant: the test window
is the last ``test_fraction`` of the distinct timestamps, training rows end more than one
horizon before it (purge), and inside the training rows the last ``VALIDATION_FRACTION`` of
timestamps (purged the same way) choose the objective, the coin input and the shrink, and
stop each candidate's trees early (``PATIENCE`` rounds without a better validation MAE: on
returns this noisy few trees help, and training stays inside its time budget).
Candidates: L1, Huber (delta: 1.345 robust standard deviations of the training targets) and
L2; then the best of them with the coin as a categorical input. The winner is the lowest MAE
on the validation rows of all coins together (few, robust choices: nothing per coin).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from finbot.errors import DataError
from finbot.i18n import N_
from finbot.prediction.features import pooled_dataset
from finbot.prediction.models import PooledModel, pooled_input
from finbot.prediction.training.trainer import MIN_ROWS, fit_shrink
from finbot.timeframes import default_timeframe, duration_ms

VALIDATION_FRACTION = 0.2
OBJECTIVES: tuple[str, ...] = ("l1", "huber", "l2")
HUBER_DELTA_SIGMAS = 1.345  # the usual 95 %-efficiency tuning constant
MAD_TO_SIGMA = 1.4826
PATIENCE = 25  # rounds without a better validation MAE before the trees stop
BoolArray = npt.NDArray[np.bool_]

POOLED_ROWS = N_("bars: expected at least {n} labelled pooled rows, got {rows}")


@dataclass(frozen=True)
class PooledConfig:
    """How a pooled model is fitted: candidate objectives, whether the coin may be an input,
    the holdout fraction, the LightGBM size, threads and seed."""

    objectives: tuple[str, ...] = OBJECTIVES
    try_coin_feature: bool = True
    test_fraction: float = 0.3
    n_estimators: int = 200
    n_jobs: int = 1
    seed: int = 0


def time_split(
    ts: npt.NDArray[np.int64], fraction: float, horizon_ms: int
) -> tuple[BoolArray, BoolArray]:
    """(train, test) masks: test the last ``fraction`` of distinct timestamps; train the rows
    whose label ends strictly before the first test timestamp."""
    distinct = np.unique(ts)
    if distinct.size < 2:
        raise DataError(N_("bars: need at least two timestamps for a time-ordered split"))
    cut = distinct[min(distinct.size - 1, max(1, int(distinct.size * (1 - fraction))))]
    return ts + horizon_ms < cut, ts >= cut


def huber_delta(y: np.ndarray) -> float:
    """Huber's delta: ``HUBER_DELTA_SIGMAS`` robust standard deviations (MAD) of ``y``."""
    mad = float(np.median(np.abs(y - np.median(y)))) * MAD_TO_SIGMA
    return max(HUBER_DELTA_SIGMAS * mad, 1e-8)


def _estimator(objective: str, y: np.ndarray, config: PooledConfig) -> Any:
    from lightgbm import LGBMRegressor

    return LGBMRegressor(
        objective=objective,
        alpha=huber_delta(y) if objective == "huber" else 0.9,  # 0.9: LightGBM's default
        n_estimators=config.n_estimators,
        learning_rate=0.05,
        max_bin=63,
        num_leaves=15,
        min_child_samples=200,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        n_jobs=config.n_jobs,
        random_state=config.seed,
        verbose=-1,
    )


def _early_stopping() -> Any:
    """Stop adding trees once the validation MAE has not improved for ``PATIENCE`` rounds
    (the L1 metric whatever the objective: candidates are compared by MAE)."""
    from lightgbm import early_stopping

    return early_stopping(PATIENCE, first_metric_only=True, verbose=False)


@dataclass
class _Candidate:
    objective: str
    coin_feature: bool
    estimator: Any
    val_pred: np.ndarray
    mae: float


def _fit_candidate(
    objective: str,
    coin_feature: bool,
    data: pl.DataFrame,
    masks: tuple[BoolArray, BoolArray],
    pool: tuple[str, ...],
    config: PooledConfig,
) -> _Candidate:
    x, y = pooled_input(data, pool, coin_feature), data["target"].to_numpy()
    train, val = masks
    estimator = _estimator(objective, y[train], config)
    categorical = [x.shape[1] - 1] if coin_feature else "auto"
    with warnings.catch_warnings():  # 4.7 renames eval_set (eval_X, eval_y); >= 4.3 is allowed
        warnings.simplefilter("ignore", FutureWarning)
        estimator.fit(
            x[train],
            y[train],
            categorical_feature=categorical,
            eval_set=[(x[val], y[val])],
            eval_metric="l1",
            callbacks=[_early_stopping()],
        )
    pred = np.asarray(estimator.predict(x[val]), dtype=np.float64)
    return _Candidate(
        objective, coin_feature, estimator, pred, float(np.mean(np.abs(pred - y[val])))
    )


def fit_pooled_rows(data: pl.DataFrame, horizon: str, config: PooledConfig) -> PooledModel:
    """The pooled model of ``data`` (rows of ``pooled_dataset``, sorted by ``ts``): the
    candidate with the lowest validation MAE, its shrink fitted on the same rows."""
    if data.height < MIN_ROWS:
        raise DataError(POOLED_ROWS, n=MIN_ROWS, rows=data.height)
    pool = tuple(sorted(set(data["coin"].to_list())))
    masks = time_split(data["ts"].to_numpy(), VALIDATION_FRACTION, duration_ms(horizon))
    if not masks[0].any() or not masks[1].any():
        raise DataError(N_("bars: too short a history for a purged pooled validation split"))
    fits = [_fit_candidate(o, False, data, masks, pool, config) for o in config.objectives]
    best = min(fits, key=lambda c: c.mae)
    if config.try_coin_feature and len(pool) > 1:
        with_coin = _fit_candidate(best.objective, True, data, masks, pool, config)
        best = with_coin if with_coin.mae < best.mae else best
    y_val = data["target"].to_numpy()[masks[1]]
    tf = default_timeframe(horizon)
    shrink = fit_shrink(y_val, best.val_pred)
    return PooledModel(best.estimator, pool, tf, horizon, best.objective, best.coin_feature, shrink)


def fit_pooled(
    frames_by_coin: dict[str, pl.DataFrame], horizon: str, config: PooledConfig
) -> PooledModel:
    """One pooled model over ``frames_by_coin`` (bars of the horizon's default timeframe)."""
    data = pooled_dataset(frames_by_coin, default_timeframe(horizon), horizon)
    return fit_pooled_rows(data, horizon, config)


@dataclass
class PooledRun:
    """A pooled fit and its out-of-sample predictions of every coin on the test window."""

    model: PooledModel
    test: pl.DataFrame  # ts, coin, y_true, y_pred
    train_window: tuple[int, int]
    n_train: int
    gap_rows: int


def train_pooled(
    frames_by_coin: dict[str, pl.DataFrame],
    horizon: str,
    config: PooledConfig,
    *,
    features: dict[str, pl.DataFrame] | None = None,
) -> PooledRun:
    """Fit on the rows before the purged test window, predict every coin on it.
    ``features``: ``pooled_frames`` of the same bars, when already built."""
    data = pooled_dataset(frames_by_coin, default_timeframe(horizon), horizon, features=features)
    if data.height < MIN_ROWS:
        raise DataError(POOLED_ROWS, n=MIN_ROWS, rows=data.height)
    ts = data["ts"].to_numpy()
    train, test = time_split(ts, config.test_fraction, duration_ms(horizon))
    model = fit_pooled_rows(data.filter(pl.Series(train)), horizon, config)
    rows = data.filter(pl.Series(test))
    predicted = rows.select("ts", "coin", pl.col("target").alias("y_true")).with_columns(
        pl.Series("y_pred", model.predict(rows))
    )
    used = ts[train]
    return PooledRun(
        model=model,
        test=predicted,
        train_window=(int(used[0]), int(used[-1])),
        n_train=int(train.sum()),
        gap_rows=int((~train & ~test).sum()),
    )
