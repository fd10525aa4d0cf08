"""A fork server for the crash-safety test: imports finbot once, then, for every line
``KIND SEED HOME [BASE_URL]`` read on stdin, forks a child that takes the home's instance lock
(as the bot does), then works in a loop until the test SIGKILLs it; prints the child's PID.

Forking from a warm process makes each of the ~60 kills cost milliseconds instead of a fresh
interpreter. Run as ``python -m tests.reliability.crash_child`` with BLAS/OpenMP limited to one
thread (set by the test) so the forked children never inherit a half-initialised pool.
"""

from __future__ import annotations

import os
import random
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

# imported before any fork, used only in the children
import numpy as np
import polars as pl
import skops.io  # noqa: F401 - warm import for the model saves
import sqlalchemy  # noqa: F401
from sklearn.linear_model import LinearRegression

from finbot.clock import FakeClock
from finbot.collectors.common import prices_dataset
from finbot.collectors.historical_collector import collect_historical
from finbot.config import load_settings
from finbot.ops.process import InstanceLock
from finbot.paths import Paths
from finbot.prediction.features.feature_builder import FEATURE_NAMES
from finbot.prediction.models.model_store import ModelStore
from finbot.prediction.tracking.prediction_tracker import NewPrediction, PredictionTracker
from finbot.prediction.training.trainer import TrainReport
from finbot.services import Services
from finbot.storage.db import engine_for
from finbot.storage.parquet_writer import BarStore
from tests.fixtures.replay import REPLAY_END_MS
from tests.fixtures.storage import HOUR_MS, JAN_2024_MS, make_bars

UNIVERSE = 2_000  # hourly bars every upsert child draws its slices from (about 3 months)
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def universe() -> pl.DataFrame:
    return make_bars(UNIVERSE, seed=3)


def price_rows(seed: int) -> pl.DataFrame:
    """Price snapshots (the prices dataset's shape) drawn from one deterministic universe."""
    rng = np.random.default_rng(seed)
    ts = JAN_2024_MS + np.sort(rng.choice(UNIVERSE, 40, replace=False)) * HOUR_MS
    usd = 40_000.0 + ts / 1e9
    return pl.DataFrame(
        {
            "ts": ts,
            "usd": usd,
            "eur": usd * 0.9,
            "market_cap_usd": usd * 19e6,
            "volume_24h_usd": usd * 1e3,
            "change_24h_pct": usd * 0 + 1.0,
            "collected_ms": ts,
        }
    )


def tiny_report(seed: int) -> TrainReport:
    """The smallest report ModelStore.save accepts: a fitted LinearRegression on the features."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(120, len(FEATURE_NAMES)))
    y = x[:, 0] * 0.01 + rng.normal(0, 0.001, 120)
    model = LinearRegression().fit(x, y)
    calibration = pl.DataFrame(
        {
            "ts": np.arange(60, dtype=np.int64) * HOUR_MS,
            "y_true": y[:60],
            "y_pred": model.predict(x[:60]),
        }
    )
    scores = {
        "linear": {"mae": 0.8, "rmse": 1.0, "directional_accuracy": 0.6},
        "naive": {"mae": 1.0, "rmse": 1.2, "directional_accuracy": 0.5},
    }
    return TrainReport(
        coin="bitcoin",
        timeframe="1h",
        horizon="1h",
        chosen="linear",
        model=model,
        calibration=calibration,
        feature_names=FEATURE_NAMES,
        train_window=(0, 1),
        test_window=(2, 3),
        n_train=80,
        n_validation=20,
        n_test=20,
        gap_rows=1,
        scores=scores,  # mae_ratio 0.8
        has_edge=True,
        best_algorithm="linear",
        shrink=0.5,
        data_hash=f"h{seed}",
        extra={},
    )


def work_upsert(paths: Paths, rng: random.Random, _url: str | None) -> None:
    store, bars = BarStore(paths.parquet_dir), universe()
    prices = prices_dataset(paths.parquet_dir)
    while True:
        start = rng.randrange(UNIVERSE - 50)
        store.upsert("bitcoin", "1h", bars.slice(start, rng.randrange(1, 900)))
        prices.upsert(price_rows(rng.randrange(10**6)), partition="bitcoin")


def work_model(paths: Paths, rng: random.Random, _url: str | None) -> None:
    store, report = ModelStore(paths.models_dir), tiny_report(rng.randrange(100))
    n = 0
    while True:
        n += 1
        status = "rejected" if rng.random() < 0.2 else "accepted"
        store.save(
            report,
            status=status,
            reason=None if status == "accepted" else "worse",
            trained_at=T0 + timedelta(seconds=rng.randrange(10**6), microseconds=n),
        )
        if n % 3 == 0:
            store.cleanup(keep=2)


def work_tracker(paths: Paths, rng: random.Random, _url: str | None) -> None:
    tracker = PredictionTracker(engine_for(paths.db_url))
    store = BarStore(paths.parquet_dir)
    while True:
        as_of = JAN_2024_MS + rng.randrange(200) * HOUR_MS
        price = 40_000.0 * (1 + rng.uniform(-0.01, 0.01))
        tracker.record(
            NewPrediction(
                coin="bitcoin",
                horizon="1h",
                timeframe="1h",
                made_at=as_of,
                as_of=as_of,
                last_price=40_000.0,
                predicted_price=price,
                predicted_return=float(np.log(price / 4e4)),
                interval_low=price * 0.99,
                interval_high=price * 1.01,
                level=0.8,
                confidence=55.0,
                decision="HOLD",
                model="linear",
                model_version="v1",
                source="scheduler",
            )
        )
        if rng.random() < 0.3:
            tracker.resolve_due(store, JAN_2024_MS + 400 * HOUR_MS)


def work_backfill(paths: Paths, rng: random.Random, url: str | None) -> None:
    settings = load_settings(paths)
    while True:
        clock = FakeClock(REPLAY_END_MS / 1000)
        with Services(paths, settings, base_url=url, clock=clock) as services:
            collect_historical(services.collectors, ["bitcoin"], days=rng.choice((20, 40, 60)))


WORK = {
    "upsert": work_upsert,
    "model": work_model,
    "tracker": work_tracker,
    "backfill": work_backfill,
}


def child(kind: str, seed: int, home: str, url: str | None) -> None:
    paths = Paths.resolve(home)
    InstanceLock(paths, timeout=30).acquire()  # as the bot: killed, it leaves a stale PID file
    WORK[kind](paths, random.Random(seed), url)


def main() -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    print("ready", flush=True)
    for line in sys.stdin:
        kind, seed, home, *url = line.split()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                child(kind, int(seed), home, url[0] if url else None)
            except BaseException as exc:  # noqa: BLE001 - report, then leave without cleanup
                Path(home, "child-error.txt").write_text(f"{type(exc).__name__}: {exc}")
                code = 1
            os._exit(code)
        print(pid, flush=True)


if __name__ == "__main__":
    main()
