"""Walk-forward predictions of one horizon over the test period, and their scores.

``run_horizon`` refits the model per fold (``finbot.prediction.training``'s ``walk_forward``),
shrinks its predictions toward zero and sizes conformal intervals on the calibration block;
``HorizonRun.metrics`` scores them against the zero-return baseline, with the Diebold–Mariano
test (``diebold_mariano``). The evaluation as a whole is ``evaluation.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl
from scipy import stats

from finbot.errors import DataError
from finbot.prediction.decision import confidence as cf
from finbot.prediction.decision import hit_rate
from finbot.prediction.training import Fold, fit_shrink, walk_forward
from finbot.timeframes import duration_ms

FloatArray = npt.NDArray[np.float64]
#: One horizon's scores (``HorizonRun.metrics``), as the report and ``--json`` show them.
HorizonMetrics = dict[str, Any]


def diebold_mariano(e_model: object, e_naive: object, h: int = 1) -> tuple[float, float]:
    """(HLN-corrected DM statistic, two-sided p-value) for absolute-error loss."""
    d = np.abs(np.asarray(e_model, dtype=np.float64)) - np.abs(
        np.asarray(e_naive, dtype=np.float64)
    )
    n = d.size
    if n < 3:
        return math.nan, math.nan
    dc = d - d.mean()
    gammas = [float(dc @ dc) / n] + [float(dc[k:] @ dc[:-k]) / n for k in range(1, min(h, n))]
    var = (gammas[0] + 2.0 * sum(gammas[1:])) / n
    if var <= 0:
        var = gammas[0] / n
    if var <= 0:
        return 0.0, 1.0
    dm = float(d.mean()) / math.sqrt(var)
    hln = dm * math.sqrt(max(n + 1 - 2 * h + h * (h - 1) / n, 1e-12) / n)
    return hln, float(2.0 * stats.t.sf(abs(hln), df=n - 1))


@dataclass
class HorizonRun:
    """Out-of-sample predictions of one horizon over the whole test period."""

    horizon: str
    ts: npt.NDArray[np.int64]
    y: FloatArray
    pred: FloatArray
    half_width: FloatArray
    mae_ratio_cal: FloatArray
    mae_cal: FloatArray
    vol_ratio: FloatArray
    folds: list[Fold] = field(default_factory=list)

    def metrics(self, level: float, h_bars: int) -> HorizonMetrics:
        ok = np.isfinite(self.y)
        y, p, w = self.y[ok], self.pred[ok], self.half_width[ok]
        mae, naive = float(np.mean(np.abs(y - p))), float(np.mean(np.abs(y)))
        dm, pvalue = diebold_mariano(y - p, y, h_bars)
        return {
            "n": int(y.size),
            "mae": mae,
            "mae_naive": naive,
            "mae_ratio": mae / naive if naive > 0 else math.nan,
            "dm_stat": dm,
            "dm_pvalue": pvalue,
            "directional_accuracy": hit_rate(y, p),
            "coverage": float(np.mean(np.abs(y - p) <= w)),
            "level": level,
            "mean_interval_width": float(np.mean(2 * w)),
        }


def _fit_predict(
    algorithm: str, x: FloatArray, y: FloatArray, fold: Fold, seed: int
) -> tuple[FloatArray, FloatArray]:
    """Fit on the fold's training rows; predict its calibration and test rows."""
    from finbot.prediction.models import make_estimator

    a, b = fold.train
    rows = np.arange(a, b)[np.isfinite(y[a:b])]
    model = make_estimator(algorithm, seed)
    model.fit(x[rows], y[rows])
    (c, d), (e, f) = fold.calibration, fold.test
    return np.asarray(model.predict(x[c:d]), float), np.asarray(model.predict(x[e:f]), float)


def run_horizon(
    horizon: str,
    ts: npt.NDArray[np.int64],
    x: FloatArray,
    y: FloatArray,
    vol: FloatArray,
    *,
    algorithm: str,
    n_folds: int,
    level: float,
    seed: int = 0,
    rolling_rows: int | None = None,
) -> HorizonRun:
    """Walk-forward predictions, shrunk toward zero and with conformal half-widths."""
    folds = walk_forward(ts, duration_ms(horizon), n_folds, rolling_rows=rolling_rows)
    parts: list[tuple[FloatArray, ...]] = []
    for fold in folds:
        fold.check(ts, duration_ms(horizon))
        cal_pred, test_pred = _fit_predict(algorithm, x, y, fold, seed)
        (c, d), (e, f) = fold.calibration, fold.test
        ok = np.isfinite(y[c:d])
        k = fit_shrink(y[c:d][ok], cal_pred[ok])
        cal = cf.fit_conformal(y[c:d], k * cal_pred, level, vol[c:d])
        mae = float(np.mean(np.abs(y[c:d][ok] - k * cal_pred[ok])))
        ratio = mae / max(float(np.mean(np.abs(y[c:d][ok]))), 1e-12)
        sigma = np.where(np.isfinite(vol[e:f]), vol[e:f], cal.reference_vol or np.nan)
        parts.append(
            (
                k * test_pred,
                cal.q * sigma,
                np.full(f - e, ratio),
                np.full(f - e, mae),
                sigma / (cal.reference_vol or np.nan),
            )
        )
    e0, f1 = folds[0].test[0], folds[-1].test[1]
    pred, width, ratios, maes, vratio = (np.concatenate([p[i] for p in parts]) for i in range(5))
    return HorizonRun(horizon, ts[e0:f1], y[e0:f1], pred, width, ratios, maes, vratio, folds)


def dataset(
    bars: pl.DataFrame, horizons: list[str]
) -> tuple[npt.NDArray[np.int64], FloatArray, dict[str, FloatArray], FloatArray]:
    """Feature rows: ts, X, a label column per horizon (NaN where unknown), rolling vol."""
    from finbot.prediction.features import build_features, feature_matrix, forward_log_returns

    feats = build_features(bars)
    if feats.height < 200:
        raise DataError(f"evaluation: {feats.height} feature rows; expected at least 200")
    ts = feats["ts"].to_numpy().astype(np.int64)
    labels = {}
    for h in horizons:
        joined = feats.select("ts").join(
            forward_log_returns(bars, h), on="ts", how="left", maintain_order="left"
        )
        labels[h] = joined["target"].fill_null(np.nan).to_numpy().astype(np.float64)
    vol = cf.vol_asof(ts, bars["ts"].to_numpy(), cf.rolling_vol(bars["close"].to_numpy()))
    return ts, feature_matrix(feats), labels, vol
