"""Stored bars → one pooled model per horizon → a version per coin, served where it wins.

Public API: ``train_pooled_all(bars, models, training, coins, horizons, *, progress=None)
-> list[dict]`` (one summary per coin × horizon: coin, timeframe, horizon, pooled, chosen,
mae_ratio, has_edge, served, version, reason; or a horizon's error). Runs after the
per-coin models (``fanout.train_all``) so the selection compares with them; needs at least
``MIN_POOL`` coins with bars of the horizon's default timeframe. The bars and features of a
timeframe are read and built once for every horizon. LightGBM uses ``training.workers``
threads (the per-coin tasks are done by then).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from finbot.errors import FinbotError
from finbot.i18n import N_, Message, error_message
from finbot.prediction.features import pooled_frames
from finbot.prediction.training.pooled_selection import pooled_report, select
from finbot.prediction.training.pooled_trainer import PooledConfig, PooledRun, train_pooled
from finbot.prediction.training.trainer import data_hash
from finbot.timeframes import check_timeframe, default_timeframe

if TYPE_CHECKING:
    from finbot.config.models import Training
    from finbot.prediction.models import ModelStore, StoredModel
    from finbot.storage import BarStore

MIN_POOL = 2
Progress = Callable[[dict[str, Any], int, int], None]


def pooled_config(training: Training, seed: int = 0) -> PooledConfig:
    """The pooled fit of ``general.training``: its test fraction, its workers as threads."""
    return PooledConfig(test_fraction=training.test_fraction, n_jobs=training.workers, seed=seed)


def _read(bars: BarStore, coins: Sequence[str], timeframe: str) -> dict[str, pl.DataFrame]:
    out = {}
    for coin in coins:
        if bars.last_ts(coin, timeframe) is not None:
            frame = bars.read(coin, timeframe)
            if not frame.is_empty():
                out[coin] = frame
    return out


def _current(models: ModelStore, coin: str, timeframe: str, horizon: str) -> StoredModel | None:
    try:
        return models.load_latest(coin, timeframe, horizon)
    except FinbotError:  # none yet, or one that no longer loads: naive is what is served
        return None


def _keep(
    models: ModelStore,
    frames: dict[str, pl.DataFrame],
    run: PooledRun,
    coin: str,
    timeframe: str,
    horizon: str,
) -> dict[str, Any]:
    tf = check_timeframe(timeframe)
    report = pooled_report(run, coin, tf, horizon, data_hash(frames[coin]))
    if report is None:
        return {
            "coin": coin,
            "timeframe": timeframe,
            "horizon": horizon,
            "pooled": True,
            "error": Message(N_("no rows in the pooled test window")),
        }
    served, reason = select(report, _current(models, coin, timeframe, horizon))
    status = "accepted" if served else "rejected"
    version = models.save(report, status=status, reason=reason)
    return report.summary() | {"served": served, "reason": reason, "version": version}


def train_pooled_all(
    bars: BarStore,
    models: ModelStore,
    training: Training,
    coins: Sequence[str],
    horizons: Sequence[str],
    *,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Train and keep the pooled model of every horizon over ``coins``' stored bars."""
    results: list[dict[str, Any]] = []
    by_tf: dict[str, tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame]]] = {}
    for done, horizon in enumerate(horizons, start=1):
        timeframe = default_timeframe(horizon)
        try:
            if timeframe not in by_tf:
                frames = _read(bars, coins, timeframe)
                feats = pooled_frames(frames, timeframe) if len(frames) >= MIN_POOL else {}
                by_tf[timeframe] = frames, feats
            frames, feats = by_tf[timeframe]
            if len(frames) < MIN_POOL:
                continue  # pooling needs several coins; the per-coin models serve alone
            run = train_pooled(frames, horizon, pooled_config(training), features=feats)
        except FinbotError as exc:  # reported like a per-coin task's error: others go on
            head = {"coin": "*", "timeframe": timeframe, "horizon": horizon, "pooled": True}
            results.append(head | {"error": error_message(exc)})
            continue
        for coin in run.model.pool:
            results.append(_keep(models, frames, run, coin, timeframe, horizon))
        if progress:
            progress(results[-1], done, len(horizons))
    return results
