"""Pooled vs per-coin vs naive, out of sample, on the shared real hourly data.

``python -m benchmarks.bench_pooled`` prints the table and writes ``benchmarks/pooled.json``.
Every coin of ``../shared/data/real/binance-2024h1`` (1 h bars), horizons 1 h, 6 h and 12 h.
Protocol: ``FOLDS`` expanding folds over the last ``TEST_SHARE`` of the timestamps; each test
block is predicted by models fitted on the rows whose label ends before it (purge of one
horizon, by timestamp for every coin at once). Per fold:

* pooled: ``fit_pooled_rows`` (its own purged validation slice picks L1 / Huber / L2, the
  coin input and the shrink) on every coin's rows;
* per-coin: the trainer's LightGBM (L1) on the coin's 26 indicators, shrink fitted on the
  last 20 % of its training rows (purged), as ``trainer.train`` does;
* naive: a zero return.

Figures per coin × horizon, then averaged over coins: MAE ratio to naive (pooled over the
folds' rows), IC (Spearman rank correlation of forecast and outcome, mean over folds) and
hit rate (the trainer's directional accuracy). Raw models only: which one the bot would serve
is chosen on its own holdout before the test block (the evaluation command runs that
selection inside each walk-forward fold); choosing it here on the test block would be
look-ahead.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from benchmarks.quality import DATA, load_hourly

HERE = Path(__file__).resolve().parent
HORIZONS: tuple[str, ...] = ("1h", "6h", "12h")
FOLDS = 3
TEST_SHARE = 0.45
MODELS = ("pooled", "per_coin")


def load_all(folder: Path = DATA) -> dict[str, pl.DataFrame]:
    return {p.name.removesuffix("_1h.csv"): load_hourly(p) for p in sorted(folder.glob("*_1h.csv"))}


def _per_coin(rows: pl.DataFrame, train: np.ndarray, horizon: str) -> Any:
    """The trainer's LightGBM and shrink on one coin's training rows."""
    from finbot.prediction.features import FEATURE_NAMES
    from finbot.prediction.models import make_estimator
    from finbot.prediction.training import fit_shrink
    from finbot.prediction.training.pooled_trainer import time_split
    from finbot.timeframes import duration_ms

    fit_rows = rows.filter(pl.Series(train))
    x, y = fit_rows.select(FEATURE_NAMES).to_numpy(), fit_rows["target"].to_numpy()
    inner, val = time_split(fit_rows["ts"].to_numpy(), 0.2, duration_ms(horizon))
    model = make_estimator("lightgbm", 0).fit(x[inner], y[inner])
    shrink = fit_shrink(y[val], np.asarray(model.predict(x[val])))
    return lambda frame: shrink * np.asarray(model.predict(frame.select(FEATURE_NAMES).to_numpy()))


def fold_predictions(data: pl.DataFrame, horizon: str, fold: int) -> tuple[pl.DataFrame, dict]:
    """One fold's test rows with every model's forecast, and the pooled choice made."""
    from finbot.prediction.training import PooledConfig, fit_pooled_rows
    from finbot.timeframes import duration_ms

    distinct = np.unique(data["ts"].to_numpy())
    edges = np.linspace(1 - TEST_SHARE, 1.0, FOLDS + 1)
    lo = distinct[int(distinct.size * edges[fold])]
    hi = distinct[min(distinct.size - 1, int(distinct.size * edges[fold + 1]))]
    ts = data["ts"].to_numpy()
    train = ts + duration_ms(horizon) < lo
    test = (ts >= lo) & ((ts < hi) | (fold == FOLDS - 1))
    model = fit_pooled_rows(data.filter(pl.Series(train)), horizon, PooledConfig(n_jobs=2))
    block = data.filter(pl.Series(test))
    block = block.with_columns(pl.Series("pooled", model.predict(block)))
    parts = []
    for coin in model.pool:
        mine = data["coin"].to_numpy() == coin
        own = _per_coin(data.filter(pl.Series(mine)), train[mine], horizon)
        rows = block.filter(pl.col("coin") == coin)
        rows = rows.with_columns(pl.Series("per_coin", own(rows)))
        parts.append(rows)
    choice = {
        "objective": model.objective,
        "coin_feature": model.coin_feature,
        "shrink": model.shrink,
    }
    return pl.concat(parts).select("ts", "coin", "target", *MODELS), choice


def _metrics(y: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """MAE ratio, IC and hit rate; the hit rate is NaN when no forecast calls a direction
    (a model shrunk to zero), and the means over coins leave such coins out."""
    from scipy.stats import spearmanr

    from finbot.prediction.decision import hit_rate

    ic = float(spearmanr(pred, y).statistic) if np.std(pred) > 0 else 0.0
    naive = float(np.mean(np.abs(y)))
    return {
        "mae_ratio": float(np.mean(np.abs(pred - y))) / naive,
        "ic": ic,
        "hit_rate": float("nan") if (rate := hit_rate(y, pred)) is None else rate,
    }


def horizon_figures(frames: dict[str, pl.DataFrame], horizon: str) -> dict[str, Any]:
    from finbot.prediction.features import pooled_dataset

    data = pooled_dataset(frames, "1h", horizon)
    folds = [fold_predictions(data, horizon, k) for k in range(FOLDS)]
    rows = pl.concat([f[0].with_columns(pl.lit(k).alias("fold")) for k, f in enumerate(folds)])
    per_coin: dict[str, dict[str, dict[str, float]]] = {}
    for coin in sorted(frames):
        mine = rows.filter(pl.col("coin") == coin)
        per_coin[coin] = {}
        for name in MODELS:
            whole = _metrics(mine["target"].to_numpy(), mine[name].to_numpy())
            ics = [
                _metrics(f["target"].to_numpy(), f[name].to_numpy())["ic"]
                for f in mine.partition_by("fold")
            ]
            per_coin[coin][name] = whole | {"ic": float(np.mean(ics))}
    mean = {
        name: {
            k: float(np.nanmean([per_coin[c][name][k] for c in per_coin]))
            for k in ("mae_ratio", "ic", "hit_rate")
        }
        for name in MODELS
    }
    return {"mean": mean, "per_coin": per_coin, "choices": [f[1] for f in folds]}


def run(horizons: Sequence[str] = HORIZONS) -> dict[str, Any]:
    frames = load_all()
    start = time.perf_counter()
    out = {h: horizon_figures(frames, h) for h in horizons}
    return {
        "data": str(DATA.relative_to(HERE.parents[1])),
        "coins": sorted(frames),
        "folds": FOLDS,
        "test_share": TEST_SHARE,
        "seconds": round(time.perf_counter() - start, 1),
        "horizons": out,
    }


def format_table(result: dict[str, Any]) -> str:
    lines = [f"{'horizon':<8}{'model':<10}{'MAE ratio':>10}{'IC':>8}{'hit rate':>10}"]
    for horizon, figures in result["horizons"].items():
        for name in ("naive", *MODELS):
            m = figures["mean"].get(name, {"mae_ratio": 1.0, "ic": 0.0, "hit_rate": 0.5})
            lines.append(
                f"{horizon:<8}{name:<10}{m['mae_ratio']:>10.4f}{m['ic']:>8.4f}{m['hit_rate']:>10.4f}"
            )
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    horizons = tuple(argv) or HORIZONS
    result = run(horizons)
    (HERE / "pooled.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(format_table(result))
    print(f"{len(result['coins'])} coins, {FOLDS} folds, {result['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
