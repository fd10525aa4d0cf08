"""Walk-forward predictions of one horizon over the test period, and their scores.

``run_horizon`` re-runs the bot's selection at each retrain (``served``), serves the chosen
model (or naive) over the block that follows, and sizes conformal intervals on the
selection's own held-out rows, as the bot does; ``HorizonRun.metrics`` scores the served
predictions against the zero-return baseline (``significance``). The evaluation as a whole is
``evaluation.py``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from finbot.i18n import N_
from finbot.prediction.decision import confidence as cf
from finbot.prediction.decision import direction_hits
from finbot.prediction.tracking.served import (
    Selection,
    Served,
    check,
    history_at,
    model_counts,
)
from finbot.prediction.tracking.significance import diebold_mariano, spearman_ic, wilson

FloatArray = npt.NDArray[np.float64]
#: One horizon's scores (``HorizonRun.metrics``), as the report and ``--json`` show them.
HorizonMetrics = dict[str, Any]


@dataclass
class HorizonRun:
    """Out-of-sample served predictions of one horizon over the whole test period."""

    horizon: str
    ts: npt.NDArray[np.int64]
    y: FloatArray
    pred: FloatArray
    half_width: FloatArray
    mae_ratio_cal: FloatArray
    mae_cal: FloatArray
    vol_ratio: FloatArray
    has_edge: npt.NDArray[np.bool_]
    models: list[str] = field(default_factory=list)  # served model of each retrain
    blocks: list[tuple[int, int]] = field(default_factory=list)

    def metrics(self, level: float, h_bars: int) -> HorizonMetrics:
        ok = np.isfinite(self.y)
        y, p, w = self.y[ok], self.pred[ok], self.half_width[ok]
        mae, naive = float(np.mean(np.abs(y - p))), float(np.mean(np.abs(y)))
        dm, pvalue = diebold_mariano(y - p, y, h_bars)
        hits = direction_hits(y, p)
        ci = wilson(int(hits.sum()), int(hits.size))
        counts = model_counts(self.models)
        return {
            "n": int(y.size),
            "mae": mae,
            "mae_naive": naive,
            "mae_ratio": mae / naive if naive > 0 else math.nan,
            "dm_stat": dm,
            "dm_pvalue": pvalue,
            "directional_accuracy": float(hits.mean()) if hits.size else None,
            "hit_rate_ci": list(ci) if ci else None,
            "ic": spearman_ic(p, y),
            "coverage": float(np.mean(np.abs(y - p) <= w)),
            "level": level,
            "mean_interval_width": float(np.mean(2 * w)),
            "model": next(iter(counts)),
            "models": counts,
            "retrains": len(self.models),
        }


@dataclass(frozen=True)
class CoinRows:
    """One coin's feature rows: ``ts``, ``x``, the horizon's labels and the rolling vol."""

    coin: str
    timeframe: str
    ts: npt.NDArray[np.int64]
    y: FloatArray
    vol: FloatArray


@dataclass(frozen=True)
class RunSettings:
    """How every horizon is served (``run_horizon``'s keywords)."""

    selection: Selection
    blocks: list[tuple[int, int]]
    level: float
    window_ms: int | None


def _serve_block(
    served: Served, rows: CoinRows, bars: Mapping[str, pl.DataFrame], e: int, f: int, level: float
) -> tuple[FloatArray, ...]:
    cal = served.calibration
    y_cal, p_cal = cal["y_true"].to_numpy(), cal["y_pred"].to_numpy()
    vol_cal = cf.vol_asof(cal["ts"].to_numpy(), rows.ts, rows.vol)
    conformal = cf.fit_conformal(y_cal, p_cal, level, vol_cal)
    mae = float(np.mean(np.abs(y_cal - p_cal)))
    ratio = mae / max(float(np.mean(np.abs(y_cal))), 1e-12)
    reference = conformal.reference_vol or np.nan
    sigma = np.where(np.isfinite(rows.vol[e:f]), rows.vol[e:f], reference)
    return (
        served.predict(bars, rows.coin, rows.ts[e:f]),
        conformal.q * sigma,
        np.full(f - e, ratio),
        np.full(f - e, mae),
        sigma / reference,
        np.full(f - e, float(served.has_edge)),
    )


def run_horizon(
    horizon: str, rows: CoinRows, bars: Mapping[str, pl.DataFrame], run: RunSettings
) -> HorizonRun:
    """The served predictions of every retrain block, with their conformal half-widths."""
    parts: list[tuple[FloatArray, ...]] = []
    models: list[str] = []
    for e, f in run.blocks:
        cutoff = int(rows.ts[e])
        history = history_at(bars, cutoff, run.window_ms)
        served = run.selection.select(rows.coin, rows.timeframe, horizon, history)
        check(served, horizon, cutoff)
        parts.append(_serve_block(served, rows, bars, e, f, run.level))
        models.append(served.model)
    e0, f1 = run.blocks[0][0], run.blocks[-1][1]
    pred, width, ratios, maes, vratio, edge = (
        np.concatenate([p[i] for p in parts]) for i in range(6)
    )
    return HorizonRun(
        horizon,
        rows.ts[e0:f1],
        rows.y[e0:f1],
        pred,
        width,
        ratios,
        maes,
        vratio,
        edge.astype(bool),
        models,
        list(run.blocks),
    )


def dataset(
    bars: pl.DataFrame, horizons: list[str]
) -> tuple[npt.NDArray[np.int64], dict[str, FloatArray], FloatArray]:
    """Feature rows: ts, a label column per horizon (NaN where unknown), rolling vol."""
    from finbot.errors import DataError
    from finbot.prediction.features import build_features, forward_log_returns

    feats = build_features(bars)
    if feats.height < 200:
        raise DataError(
            N_("evaluation: {height} feature rows; expected at least 200"), height=feats.height
        )
    ts = feats["ts"].to_numpy().astype(np.int64)
    labels = {}
    for h in horizons:
        joined = feats.select("ts").join(
            forward_log_returns(bars, h), on="ts", how="left", maintain_order="left"
        )
        labels[h] = joined["target"].fill_null(np.nan).to_numpy().astype(np.float64)
    vol = cf.vol_asof(ts, bars["ts"].to_numpy(), cf.rolling_vol(bars["close"].to_numpy()))
    return ts, labels, vol
