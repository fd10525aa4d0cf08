"""Memory: the scheduler running with 10 coins and all 50 models loaded, in a subprocess.

The subprocess starts the real scheduler (every job of ``job_specs``, the collectors' start-up
runs included, against a loopback replay server in this process), loads every coin x horizon
model of the demo home through one ``ModelStore`` and predicts with each (so features,
LightGBM/XGBoost/scikit-learn and the bars are all in memory), lets the jobs run for
``SETTLE_S`` seconds, then exits. Its whole process tree is sampled for the peak RSS; run once.
The full-training peak is in ``bench_training``.
"""

from __future__ import annotations

import json
import time
from typing import Any

from benchmarks.common import load_avg, python, quiet_env, row, run_measured, trained_home

TARGET_MB = 400.0
SETTLE_S = 10
SCRIPT = """
import json, sys, time
import psutil
from finbot.ops.scheduler import job_specs, start_scheduler
from finbot.prediction.pipeline import predict
from finbot.services import Services
services = Services.at(sys.argv[1], base_url=sys.argv[2])
settings = services.settings
scheduler = start_scheduler(services, job_specs(services))
store, bar_store = services.model_store, services.bar_store
loaded = 0
for coin in settings.coins.ids:
    for horizon in settings.general.horizons:
        try:
            predict(coin, horizon, store=store, bar_store=bar_store)
            loaded += 1
        except Exception as exc:
            print(f"{coin} {horizon}: {exc}", file=sys.stderr)
time.sleep(float(sys.argv[3]))
rss = psutil.Process().memory_info().rss / 2**20
scheduler.shutdown(wait=True)
print(json.dumps({"loaded": loaded, "rss_mb": rss, "jobs": len(scheduler.get_jobs())}))
"""


def run() -> list[dict[str, Any]]:
    from finbot.clock import SystemClock
    from finbot.replay import HistorySource, ReplayServer
    from finbot.replay.synthetic import generate_history
    from finbot.timeframes import DAY_MS

    home = trained_home()
    day = DAY_MS
    end = (int(time.time() * 1000) // day + 1) * day
    history = generate_history(
        [
            "bitcoin",
            "ethereum",
            "solana",
            "binancecoin",
            "ripple",
            "cardano",
            "avalanche-2",
            "chainlink",
            "dogecoin",
            "polygon-ecosystem-token",
        ],
        end - 30 * day,
        end,
        7,
        hourly_days=30,
        m5_days=2,
    )
    with ReplayServer(HistorySource(history, label="synthetic"), clock=SystemClock()) as server:
        measured = run_measured(
            [python(), "-c", SCRIPT, str(home), server.url, str(SETTLE_S)], env=quiet_env(home)
        )
    if measured.returncode != 0:
        raise RuntimeError(f"scheduler process failed: {measured.stderr[-2000:]}")
    report = json.loads(measured.stdout.strip().splitlines()[-1])
    peak = measured.peak_rss_mb
    return [
        row(
            "memory: scheduler + 10 coins + all models loaded, peak RSS",
            peak,
            2048.0,
            "MB",
            "<= 400 MB",
            peak <= TARGET_MB,
            runs=1,
            models_loaded=report["loaded"],
            rss_at_end_mb=round(report["rss_mb"], 1),
            settle_s=SETTLE_S,
            load_avg=load_avg(),
            baseline_is="spec: 2-4 GB (low end)",
        )
    ]


if __name__ == "__main__":
    for result in run():
        print(result)
