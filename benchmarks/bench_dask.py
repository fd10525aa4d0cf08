"""Dask measured (issue 14.5): training 10 coins x 5 horizons x 4 algorithms + naive with
``training.backend = "dask"`` on a 2-worker LocalCluster (no ``dask_address``: finbot starts
one for the run) against joblib's 2 loky workers, each in a fresh subprocess (cluster or pool
start-up included), once each. The home is ``bench_many_coins``'s 10-coin home (a year of
hourly bars per coin, backfilled from the replay server).

Against an existing cluster: ``training.dask_address = "tcp://scheduler:8786"``; every worker
must see the home's Parquet store and model folder at the same path (shared storage) and run
the same finbot version (README, "Training on a Dask cluster").
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from benchmarks.common import load_avg, python, quiet_env, row, run_measured

SCRIPT = """
import json, sys, time
from finbot.prediction.training.fanout import train_all
from finbot.services import Services
services = Services.at(sys.argv[1])
settings = services.settings
training = settings.general.training.model_copy(
    update={"backend": sys.argv[2], "workers": 2, "dask_address": None, "threads_per_model": 1})
coins = list(settings.coins.ids)[:10]
start = time.perf_counter()
out = train_all(services.bar_store, services.model_store, training, coins,
                list(settings.general.horizons))
print(json.dumps({"seconds": time.perf_counter() - start, "tasks": len(out),
                  "errors": [t["error"] for t in out if "error" in t]}))
"""


def bench_home() -> Path:
    from benchmarks.bench_many_coins import measure

    return Path(measure(10)["home"])


@functools.lru_cache(maxsize=2)
def train_measured(backend: str) -> tuple[float, float, int]:
    """(seconds of train_all, peak tree RSS MB, tasks without error) for ``backend``."""
    home = bench_home()
    measured = run_measured([python(), "-c", SCRIPT, str(home), backend], env=quiet_env(home))
    if measured.returncode != 0:
        raise RuntimeError(f"{backend} training failed: {measured.stderr[-2000:]}")
    report = json.loads(measured.stdout.strip().splitlines()[-1])
    ok = int(report["tasks"]) - len(report["errors"])
    return float(report["seconds"]), measured.peak_rss_mb, ok


def run() -> list[dict[str, Any]]:
    joblib_s, joblib_mb, joblib_ok = train_measured("joblib")
    dask_s, dask_mb, dask_ok = train_measured("dask")
    return [
        row(
            "dask: training 10 coins x 5 horizons, 2-worker LocalCluster vs joblib 2 workers",
            dask_s,
            joblib_s,
            "s",
            "all 50 tasks; within 1.5x of joblib",
            dask_ok == joblib_ok == 50 and dask_s <= 1.5 * joblib_s,
            peak_rss_mb=round(dask_mb, 1),
            joblib_peak_rss_mb=round(joblib_mb, 1),
            runs=1,
            load_avg=load_avg(),
            baseline_is="the same tasks on joblib's 2 loky workers (pool start-up included)",
        )
    ]


if __name__ == "__main__":
    for result in run():
        print(result)
