"""Training: 10 coins x 5 horizons x (linear, random forest, LightGBM, XGBoost) + naive on
2 years of hourly bars each (the 10 m horizon on 5 m bars), and each set's volatility model
(as ``finbot train`` fits it: ``Services.volatility_training``), 2 loky workers, then the
pooled model of each horizon over the 10 coins (timed apart: its own row), in a subprocess
whose whole process tree is sampled for the peak RSS. Run once (about a minute or two); the
data are the demo home's (the demo benchmark collected them).

Also the bounded RandomForest against an unbounded one (unlimited depth, all rows, all
features) on one task (bitcoin 1 h): fit time and the test-window MAE relative to naive of
both, so the accuracy given up for the bound is on record. The unbounded forest is fitted with
``UNBOUNDED_TREES`` trees and its time scaled to 100 (it grows linearly with the trees): the
full 100-tree fit took 217 s on this box, too long for ``make bench`` (MAE ratio 1.0275 against
the bounded forest's 1.0002: unbounded trees overfit the noise of hourly returns).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from benchmarks.common import load_avg, python, quiet_env, row, run_measured, trained_home

TARGET_S = 120.0
TARGET_PEAK_MB = 1536.0
UNBOUNDED_TREES = 20
SPEC_S = 10 * 120.0  # the spec: 2-5 min per coin; its low end for 10 coins

TRAIN_SCRIPT = """
import json, sys, time
from finbot.prediction.training.fanout import train_all
from finbot.services import Services
services = Services.at(sys.argv[1])
settings = services.settings
coins = list(settings.coins.ids)[: int(sys.argv[3])]
stores = services.bar_store, services.model_store
from finbot.prediction.training import train_pooled_all
training, horizons = settings.general.training, list(settings.general.horizons)
start = time.perf_counter()
out = train_all(*stores, training, coins, horizons, workers=int(sys.argv[2]), pooled=False,
                volatility=services.volatility_training)
per_coin = time.perf_counter() - start
pooled = train_pooled_all(*stores, training, coins, horizons)
vol = [t.get("volatility", {}) for t in out]
print(json.dumps({"seconds": time.perf_counter() - start, "per_coin_seconds": per_coin,
                  "pooled_seconds": time.perf_counter() - start - per_coin, "tasks": len(out),
                  "pooled_served": sum(bool(p.get("served")) for p in pooled),
                  "pooled_results": len(pooled),
                  "volatility_models": sum(1 for v in vol if "version" in v),
                  "volatility_errors": sorted({v["error"] for v in vol if "error" in v}),
                  "errors": [t["error"] for t in out + pooled if "error" in t]}))
"""


def train_in_subprocess(home: Path, workers: int, coins: int) -> tuple[float, float, dict]:
    """(wall seconds of train_all, peak tree RSS MB, the script's JSON) in a fresh process."""
    measured = run_measured(
        [python(), "-c", TRAIN_SCRIPT, str(home), str(workers), str(coins)], env=quiet_env(home)
    )
    if measured.returncode != 0:
        raise RuntimeError(f"training failed: {measured.stderr[-2000:]}")
    report = json.loads(measured.stdout.strip().splitlines()[-1])
    return float(report["seconds"]), measured.peak_rss_mb, report


def forest_cost(home: Path) -> dict[str, Any]:
    """Bounded vs unbounded RandomForest on bitcoin 1 h: fit seconds and MAE / naive MAE."""
    import numpy as np
    from sklearn.ensemble import RandomForestRegressor

    from finbot.paths import Paths
    from finbot.prediction.features.feature_builder import feature_matrix
    from finbot.prediction.models.algorithms import make_estimator
    from finbot.prediction.training.splits import holdout
    from finbot.prediction.training.trainer import dataset
    from finbot.storage.parquet_writer import BarStore
    from finbot.timeframes import HOUR_MS

    bars = BarStore(Paths.resolve(home).parquet_dir).read("bitcoin", "1h")
    data = dataset(bars, "1h")
    x, y = feature_matrix(data), data["target"].to_numpy()
    split = holdout(data["ts"].to_numpy(), 0.3, HOUR_MS)
    naive = float(np.mean(np.abs(y[split.test])))
    out: dict[str, Any] = {"rows_train": int(split.train.size), "rows_test": int(split.test.size)}
    for label, model in (
        ("bounded", make_estimator("random_forest", 0)),
        (
            "unbounded",
            RandomForestRegressor(n_estimators=UNBOUNDED_TREES, n_jobs=1, random_state=0),
        ),
    ):
        start = time.perf_counter()
        model.fit(x[split.train], y[split.train])
        out[f"{label}_fit_s"] = round(time.perf_counter() - start, 3)
        pred = model.predict(x[split.test])
        out[f"{label}_mae_ratio"] = round(float(np.mean(np.abs(pred - y[split.test]))) / naive, 4)
    out["unbounded_trees"] = UNBOUNDED_TREES
    out["unbounded_fit_s_100_trees"] = round(out["unbounded_fit_s"] * 100 / UNBOUNDED_TREES, 1)
    return out


def run() -> list[dict[str, Any]]:
    home = trained_home()
    seconds, peak, report = train_in_subprocess(home, 2, 10)
    forest = forest_cost(home)
    return [
        row(
            "training: 10 coins x 5 horizons x 4 algos + naive + volatility, and pooled, 2 workers",
            seconds,
            SPEC_S,
            "s",
            "<= 120 s",
            seconds <= TARGET_S,
            runs=1,
            tasks=report["tasks"],
            per_coin_s=round(report["per_coin_seconds"], 2),
            pooled_s=round(report["pooled_seconds"], 2),
            errors=report["errors"],
            volatility_models=report["volatility_models"],
            volatility_errors=report["volatility_errors"],
            load_avg=load_avg(),
            baseline_is="spec: 2 min per coin x 10 coins",
        ),
        row(
            "training: pooled models, 10 coins x 5 horizons (one LightGBM per horizon)",
            report["pooled_seconds"],
            report["per_coin_seconds"],
            "s",
            "inside the 120 s above",
            seconds <= TARGET_S,
            runs=1,
            pooled_results=report["pooled_results"],
            pooled_served=report["pooled_served"],
            load_avg=load_avg(),
            baseline_is="the per-coin models of the same run",
        ),
        row(
            "memory: full training run, peak RSS (all processes)",
            peak,
            2048.0,
            "MB",
            "<= 1536 MB",
            peak <= TARGET_PEAK_MB,
            runs=1,
            baseline_is="spec: 2-4 GB (low end)",
        ),
        row(
            "training: bounded RandomForest fit vs unbounded (bitcoin 1h)",
            forest["bounded_fit_s"],
            forest["unbounded_fit_s_100_trees"],
            "s",
            "bounded, accuracy cost reported",
            True,
            runs=1,
            **forest,
            accuracy_cost=round(forest["bounded_mae_ratio"] - forest["unbounded_mae_ratio"], 4),
        ),
    ]


if __name__ == "__main__":
    for result in run():
        print(result)
