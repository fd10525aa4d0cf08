"""First start: history, then the quickest useful models, then the rest in the background.

The original bot trained every coin x horizon in the foreground (up to an hour before the
first prediction). Here the first start trains one horizon (1 h when configured) for every
coin, so a prediction is available within minutes; the scheduler's ``train_missing`` job
trains the remaining sets afterwards, and ``status`` shows how far it got.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from finbot.prediction.models import ModelStore
    from finbot.services import Services
    from finbot.storage import BarStore

QUICK_HORIZON = "1h"
#: A progress callback taking both the collectors' and the training fan-out's calls.
ProgressCallback = Callable[..., None]


def trained_sets(models: ModelStore) -> set[tuple[str, str]]:
    """(coin, horizon) pairs that have at least one saved model."""
    if not models.root.is_dir():
        return set()
    return {(str(m["coin"]), str(m["horizon"])) for m in models.list_models()}


def has_models(models: ModelStore) -> bool:
    return bool(trained_sets(models))


def missing_sets(services: Services) -> list[tuple[str, str]]:
    """Configured (coin, horizon) pairs without a model, in horizon order."""
    have, settings = trained_sets(services.model_store), services.settings
    return [
        (coin, horizon)
        for horizon in settings.general.horizons
        for coin in settings.coins.ids
        if (coin, horizon) not in have
    ]


def trainable(bars: BarStore, sets: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The sets whose model timeframe has stored bars (no data: nothing to train yet, and no
    point in starting workers every hour to say so)."""
    from finbot.timeframes import default_timeframe

    return [
        (coin, horizon)
        for coin, horizon in sets
        if bars.last_ts(coin, default_timeframe(horizon)) is not None
    ]


def quick_horizon(horizons: Sequence[str]) -> str:
    return QUICK_HORIZON if QUICK_HORIZON in horizons else horizons[0]


def train_sets(
    services: Services,
    sets: Sequence[tuple[str, str]],
    progress: ProgressCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> int:
    """Train ``sets`` horizon by horizon through the fan-out; returns how many were trained.

    With ``should_stop``, work goes in chunks of one coin per worker and stops between
    chunks once it says so: a graceful stop waits for one chunk, not for every model. After
    a horizon's per-coin models, its pooled model over every configured coin with bars
    (``training.pooled``, at least two coins) is trained and served where it wins."""
    from finbot.prediction.training import train_all

    by_horizon: dict[str, list[str]] = {}
    for coin, horizon in sets:
        by_horizon.setdefault(horizon, []).append(coin)
    training = services.settings.general.training
    chunk = training.workers if should_stop else len(sets) or 1
    done = 0
    for horizon, coins in by_horizon.items():
        for start in range(0, len(coins), chunk):
            if should_stop is not None and should_stop():
                return done
            part = coins[start : start + chunk]
            done += len(
                train_all(
                    services.bar_store,
                    services.model_store,
                    training,
                    part,
                    [horizon],
                    progress=progress,
                    pooled=False,
                )
            )
        train_pool(services, horizon)
    return done


def train_pool(services: Services, horizon: str) -> list[dict[str, Any]]:
    """The pooled model of ``horizon`` over the configured coins that have bars (nothing
    when ``training.pooled`` is off or fewer than two coins have data)."""
    from finbot.prediction.training import train_pooled_all

    training = services.settings.general.training
    coins = [
        c
        for c, _ in trainable(
            services.bar_store, [(c, horizon) for c in services.settings.coins.ids]
        )
    ]
    if not training.pooled or len(coins) < 2:
        return []
    return train_pooled_all(services.bar_store, services.model_store, training, coins, [horizon])


def first_start(services: Services, *, progress: ProgressCallback | None = None) -> dict[str, Any]:
    """Historical collection for every enabled coin, then the quick horizon for each."""
    from finbot.collectors import collect_historical

    settings = services.settings
    coins = list(settings.coins.ids)
    history = collect_historical(services.collectors, coins, progress=progress)
    horizon = quick_horizon(settings.general.horizons)
    trained = train_sets(services, [(c, horizon) for c in coins], progress=progress)
    return {
        "history": history,
        "horizon": horizon,
        "trained": trained,
        "remaining": len(missing_sets(services)),
    }
