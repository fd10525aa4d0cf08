"""The multi-timeframe master: sub-models on daily, hourly and 5-minute features, stacked.

Public API (stable): ``train_master(coin, horizon, bars_by_tf, *, base_timeframe=None,
n_folds=4, test_fraction=0.3, seed=0) -> MasterReport``; ``align_asof``. The folds are
``splits.expanding_folds``; inference lives in ``finbot.prediction.models.master_model``.

* Rows are the horizon's base timeframe (10m → 5m, others → 1h) with forward log-return
  labels. Each timeframe's features join those rows by TIMESTAMP with a backward as-of join
  on the bar's CLOSE time (``ts + timeframe``; ``ts`` is the open time): a daily row is
  usable only once its day has closed. The original aligned timeframes by row position.
* The master (a non-negative linear blend) is trained only on OUT-OF-FOLD sub-model
  predictions: expanding time-series folds (``splits.expanding_folds``), each sub-model fitted
  on earlier rows with a one-horizon gap before the rows it predicts (the original trained its
  master on rows its sub-models had seen).
* A final held-out window (the last ``test_fraction``) scores the master against each
  sub-model and the naive baseline; ``master_wins`` says whether the pipeline should use it
  (the original never used its master).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from finbot.errors import DataError
from finbot.i18n import N_
from finbot.prediction.features import FEATURE_NAMES, build_features, forward_log_returns
from finbot.prediction.models import (
    MASTER,
    NAIVE,
    SUB_ALGORITHM,
    Algorithm,
    Estimator,
    make_estimator,
    save_native,
)
from finbot.prediction.training.splits import Split, expanding_folds, holdout
from finbot.prediction.training.trainer import data_hash, score
from finbot.timeframes import Timeframe, default_timeframe, duration_ms

SUB_TIMEFRAMES = (Timeframe.D1, Timeframe.H1, Timeframe.M5)
MIN_ROWS = 300


def align_asof(
    base_ts: np.ndarray, base_tf: str, features: pl.DataFrame, tf: str, prefix: str
) -> pl.DataFrame:
    """For each base row (known at ``ts + base_tf``), the latest ``tf`` feature row whose bar
    has closed by then (``ts_tf + tf <= ts + base_tf``); columns renamed ``prefix + name``."""
    known = pl.DataFrame({"ts": base_ts}).with_columns(
        (pl.col("ts") + duration_ms(base_tf, field="timeframe")).alias("known")
    )
    closed = (
        features.with_columns((pl.col("ts") + duration_ms(tf, field="timeframe")).alias("known"))
        .rename({n: prefix + n for n in FEATURE_NAMES})
        .drop("ts")
    )
    return known.join_asof(closed, on="known", strategy="backward").drop("known")


@dataclass
class MasterReport:
    """What ``train_master`` measured; saved by the store under timeframe ``master``."""

    coin: str
    horizon: str
    base_timeframe: str
    sub_timeframes: tuple[str, ...]
    scores: dict[str, dict[str, float]]
    master_wins: bool
    weights: list[float]
    folds: list[Split]
    master_rows: np.ndarray
    sub_models: dict[str, Estimator]
    blender: None  # the blend is ``weights`` (no fitted blender object)
    calibration: pl.DataFrame
    train_window: tuple[int, int]
    test_window: tuple[int, int]
    n_train: int
    n_test: int
    data_hash: str
    timeframe: str = MASTER  # stored beside the timeframes, under the pseudo-timeframe "master"
    chosen: Algorithm = MASTER
    n_validation: int = 0
    gap_rows: int = 0
    shrink: float = 1.0
    feature_names: tuple[str, ...] = FEATURE_NAMES
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_edge(self) -> bool:
        return self.master_wins

    @property
    def best_algorithm(self) -> str:
        return min((k for k in self.scores if k != NAIVE), key=lambda k: self.scores[k]["mae"])

    @property
    def mae_ratio(self) -> float:
        return self.scores[MASTER]["mae"] / self.scores[NAIVE]["mae"]

    def save_model(self, folder: Path) -> str:
        for tf, model in self.sub_models.items():
            sub = folder / f"sub_{tf}"
            sub.mkdir()
            save_native(SUB_ALGORITHM, model, sub)
        (folder / "blend.json").write_text(
            json.dumps(
                {
                    "weights": self.weights,
                    "intercept": 0.0,
                    "sub_timeframes": self.sub_timeframes,
                    "base_timeframe": self.base_timeframe,
                }
            )
        )
        return "blend.json"


def _matrix(frame: pl.DataFrame, prefix: str) -> np.ndarray:
    return frame.select([prefix + n for n in FEATURE_NAMES]).to_numpy()


def _dataset(
    horizon: str, bars_by_tf: dict[str, pl.DataFrame], base_tf: str
) -> tuple[pl.DataFrame, tuple[str, ...]]:
    labels = forward_log_returns(bars_by_tf[base_tf], horizon).drop_nulls()
    base_ts = labels["ts"].to_numpy()
    frame, used = labels, []
    for tf in SUB_TIMEFRAMES:
        if tf in bars_by_tf:
            feats = build_features(bars_by_tf[tf])
            frame = frame.hstack(align_asof(base_ts, base_tf, feats, tf, f"{tf}:").drop("ts"))
            used.append(tf)
    frame = frame.drop_nulls()
    if frame.height < MIN_ROWS or not used:
        raise DataError(
            N_("master: expected at least {n} rows where every timeframe has features, got {rows}"),
            n=MIN_ROWS,
            rows=frame.height,
        )
    return frame, tuple(used)


def _fit_predict(
    x_fit: np.ndarray, y_fit: np.ndarray, x_pred: np.ndarray, seed: int
) -> tuple[Estimator, np.ndarray]:
    model = make_estimator(SUB_ALGORITHM, seed).fit(x_fit, y_fit)
    return model, np.asarray(model.predict(x_pred))


def _blend(preds: np.ndarray, y: np.ndarray) -> list[float]:
    """Non-negative least-absolute-ish blend: NNLS weights (no intercept) on OOF preds."""
    from scipy.optimize import nnls

    weights, _ = nnls(preds, y)
    return [float(w) for w in weights]


@dataclass(frozen=True)
class _Stack:
    """What ``train_master`` fitted: the blend learnt on the out-of-fold predictions of
    ``master_rows``, the sub-models refitted on the outer training rows and their predictions
    of the outer test rows (one column per timeframe of ``used``)."""

    used: tuple[str, ...]
    folds: list[Split]
    master_rows: np.ndarray
    weights: list[float]
    subs: dict[str, Estimator]
    test_preds: np.ndarray


def train_master(
    coin: str,
    horizon: str,
    bars_by_tf: dict[str, pl.DataFrame],
    *,
    base_timeframe: str | None = None,
    n_folds: int = 4,
    test_fraction: float = 0.3,
    seed: int = 0,
) -> MasterReport:
    """Sub-models per timeframe, a master on their out-of-fold predictions, a final test."""
    base_tf = base_timeframe or default_timeframe(horizon)
    frame, used = _dataset(horizon, bars_by_tf, base_tf)
    ts, y, h_ms = frame["ts"].to_numpy(), frame["target"].to_numpy(), duration_ms(horizon)
    outer = holdout(ts, test_fraction, h_ms)
    folds = expanding_folds(ts[outer.train], n_folds, h_ms)
    oof = _out_of_fold(frame, y, used, folds, seed)
    master_rows = np.concatenate([f.test for f in folds])
    weights = _blend(oof, y[master_rows])
    subs, test_preds = _fit_subs(frame, y, used, outer, seed)
    stack = _Stack(used, folds, master_rows, weights, subs, test_preds)
    return _master_report(coin, horizon, base_tf, frame, y, outer, stack, bars_by_tf[base_tf])


def _out_of_fold(
    frame: pl.DataFrame, y: np.ndarray, used: tuple[str, ...], folds: list[Split], seed: int
) -> np.ndarray:
    """Each sub-model's predictions of every fold's test rows (a column per timeframe), each
    fitted on that fold's training rows only."""
    return np.vstack(
        [
            np.concatenate(
                [
                    _fit_predict(
                        _matrix(frame, f"{tf}:")[f.train],
                        y[f.train],
                        _matrix(frame, f"{tf}:")[f.test],
                        seed,
                    )[1]
                    for f in folds
                ]
            )
            for tf in used
        ]
    ).T


def _fit_subs(
    frame: pl.DataFrame, y: np.ndarray, used: tuple[str, ...], outer: Split, seed: int
) -> tuple[dict[str, Estimator], np.ndarray]:
    """The sub-models fitted on the outer training rows, and their test predictions."""
    subs, test_preds = {}, []
    for tf in used:
        x = _matrix(frame, f"{tf}:")
        subs[tf], pred = _fit_predict(x[outer.train], y[outer.train], x[outer.test], seed)
        test_preds.append(pred)
    return subs, np.vstack(test_preds).T


def _scores(
    y_test: np.ndarray, master_pred: np.ndarray, stack: _Stack
) -> dict[str, dict[str, float]]:
    """Naive, the master and each sub-model on the test rows, with their MAE ratio to naive."""
    scores: dict[str, dict[str, float]] = {
        NAIVE: score(y_test, np.zeros_like(y_test)),
        MASTER: score(y_test, master_pred),
    }
    for i, tf in enumerate(stack.used):
        scores[f"sub_{tf}"] = score(y_test, stack.test_preds[:, i])
    for values in scores.values():
        values["mae_ratio"] = values["mae"] / scores[NAIVE]["mae"]
    return scores


def _master_report(
    coin: str,
    horizon: str,
    base_tf: str,
    frame: pl.DataFrame,
    y: np.ndarray,
    outer: Split,
    stack: _Stack,
    base_bars: pl.DataFrame,
) -> MasterReport:
    y_test, ts = y[outer.test], frame["ts"].to_numpy()
    master_pred = stack.test_preds @ np.asarray(stack.weights)
    scores = _scores(y_test, master_pred, stack)
    wins = all(scores[MASTER]["mae"] < s["mae"] for k, s in scores.items() if k != MASTER)
    return MasterReport(
        coin=coin,
        horizon=horizon,
        base_timeframe=base_tf,
        sub_timeframes=stack.used,
        scores=scores,
        master_wins=wins,
        weights=stack.weights,
        folds=stack.folds,
        master_rows=stack.master_rows,
        sub_models=stack.subs,
        blender=None,
        calibration=pl.DataFrame({"ts": ts[outer.test], "y_true": y_test, "y_pred": master_pred}),
        train_window=(int(ts[outer.train[0]]), int(ts[outer.train[-1]])),
        test_window=(int(ts[outer.test[0]]), int(ts[outer.test[-1]])),
        n_train=int(stack.master_rows.size),
        n_test=int(outer.test.size),
        data_hash=data_hash(base_bars),
        extra=_extra(stack, wins, base_tf),
    )


def _extra(stack: _Stack, wins: bool, base_tf: str) -> dict[str, object]:
    """What ``meta.json`` keeps under ``extra`` for the master."""
    return {
        "master_wins": wins,
        "sub_timeframes": list(stack.used),
        "weights": stack.weights,
        "base_timeframe": base_tf,
    }
