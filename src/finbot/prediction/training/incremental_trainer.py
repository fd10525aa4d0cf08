"""Keep models current without ever replacing a better one.

Public API (stable): ``run(mode, bars, models, training, coins, horizons, *, clock=None)``
with mode (a ``RetrainMode`` or its string) ``micro`` (daily: refit on the last
``training.micro_window_days``) or ``mini`` (weekly: full retrain on all stored bars). The
scheduler's ``train_micro`` / ``train_mini`` jobs (``finbot.ops.jobs``) call it; the job list
(``train-incremental --mode schedule``) is the scheduler's (``finbot.ops.scheduler.retrain_jobs``).

A candidate replaces the ``latest`` version only if its MAE on its held-out window is not
worse than the current model's MAE on the SAME window; otherwise it is saved as a
``rejected`` version with the reason (the original overwrote better models). The current
model may have seen part of that window in training, which favours it: a conservative test.
With ``volatility``, ``mini`` (all stored bars) also refits the volatility models; ``micro``
leaves them as they are (a recent window is too short a sample for the variance walk-forward).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from finbot.clock import Clock, SystemClock, now_ms
from finbot.errors import FinbotError, UsageError
from finbot.i18n import N_, Message, error_message
from finbot.prediction.features import feature_matrix
from finbot.prediction.models import POOLED, ModelStore, StoredModel
from finbot.prediction.training.from_store import train_from_store
from finbot.prediction.training.modes import RetrainMode
from finbot.prediction.training.trainer import TrainReport, dataset
from finbot.timeframes import DAY_MS, default_timeframe

if TYPE_CHECKING:
    from finbot.config.models import Training
    from finbot.prediction.training.volatility_fit import VolatilityTraining
    from finbot.storage import BarStore

#: The modes ``run`` trains in (``RetrainMode.SCHEDULE`` lists the scheduler's jobs instead).
MODES: tuple[RetrainMode, ...] = (RetrainMode.MICRO, RetrainMode.MINI)


def window_mae(
    model: StoredModel, bars: pl.DataFrame, horizon: str, window: tuple[int, int]
) -> float:
    """``model``'s MAE on the labelled rows of ``bars`` with ts inside ``window``; for a
    pooled model (its input needs the other coins' bars) its stored out-of-sample
    predictions inside ``window``."""
    if model.algorithm == POOLED:
        rows = model.calibration().filter(pl.col("ts").is_between(window[0], window[1]))
        if rows.is_empty():
            return float("inf")
        return float(np.mean(np.abs(rows["y_pred"].to_numpy() - rows["y_true"].to_numpy())))
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
            reason = Message(
                N_(
                    "MAE {new:.6g} on the held-out window is worse than the current version "
                    "{version}'s {old:.6g} on the same window"
                ),
                new=new_mae,
                version=current_version,
                old=old_mae,
            )
            version = store.save(report, status="rejected", reason=reason)
            return summary | {"status": "rejected", "reason": reason, "version": version}
    version = store.save(report)
    return summary | {"status": "accepted", "version": version}


def retrain(
    mode: RetrainMode,
    bars: BarStore,
    models: ModelStore,
    training: Training,
    coin: str,
    horizon: str,
    now: int,
    volatility: VolatilityTraining | None = None,
) -> dict[str, Any]:
    """One micro or mini update of (coin, horizon) on its default timeframe."""
    timeframe = default_timeframe(horizon)
    micro = mode == RetrainMode.MICRO
    start = now - training.micro_window_days * DAY_MS if micro else None
    try:
        trained = train_from_store(
            bars,
            models,
            coin,
            timeframe,
            horizon,
            algorithms=training.algorithms,
            test_fraction=training.test_fraction,
            start_ms=start,
            keep=decide,
            volatility=None if micro else volatility,
        )
    except FinbotError as exc:
        return {
            "coin": coin,
            "timeframe": timeframe,
            "horizon": horizon,
            "error": error_message(exc),
        }
    vol = {} if trained.volatility is None else {"volatility": trained.volatility}
    return trained.kept | {"mode": mode} | vol


def run(
    mode: RetrainMode | str,
    bars: BarStore,
    models: ModelStore,
    training: Training,
    coins: Sequence[str],
    horizons: Sequence[str],
    *,
    clock: Clock | None = None,
    volatility: VolatilityTraining | None = None,
) -> dict[str, Any]:
    """Run ``mode`` for every coin x horizon (``training``: ``general.training``)."""
    if mode not in MODES:
        raise UsageError(
            N_("mode: expected one of {modes}, got {mode!r}"), modes=", ".join(MODES), mode=mode
        )
    chosen = RetrainMode(mode)
    now = now_ms(clock or SystemClock())
    results = [
        retrain(chosen, bars, models, training, coin, horizon, now, volatility)
        for coin in coins
        for horizon in horizons
    ]
    return {"mode": chosen, "results": results}
