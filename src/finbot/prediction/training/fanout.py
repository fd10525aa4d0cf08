"""Train every (coin, timeframe, horizon) task in parallel: joblib locally, Dask by config.

Public API (stable): ``train_all(bars, models, training, coins, horizons, *, timeframes=None,
workers=None, progress=None, algorithms=None) -> list[dict]`` (one summary per task:
coin, timeframe, horizon, chosen, mae_ratio, has_edge, version, or error);
``train_task(...)``: one task, a pure function of its arguments (picklable: the stores' root
folders, not the stores), which reads its bars and saves its version (``train_from_store``).

A task is ``(coin, timeframe, horizon)`` where the timeframe is the horizon's default
(``pipeline.default_timeframe``) unless ``timeframes`` is given. No home-made pool: joblib's
loky workers (``training.workers``), or a Dask distributed ``Client`` at
``training.dask_address`` when ``training.backend`` is ``"dask"`` (imported lazily; without
an address, a LocalCluster of ``training.workers`` processes started for the run).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from finbot.errors import ConfigError, FinbotError
from finbot.i18n import N_, error_message
from finbot.timeframes import default_timeframe

if TYPE_CHECKING:
    from finbot.config.models import Training
    from finbot.prediction.models import ModelStore
    from finbot.prediction.training.volatility_fit import VolatilityTraining
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
    volatility: VolatilityTraining | None = None,
) -> dict[str, Any]:
    """Read ``coin``'s bars, train, save (and the volatility model with ``volatility``);
    returns a small JSON-able summary (never raises a FinbotError: it is reported in
    ``error`` so one bad coin does not stop the others)."""
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
            volatility=volatility,
        )
    except FinbotError as exc:
        return summary | {"error": error_message(exc)}
    report = trained.report
    return (
        summary
        | {
            "chosen": report.chosen,
            "mae_ratio": report.mae_ratio,
            "has_edge": report.has_edge,
            "version": trained.version,
            "best_algorithm": report.best_algorithm,
        }
        | ({} if trained.volatility is None else {"volatility": trained.volatility})
    )


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
    calls: list[tuple[Any, ...]], workers: int, threads: int, progress: Progress | None
) -> list[dict[str, Any]]:
    from joblib import Parallel, delayed, parallel_config

    results = []
    with parallel_config(backend="loky", inner_max_num_threads=threads):
        parallel = Parallel(n_jobs=workers, return_as="generator")
        for done, result in enumerate(parallel(delayed(train_task)(*c) for c in calls), 1):
            results.append(result)
            if progress:
                progress(result, done, len(calls))
    _release_workers()
    return results


def _release_workers() -> None:
    """Stop joblib's reusable loky workers once the tasks are done: idle, they keep each
    trained model's memory (measured: the peak of a training run with the pooled step after
    it), and a long-running bot would hold it between its jobs."""
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True)


def _dask_client(training: Training, stack: ExitStack) -> Any:
    """A Client of the cluster at ``training.dask_address``, else of a LocalCluster of
    ``training.workers`` worker processes; both closed with ``stack``."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise ConfigError(
            N_("training.backend: 'dask' needs the dask extra (pip install 'finbot[dask]')")
        ) from exc
    if training.dask_address:
        return stack.enter_context(Client(training.dask_address))  # type: ignore[no-untyped-call]
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=training.workers,
        threads_per_worker=training.threads_per_model,
        processes=True,
        dashboard_address=":0",  # any free port: never clashes with a running cluster
    )
    stack.enter_context(cluster)
    return stack.enter_context(Client(cluster))  # type: ignore[no-untyped-call]


def _run_dask(
    calls: list[tuple[Any, ...]], training: Training, progress: Progress | None
) -> list[dict[str, Any]]:
    with ExitStack() as stack:
        client = _dask_client(training, stack)
        from dask.distributed import as_completed

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
    volatility: VolatilityTraining | None = None,
    pooled: bool | None = None,
) -> list[dict[str, Any]]:
    """Train every task (``training``: ``general.training`` of settings.json), with its
    volatility model when ``volatility`` is given, and return their summaries in task order,
    then (``pooled``, default ``training.pooled``; never with explicit ``timeframes``) the
    pooled model of each horizon over ``coins``, one summary per coin × horizon after the
    per-coin ones (``pooled_fanout.train_pooled_all``)."""
    from finbot.config import TrainingBackend

    algos = tuple(algorithms or training.algorithms)
    calls = [
        (
            str(bars.root),
            str(models.root),
            coin,
            tf,
            h,
            algos,
            training.test_fraction,
            0,
            volatility,
        )
        for coin, tf, h in tasks_for(coins, horizons, timeframes)
    ]
    if training.backend == TrainingBackend.DASK:
        results = _run_dask(calls, training, progress)
    else:
        results = _run_joblib(
            calls, workers or training.workers, training.threads_per_model, progress
        )
    if (training.pooled if pooled is None else pooled) and timeframes is None and len(coins) > 1:
        from finbot.prediction.training.pooled_fanout import train_pooled_all

        results += train_pooled_all(bars, models, training, coins, list(dict.fromkeys(horizons)))
    return results
