"""First start: the first answers first, then the rest of the history, then the other models.

The original bot trained every coin x horizon in the foreground (up to an hour before the
first prediction). Here the first start fetches, most-capitalised coin first, only the series
one horizon's model needs (1 h when configured) with the fewest requests, and trains and saves
that coin's model while the next coin's history comes in: keyless, where CoinGecko's rate
limit bounds everything, the first prediction is ready within a minute and the last close to
the bound (requests needed / requests per minute). The daily and 5-minute history follows;
the scheduler's ``train_missing`` job trains the remaining sets, and ``status`` shows how far
it got.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from finbot.i18n import Message

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
    training = services.training
    batch = min(training.workers, services.sizes.train_batch_coins)
    chunk = batch if should_stop else len(sets) or 1
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
                    volatility=services.volatility_training,
                    pooled=False,
                )
            )
        train_pool(services, horizon)
    return done


def ensure_top_coins(services: Services, *, refresh: bool = False) -> int:
    """Resolve ``coins.json`` ``top`` once (kept in the home, so the ids stay stable across
    runs) and take the coins into ``services``; returns how many top coins were added."""
    from finbot.collectors import resolve_top_coins
    from finbot.config.top_coins import read_top_coins, write_top_coins

    top = services.settings.coins.top
    if top is None:
        return 0
    found = None if refresh else read_top_coins(services.paths, top)
    if found is None:
        found = resolve_top_coins(services.coingecko, top)
        write_top_coins(services.paths, top, found)
    before = len(services.settings.coins.coins)
    services.add_coins(found)
    return len(services.settings.coins.coins) - before


@dataclass
class FirstAnswers:
    """When each coin's first model was saved, in seconds of the services' clock from the
    start of the first start (``ready_s``), and the requests it took."""

    order: list[str] = field(default_factory=list)
    ready_s: dict[str, float] = field(default_factory=dict)
    requests_needed: int = 0
    rpm: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        times = list(self.ready_s.values())
        bound = self.requests_needed / self.rpm * 60 if self.rpm else None
        return {
            "order": self.order,
            "ready_s": {c: round(t, 2) for c, t in self.ready_s.items()},
            "first_ready_s": round(min(times), 2) if times else None,
            "all_ready_s": round(max(times), 2) if times else None,
            "requests_needed": self.requests_needed,
            "rpm": self.rpm,
            "bound_s": None if bound is None else round(bound, 2),
            "errors": self.errors,
        }


def _train_first(services: Services, coin: str, horizon: str) -> dict[str, Any]:
    """One coin's quick-horizon model and its volatility model, trained in this thread (joblib
    runs one task inline)."""
    from finbot.prediction.training import train_all

    stores, vol = (services.bar_store, services.model_store), services.volatility_training
    return train_all(*stores, services.training, [coin], [horizon], workers=1, volatility=vol)[0]


def first_answers(
    services: Services, horizon: str, progress: ProgressCallback | None = None
) -> FirstAnswers:
    """Most-capitalised coin first: fetch the series the ``horizon`` model needs (fewest
    requests), then train and save that coin's model while the next coin's history comes in."""
    from finbot.collectors import backfill_first, order_by_market_cap, requests_needed
    from finbot.timeframes import default_timeframe

    kit, clock, timeframe = services.collectors, services.clock, default_timeframe(horizon)
    coins = list(services.settings.coins.ids)
    started = clock.now()
    out = FirstAnswers(requests_needed=requests_needed(kit, coins, timeframe))
    out.rpm = services.coingecko.limiter.rpm
    out.order = order_by_market_cap(kit, coins)

    def train(coin: str) -> None:
        summary = _train_first(services, coin, horizon)
        if "error" in summary:
            out.errors.append(_failed(coin, horizon, summary["error"]))
        else:
            out.ready_s[coin] = clock.now() - started

    with ThreadPoolExecutor(max_workers=services.training.workers) as pool:
        pending = []
        for done, coin in enumerate(out.order):
            if progress:
                progress(f"{coin} {timeframe}", done, len(out.order))
            report = backfill_first(kit, coin, timeframe)
            if report.error:
                out.errors.append(_failed(coin, timeframe, report.error))
                continue
            pending.append(pool.submit(train, coin))
        for future in pending:
            future.result()
    return out


def train_pool(services: Services, horizon: str) -> list[dict[str, Any]]:
    """The pooled model of ``horizon`` over the configured coins that have bars (nothing
    when ``training.pooled`` is off or fewer than two coins have data)."""
    from finbot.prediction.training import train_pooled_all

    training = services.settings.general.training
    if not training.pooled:  # before reading every coin's last bar for nothing
        return []
    coins = [
        c
        for c, _ in trainable(
            services.bar_store, [(c, horizon) for c in services.settings.coins.ids]
        )
    ]
    if len(coins) < 2:
        return []
    return train_pooled_all(services.bar_store, services.model_store, training, coins, [horizon])


def first_start(services: Services, *, progress: ProgressCallback | None = None) -> dict[str, Any]:
    """The first answers first (``first_answers``), then the rest of the history (daily and
    5-minute bars, the older hours) for every coin."""
    from finbot.collectors import collect_historical

    ensure_top_coins(services)
    settings = services.settings
    horizon = quick_horizon(settings.general.horizons)
    answers = first_answers(services, horizon, progress)
    history = collect_historical(services.collectors, list(settings.coins.ids), progress=progress)
    return {
        "first_answers": answers.as_dict(),
        "history": history,
        "horizon": horizon,
        "trained": len(answers.ready_s),
        "remaining": len(missing_sets(services)),
    }


def _failed(coin: str, step: str, error: object) -> Message:
    """``coin step: error``, the error translated where it is shown (no words of its own)."""
    return Message("{coin} {step}: {error}", coin=coin, step=step, error=error)
