"""Keep models current without ever replacing a better one.

Public API (stable): ``run(mode, settings, paths, *, coins=None, horizons=None, clock=None)``
with mode (a ``RetrainMode`` or its string) ``micro`` (daily: refit on the last
``training.micro_window_days``), ``mini`` (weekly: full retrain on all stored bars) or
``schedule`` (returns the two job specs);
``run_micro(home)`` / ``run_mini(home)``: scheduler callables taking a home path string;
``job_specs(settings)``.

A candidate replaces the ``latest`` version only if its MAE on its held-out window is not
worse than the current model's MAE on the SAME window; otherwise it is saved as a
``rejected`` version with the reason (the original overwrote better models). The current
model may have seen part of that window in training, which favours it: a conservative test.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from finbot.clock import Clock, SystemClock, now_ms
from finbot.errors import FinbotError, UsageError
from finbot.paths import Paths
from finbot.prediction.features import feature_matrix
from finbot.prediction.models import ModelStore, StoredModel
from finbot.prediction.training.modes import RetrainMode
from finbot.prediction.training.trainer import TrainReport, dataset, train
from finbot.timeframes import DAY_MS, default_timeframe

if TYPE_CHECKING:
    from finbot.config import Settings


MODES: tuple[RetrainMode, ...] = tuple(RetrainMode)


def window_mae(
    model: StoredModel, bars: pl.DataFrame, horizon: str, window: tuple[int, int]
) -> float:
    """``model``'s MAE on the labelled rows of ``bars`` with ts inside ``window``."""
    data = dataset(bars, horizon).filter(pl.col("ts").is_between(window[0], window[1]))
    if data.is_empty():
        return float("inf")
    pred = model.predict(feature_matrix(data))
    return float(np.mean(np.abs(pred - data["target"].to_numpy())))


def decide(store: ModelStore, report: TrainReport, bars: pl.DataFrame) -> dict[str, Any]:
    """Save ``report`` as accepted (new latest) or rejected, comparing on the same window."""
    new_mae = report.scores[report.chosen]["mae"]
    summary: dict[str, Any] = {
        "coin": report.coin,
        "timeframe": report.timeframe,
        "horizon": report.horizon,
        "candidate": report.chosen,
        "candidate_mae": new_mae,
    }
    current_version = store.latest_version(report.coin, report.timeframe, report.horizon)
    if current_version is not None:
        try:
            current = store.load(report.coin, report.timeframe, report.horizon, current_version)
            old_mae = window_mae(current, bars, report.horizon, report.test_window)
        except FinbotError:  # an unloadable or incompatible current model never wins
            old_mae = float("inf")
        summary |= {"current_version": current_version, "current_mae": old_mae}
        if new_mae > old_mae:
            reason = (
                f"MAE {new_mae:.6g} on the held-out window is worse than the current "
                f"version {current_version}'s {old_mae:.6g} on the same window"
            )
            version = store.save(report, status="rejected", reason=reason)
            return summary | {"status": "rejected", "reason": reason, "version": version}
    version = store.save(report)
    return summary | {"status": "accepted", "version": version}


def _bars(paths: Paths, coin: str, timeframe: str, start_ms: int | None) -> pl.DataFrame:
    from finbot.storage import BarStore

    return BarStore(paths.parquet_dir).read(coin, timeframe, start_ms=start_ms)


def retrain(
    mode: RetrainMode, settings: Settings, paths: Paths, coin: str, horizon: str, now: int
) -> dict[str, Any]:
    """One micro or mini update of (coin, horizon) on its default timeframe."""
    training = settings.general.training
    timeframe = default_timeframe(horizon)
    start = now - training.micro_window_days * DAY_MS if mode == RetrainMode.MICRO else None
    bars = _bars(paths, coin, timeframe, start)
    try:
        report = train(
            coin,
            timeframe,
            horizon,
            bars,
            algorithms=training.algorithms,
            test_fraction=training.test_fraction,
        )
    except FinbotError as exc:
        return {"coin": coin, "timeframe": timeframe, "horizon": horizon, "error": str(exc)}
    return decide(ModelStore(paths.models_dir), report, bars) | {"mode": mode}


def job_specs(settings: Settings) -> list[dict[str, Any]]:
    """The two jobs the scheduler registers (cron, UTC)."""
    training = settings.general.training
    hour = training.micro_hour_utc
    return [
        {
            "id": "train_micro",
            "func": "finbot.prediction.training.incremental_trainer:run_micro",
            "trigger": "cron",
            "hour": hour,
            "minute": 0,
        },
        {
            "id": "train_mini",
            "func": "finbot.prediction.training.incremental_trainer:run_mini",
            "trigger": "cron",
            "day_of_week": training.mini_weekday,
            "hour": hour,
            "minute": 30,
        },
    ]


def run(
    mode: RetrainMode | str,
    settings: Settings,
    paths: Paths,
    *,
    coins: Sequence[str] | None = None,
    horizons: Sequence[str] | None = None,
    clock: Clock | None = None,
) -> dict[str, Any]:
    """Run ``mode`` for every coin x horizon (defaults: the configured ones)."""
    if mode not in MODES:
        raise UsageError(f"mode: expected one of {', '.join(MODES)}, got {mode!r}")
    chosen = RetrainMode(mode)
    if chosen == RetrainMode.SCHEDULE:
        return {"mode": chosen, "jobs": job_specs(settings)}
    now = now_ms(clock or SystemClock())
    results = [
        retrain(chosen, settings, paths, coin, horizon, now)
        for coin in (coins or settings.coins.ids)
        for horizon in (horizons or settings.general.horizons)
    ]
    return {"mode": chosen, "results": results}


def _run_home(mode: RetrainMode, home: str) -> dict[str, Any]:
    from finbot.config import load_settings

    paths = Paths.resolve(home)
    return run(mode, load_settings(paths), paths)


def run_micro(home: str) -> dict[str, Any]:
    """Scheduler entry point: the daily micro update of the bot living in ``home``."""
    return _run_home(RetrainMode.MICRO, home)


def run_mini(home: str) -> dict[str, Any]:
    """Scheduler entry point: the weekly full retrain of the bot living in ``home``."""
    return _run_home(RetrainMode.MINI, home)
