"""Train every (coin, timeframe, horizon) task in parallel: joblib locally, Dask by config.

Public API (stable): ``train_all(bars, models, training, coins, horizons, *, timeframes=None,
workers=None, progress=None, algorithms=None) -> list[dict]`` (one summary per task:
coin, timeframe, horizon, chosen, mae_ratio, has_edge, version, or error);
``train_task(...)``: one task, a pure function of its arguments (picklable: the stores' root
folders, not the stores), which reads its bars and saves its version (``train_from_store``).

A task is ``(coin, timeframe, horizon)`` where the timeframe is the horizon's default
(``pipeline.default_timeframe``) unless ``timeframes`` is given. No home-made pool: joblib's
loky workers (``training.workers``), or a Dask distributed ``Client`` at
``training.dask_address`` when ``training.backend`` is ``"dask"`` (imported lazily).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from finbot.errors import ConfigError, FinbotError
from finbot.timeframes import default_timeframe

if TYPE_CHECKING:
    from finbot.config.models import Training
    from finbot.prediction.models import ModelStore
    from finbot.storage import BarStore

Task = tuple[str, str, str]
Progress = Callable[[dict[str, Any], int, int], None]


def train_task(
    bars_root: str,
    models_root: str,
    coin: str,
    timeframe: str,
    horizon: str,
    algorithms: tuple[str, ...],
    test_fraction: float,
    seed: int = 0,
) -> dict[str, Any]:
    """Read ``coin``'s bars, train, save; returns a small JSON-able summary (never raises
    a FinbotError: it is reported in ``error`` so one bad coin does not stop the others)."""
    from finbot.prediction.models import ModelStore
    from finbot.prediction.training.from_store import train_from_store
    from finbot.storage import BarStore

    summary: dict[str, Any] = {"coin": coin, "timeframe": timeframe, "horizon": horizon}
    try:  # a worker process: its own stores over the same folders
        trained = train_from_store(
            BarStore(Path(bars_root)),
            ModelStore(Path(models_root)),
            coin,
            timeframe,
            horizon,
            algorithms=algorithms,
            test_fraction=test_fraction,
            seed=seed,
        )
    except FinbotError as exc:
        return summary | {"error": str(exc)}
    report = trained.report
    return summary | {
        "chosen": report.chosen,
        "mae_ratio": report.mae_ratio,
        "has_edge": report.has_edge,
        "version": trained.version,
        "best_algorithm": report.best_algorithm,
    }


def tasks_for(
    coins: Sequence[str], horizons: Sequence[str], timeframes: Sequence[str] | None = None
) -> list[Task]:
    """Every (coin, timeframe, horizon); timeframes default to each horizon's own."""
    out = []
    for coin in coins:
        for horizon in horizons:
            for tf in timeframes or [default_timeframe(horizon)]:
                out.append((coin, tf, horizon))
    return out


def _run_joblib(
    calls: list[tuple[Any, ...]], workers: int, progress: Progress | None
) -> list[dict[str, Any]]:
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=workers, return_as="generator", backend="loky")
    results = []
    for done, result in enumerate(parallel(delayed(train_task)(*c) for c in calls), start=1):
        results.append(result)
        if progress:
            progress(result, done, len(calls))
    return results


def _run_dask(
    calls: list[tuple[Any, ...]], training: Training, progress: Progress | None
) -> list[dict[str, Any]]:
    try:
        from dask.distributed import Client, as_completed
    except ImportError as exc:
        raise ConfigError(
            "training.backend: 'dask' needs the dask extra (pip install 'finbot[dask]')"
        ) from exc
    if not training.dask_address:
        raise ConfigError(
            "training.dask_address: expected the scheduler address for "
            "backend 'dask', e.g. tcp://host:8786"
        )
    with Client(training.dask_address) as client:  # type: ignore[no-untyped-call]
        futures = [client.submit(train_task, *c, pure=False) for c in calls]
        order = {f.key: i for i, f in enumerate(futures)}
        results: list[dict[str, Any] | None] = [None] * len(calls)
        finished = as_completed(futures)  # type: ignore[no-untyped-call]
        for done, future in enumerate(finished, start=1):
            results[order[future.key]] = future.result()
            if progress:
                progress(results[order[future.key]] or {}, done, len(calls))
    return [r for r in results if r is not None]


def train_all(
    bars: BarStore,
    models: ModelStore,
    training: Training,
    coins: Sequence[str],
    horizons: Sequence[str],
    *,
    timeframes: Sequence[str] | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    algorithms: Sequence[str] | None = None,
    pooled: bool | None = None,
) -> list[dict[str, Any]]:
    """Train every task (``training``: ``general.training`` of settings.json) and return their
    summaries in task order, then (``pooled``, default ``training.pooled``; never with
    explicit ``timeframes``) the pooled model of each horizon over ``coins``, one summary
    per coin × horizon after the per-coin ones (``pooled_fanout.train_pooled_all``)."""
    from finbot.config import TrainingBackend

    algos = tuple(algorithms or training.algorithms)
    calls = [
        (str(bars.root), str(models.root), coin, tf, h, algos, training.test_fraction)
        for coin, tf, h in tasks_for(coins, horizons, timeframes)
    ]
    if training.backend == TrainingBackend.DASK:
        results = _run_dask(calls, training, progress)
    else:
        results = _run_joblib(calls, workers or training.workers, progress)
    if (training.pooled if pooled is None else pooled) and timeframes is None and len(coins) > 1:
        from finbot.prediction.training.pooled_fanout import train_pooled_all

        results += train_pooled_all(bars, models, training, coins, list(dict.fromkeys(horizons)))
    return results
