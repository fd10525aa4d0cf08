"""Prediction: warm ``pipeline.predict`` against raw ``Booster.predict`` on one prepared row,
and the cold ``finbot predict --json`` CLI as a subprocess.

A LightGBM model of bitcoin 1 h is trained on the demo home's bars and saved in a temp home
(forced as the served model, so the comparison is LightGBM against LightGBM; the demo may
have chosen naive). Warm: one long-lived ``ModelStore`` (models cached) and one ``BarStore``
tail cache, 300 calls, p50 and p99. Baseline: ``Booster.predict`` of the prepared feature row.
Cold: median of 5 subprocess runs of ``finbot --home H predict --coin bitcoin --horizon 1h
--json`` against a bare interpreter loading the booster and predicting one row.
Pooled: the same warm p50 for bitcoin 1 h served by a pooled model over every coin of the
demo home (its live row needs the other coins' stored bars at the same timestamp).
"""

from __future__ import annotations

import dataclasses
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import (
    load_avg,
    percentile,
    python,
    quiet_env,
    row,
    run_measured,
    trained_home,
)

CALLS = 300
COLD_RUNS = 5


def prepare_home(source: Path, home: Path) -> Path:
    """A home with bitcoin's hourly bars and a LightGBM model for 1 h; its version folder."""
    from finbot.paths import Paths
    from finbot.prediction.features.feature_builder import feature_matrix
    from finbot.prediction.models.algorithms import make_estimator
    from finbot.prediction.models.model_store import ModelStore
    from finbot.prediction.training.trainer import dataset, train
    from finbot.storage.parquet_writer import BarStore

    paths = Paths.resolve(home)
    paths.ensure()
    series = "timeframe=1h/coin=bitcoin"
    shutil.copytree(Paths.resolve(source).parquet_dir / series, paths.parquet_dir / series)
    bars = BarStore(paths.parquet_dir).read("bitcoin", "1h")
    report = train("bitcoin", "1h", "1h", bars, algorithms=("lightgbm",))
    data = dataset(bars, "1h")
    model = make_estimator("lightgbm", 0).fit(feature_matrix(data), data["target"].to_numpy())
    forced = dataclasses.replace(
        report, chosen="lightgbm", model=model, shrink=float(report.scores["lightgbm"]["shrink"])
    )
    store = ModelStore(paths.models_dir)
    version = store.save(forced)
    return store.group("bitcoin", "1h", "1h") / version


def _timed(fn: Any, calls: int) -> list[float]:
    fn()
    out = []
    for _ in range(calls):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def warm_rows(home: Path, version_dir: Path) -> list[dict[str, Any]]:
    import lightgbm

    from finbot.prediction.features.feature_builder import TAIL_BARS, build_features, feature_matrix
    from finbot.prediction.pipeline import predict
    from finbot.services import Services

    services = Services.at(home)
    store, bar_store = services.model_store, services.bar_store
    ours = _timed(lambda: predict("bitcoin", "1h", store=store, bar_store=bar_store), CALLS)
    bars = bar_store.read("bitcoin", "1h", last_n=TAIL_BARS)
    prepared = feature_matrix(build_features(bars).tail(1))
    booster = lightgbm.Booster(model_file=str(version_dir / "model.txt"))
    raw = _timed(lambda: booster.predict(prepared, num_threads=1), CALLS)
    p50, p99, base = percentile(ours, 50), percentile(ours, 99), statistics.median(raw)
    extra = {
        "calls": CALLS,
        "load_avg": load_avg(),
        "baseline_is": "lightgbm Booster.predict on one prepared feature row",
    }
    return [
        row("prediction: warm pipeline.predict p50", p50, base, "ms", "<= 5 ms", p50 <= 5, **extra),
        row(
            "prediction: warm pipeline.predict p99",
            p99,
            percentile(raw, 99),
            "ms",
            "<= 20 ms",
            p99 <= 20,
            **extra,
        ),
    ]


def cold_row(home: Path, version_dir: Path) -> dict[str, Any]:
    from benchmarks.common import FINBOT

    cli = [
        str(FINBOT),
        "--home",
        str(home),
        "predict",
        "--coin",
        "bitcoin",
        "--horizon",
        "1h",
        "--json",
    ]
    bare = [
        python(),
        "-c",
        "import numpy, lightgbm; b = lightgbm.Booster(model_file="
        f"{str(version_dir / 'model.txt')!r}); b.predict(numpy.zeros((1, 26)))",
    ]
    env = quiet_env(home)
    ours, base = [], []
    for _ in range(COLD_RUNS):
        measured = run_measured(cli, env=env)
        if measured.returncode != 0:
            raise RuntimeError(f"finbot predict failed: {measured.stderr[-1500:]}")
        ours.append(measured.seconds)
        base.append(run_measured(bare, env=env).seconds)
    cold = statistics.median(ours)
    return row(
        "prediction: cold `finbot predict --json` (subprocess)",
        cold,
        statistics.median(base),
        "s",
        "<= 1.5 s",
        cold <= 1.5,
        runs=COLD_RUNS,
        load_avg=load_avg(),
        baseline_is="bare python: import lightgbm, load the booster, predict one row",
    )


def prepare_pooled_home(source: Path, home: Path) -> int:
    """A home with every coin's hourly bars and bitcoin 1 h served by a pooled model (forced,
    as above: the selection may keep the per-coin one); how many coins it pools."""
    from finbot.paths import Paths
    from finbot.prediction.models.model_store import ModelStore
    from finbot.prediction.training import PooledConfig, train_pooled
    from finbot.prediction.training.pooled_selection import pooled_report
    from finbot.storage.parquet_writer import BarStore
    from finbot.timeframes import Timeframe

    paths = Paths.resolve(home)
    paths.ensure()
    for series in (Paths.resolve(source).parquet_dir / "timeframe=1h").iterdir():
        shutil.copytree(series, paths.parquet_dir / "timeframe=1h" / series.name)
    bars = BarStore(paths.parquet_dir)
    coins = [p.name.removeprefix("coin=") for p in (paths.parquet_dir / "timeframe=1h").iterdir()]
    frames = {c: bars.read(c, "1h") for c in coins}
    run = train_pooled(frames, "1h", PooledConfig(n_jobs=2))
    report = pooled_report(run, "bitcoin", Timeframe.H1, "1h", "bench")
    assert report is not None
    ModelStore(paths.models_dir).save(report)
    return len(run.model.pool)


def pooled_warm_row(home: Path, pool: int) -> dict[str, Any]:
    from finbot.prediction.pipeline import predict
    from finbot.services import Services

    services = Services.at(home)
    store, bar_store = services.model_store, services.bar_store
    ours = _timed(lambda: predict("bitcoin", "1h", store=store, bar_store=bar_store), CALLS)
    assert predict("bitcoin", "1h", store=store, bar_store=bar_store).model == "pooled"
    p50 = percentile(ours, 50)
    return row(
        "prediction: warm pipeline.predict p50, pooled model (cross-asset features)",
        p50,
        percentile(ours, 99),
        "ms",
        "<= 5 ms",
        p50 <= 5,
        calls=CALLS,
        coins_pooled=pool,
        load_avg=load_avg(),
        baseline_is="its own p99",
    )


def run() -> list[dict[str, Any]]:
    tmp = Path(tempfile.mkdtemp(prefix="finbot-bench-predict-"))
    try:
        home = tmp / "home"
        version_dir = prepare_home(trained_home(), home)
        pooled_home = tmp / "pooled-home"
        pool = prepare_pooled_home(trained_home(), pooled_home)
        return [
            *warm_rows(home, version_dir),
            pooled_warm_row(pooled_home, pool),
            cold_row(home, version_dir),
        ]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    for result in run():
        print(result)
