"""Train every algorithm for one coin, timeframe and horizon, against the naive baseline.

Public API (stable): ``train(coin, timeframe, horizon, bars, *, algorithms, test_fraction,
seed, progress) -> TrainReport``; ``score``; ``fit_shrink`` (also used by the walk-forward
evaluation); ``TrainReport`` (``to_dict()`` gives the ``finbot train --json`` keys). The
splits are ``finbot.prediction.training.splits``.

Honest by construction:

* labels are forward log returns matched by timestamp (``targets``);
* the split is time-ordered, no shuffling (``splits.holdout``): the test window is the last
  ``test_fraction`` of rows, and train rows end one horizon before it, so no train label
  overlaps a test label;
* each model is fitted on the train window minus its last validation slice (same gap), and a
  shrinkage factor toward zero is fitted on that slice, never on the test window;
* every model is scored on the same test window as ``naive`` (zero return); the best by MAE
  is kept only when it beats naive significantly (a one-sided paired test on absolute
  errors, overlap-corrected), otherwise the chosen model is ``naive`` and ``has_edge`` False.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from finbot.errors import DataError
from finbot.i18n import N_
from finbot.prediction.features import (
    FEATURE_NAMES,
    build_features,
    feature_matrix,
    forward_log_returns,
    horizon_bars,
)
from finbot.prediction.models import (
    ALGORITHMS,
    NAIVE,
    Algorithm,
    check_algorithms,
    make_estimator,
    save_native,
)
from finbot.prediction.training.splits import Split, holdout
from finbot.timeframes import Timeframe, check_timeframe, duration_ms

Progress = Callable[[str, int, int], None]
MIN_ROWS = 200
VALIDATION_FRACTION = 0.2
SHRINK_GRID = np.linspace(0.0, 1.0, 21)
EDGE_T_STAT = 1.645  # one-sided 5 %


def score(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """MAE, RMSE and directional accuracy by ``decision.hit_rate`` (zero forecasts and zero
    moves left out); ``directional_accuracy`` is absent when no forecast calls a direction
    (the naive baseline), never a made-up 50 %."""
    from finbot.prediction.decision import hit_rate

    err = y_pred - y_true
    out = {"mae": float(np.mean(np.abs(err))), "rmse": float(np.sqrt(np.mean(err * err)))}
    hits = hit_rate(y_true, y_pred)
    return out if hits is None else out | {"directional_accuracy": hits}


def fit_shrink(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """The factor in ``SHRINK_GRID`` (0 to 1) that minimises the MAE of ``factor * y_pred``
    on a held-out slice (0: trust nothing, the naive baseline); the first on ties."""
    maes = [np.mean(np.abs(s * y_pred - y_true)) for s in SHRINK_GRID]
    return float(SHRINK_GRID[int(np.argmin(maes))])


def edge_t_stat(y_true: np.ndarray, y_pred: np.ndarray, overlap: int) -> float:
    """t statistic of (|naive error| - |model error|), sample size divided by label overlap."""
    diff = np.abs(y_true) - np.abs(y_pred - y_true)
    spread = float(np.std(diff, ddof=1)) if diff.size > 1 else 0.0
    if spread == 0.0:
        return 0.0
    return float(np.mean(diff) / (spread / np.sqrt(max(1.0, diff.size / overlap))))


@dataclass
class TrainReport:
    """Everything one training run learned and measured; the store saves it as a version."""

    coin: str
    timeframe: Timeframe
    horizon: str
    chosen: Algorithm
    has_edge: bool
    scores: dict[str, dict[str, float]]  # by algorithm name, the naive baseline included
    shrink: float
    model: Any
    train_window: tuple[int, int]
    test_window: tuple[int, int]
    n_train: int
    n_validation: int
    n_test: int
    gap_rows: int
    calibration: pl.DataFrame
    data_hash: str
    best_algorithm: Algorithm
    feature_names: tuple[str, ...] = FEATURE_NAMES
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def mae_ratio(self) -> float:
        naive = self.scores[NAIVE]["mae"]
        return self.scores[self.chosen]["mae"] / naive if naive else 1.0

    def save_model(self, folder: Path) -> str | None:
        """The chosen model in its library's own format (nothing for naive)."""
        return save_native(self.chosen, self.model, folder)

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` view (DESIGN.md keys plus windows and counts)."""
        return {
            "coin": self.coin,
            "timeframe": self.timeframe,
            "horizon": self.horizon,
            "chosen": self.chosen,
            "has_edge": self.has_edge,
            "scores": self.scores,
            "mae_ratio": self.mae_ratio,
            "shrink": self.shrink,
            "best_algorithm": self.best_algorithm,
            "train_window": list(self.train_window),
            "test_window": list(self.test_window),
            "samples": {
                "train": self.n_train,
                "validation": self.n_validation,
                "test": self.n_test,
                "gap": self.gap_rows,
            },
        }


def data_hash(bars: pl.DataFrame) -> str:
    """A fingerprint of the bars a model was trained on (ts and OHLCV)."""
    digest = hashlib.sha256()
    for name in ("ts", "open", "high", "low", "close", "volume"):
        digest.update(bars[name].to_numpy().tobytes())
    return digest.hexdigest()[:16]


def dataset(bars: pl.DataFrame, horizon: str) -> pl.DataFrame:
    """Features joined with their labels by timestamp; rows without a label dropped."""
    labels = forward_log_returns(bars, horizon)
    joined = build_features(bars).join(labels, on="ts", how="inner", maintain_order="left")
    return joined.filter(pl.col("target").is_not_null() & pl.col("target").is_finite())


@dataclass
class _Fitted:
    name: Algorithm
    model: Any
    shrink: float
    test_pred: np.ndarray
    seconds: float


def _fit_one(
    name: Algorithm, x: np.ndarray, y: np.ndarray, inner: Split, test: np.ndarray, seed: int
) -> _Fitted:
    start = time.perf_counter()
    model = make_estimator(name, seed).fit(x[inner.train], y[inner.train])
    shrink = fit_shrink(y[inner.test], np.asarray(model.predict(x[inner.test])))
    pred = shrink * np.asarray(model.predict(x[test]))
    return _Fitted(name, model, shrink, pred, time.perf_counter() - start)


def _check_inputs(timeframe: str, horizon: str, rows: int) -> Timeframe:
    tf = check_timeframe(timeframe)
    if duration_ms(horizon) % duration_ms(timeframe, field="timeframe"):
        raise DataError(
            N_("horizon: expected a multiple of the {timeframe} timeframe, got {horizon}"),
            timeframe=timeframe,
            horizon=horizon,
        )
    if rows < MIN_ROWS:
        raise DataError(
            N_("bars: expected at least {n} labelled rows, got {rows}"), n=MIN_ROWS, rows=rows
        )
    return tf


def train(
    coin: str,
    timeframe: str,
    horizon: str,
    bars: pl.DataFrame,
    *,
    algorithms: Sequence[str] = ALGORITHMS,
    test_fraction: float = 0.3,
    seed: int = 0,
    progress: Progress | None = None,
) -> TrainReport:
    """Fit ``algorithms`` on a time-ordered split and keep the best that beats naive."""
    names = check_algorithms(tuple(algorithms))
    data = dataset(bars, horizon)
    tf = _check_inputs(timeframe, horizon, data.height)
    ts, x, y = data["ts"].to_numpy(), feature_matrix(data), data["target"].to_numpy()
    h_ms = duration_ms(horizon)
    outer = holdout(ts, test_fraction, h_ms)
    inner_rows = holdout(ts[outer.train], VALIDATION_FRACTION, h_ms)
    inner = Split(outer.train[inner_rows.train], outer.train[inner_rows.test], inner_rows.gap)
    fitted: dict[Algorithm, _Fitted] = {}
    for done, name in enumerate(names):
        if progress:
            progress(name, done, len(names))
        fitted[name] = _fit_one(name, x, y, inner, outer.test, seed)
    if progress:
        progress("done", len(names), len(names))
    return _report(coin, tf, horizon, bars, ts, y, outer, inner, fitted)


def _choose(
    y_test: np.ndarray,
    fitted: dict[Algorithm, _Fitted],
    scores: dict[str, dict[str, float]],
    overlap: int,
) -> tuple[Algorithm, Algorithm, bool]:
    best = min(fitted, key=lambda n: scores[n]["mae"])
    better = scores[best]["mae"] < scores[NAIVE]["mae"]
    has_edge = better and edge_t_stat(y_test, fitted[best].test_pred, overlap) > EDGE_T_STAT
    return (best if has_edge else NAIVE), best, has_edge


def _scores(y_test: np.ndarray, fitted: dict[Algorithm, _Fitted]) -> dict[str, dict[str, float]]:
    """Naive and every fitted model on the test rows (with shrink and fit time), and each one's
    MAE ratio to naive."""
    scores: dict[str, dict[str, float]] = {NAIVE: score(y_test, np.zeros_like(y_test))}
    for name, fit in fitted.items():
        scores[name] = {
            **score(y_test, fit.test_pred),
            "shrink": fit.shrink,
            "fit_seconds": round(fit.seconds, 4),
        }
    for values in scores.values():
        values["mae_ratio"] = values["mae"] / scores[NAIVE]["mae"] if scores[NAIVE]["mae"] else 1.0
    return scores


def _report(
    coin: str,
    timeframe: Timeframe,
    horizon: str,
    bars: pl.DataFrame,
    ts: np.ndarray,
    y: np.ndarray,
    outer: Split,
    inner: Split,
    fitted: dict[Algorithm, _Fitted],
) -> TrainReport:
    y_test = y[outer.test]
    scores = _scores(y_test, fitted)
    chosen, best, has_edge = _choose(y_test, fitted, scores, horizon_bars(horizon, timeframe))
    pred = fitted[chosen].test_pred if chosen != NAIVE else np.zeros_like(y_test)
    calibration = pl.DataFrame({"ts": ts[outer.test], "y_true": y_test, "y_pred": pred})
    return TrainReport(
        coin=coin,
        timeframe=timeframe,
        horizon=horizon,
        chosen=chosen,
        has_edge=has_edge,
        scores=scores,
        shrink=fitted[chosen].shrink if chosen != NAIVE else 0.0,
        model=fitted[chosen].model if chosen != NAIVE else None,
        train_window=(int(ts[inner.train[0]]), int(ts[inner.test[-1]])),
        test_window=(int(ts[outer.test[0]]), int(ts[outer.test[-1]])),
        n_train=int(inner.train.size),
        n_validation=int(inner.test.size),
        n_test=int(outer.test.size),
        gap_rows=outer.gap,
        calibration=calibration,
        data_hash=data_hash(bars),
        best_algorithm=best,
    )
