"""One entry point per collector kind for the scheduler and ``finbot collect KIND``.

``run_collector`` builds the client (with the home's API-usage store), the cache (TTLs from
api_config.json) and the stores, runs the collector, records the run in the database (so a
separate ``finbot status`` sees it) and returns a CollectorResult; it never raises for a failed
collection (the error is in the result), only for bad usage (unknown kind).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from finbot.clock import Clock, SystemClock, now_ms
from finbot.collectors.common import Collected
from finbot.config import Settings
from finbot.errors import ApiError, FinbotError, UsageError
from finbot.paths import Paths

if TYPE_CHECKING:
    from finbot.collectors.coingecko import CoinGeckoClient
    from finbot.storage import Cache

log = logging.getLogger(__name__)

_SYSTEM_CLOCK = SystemClock()  # one instance, so the shared limiter is the same per process
KINDS: tuple[str, ...] = ("prices", "markets", "chart_5m", "tickers", "fx", "ohlc", "exchange")
_CACHE_KIND = {
    "prices": "simple_price",
    "markets": "coins_markets",
    "chart_5m": "market_chart",
    "tickers": "tickers",
    "ohlc": "ohlc",
}


@dataclass(frozen=True)
class CollectorResult:
    kind: str
    ok: bool
    rows: int
    requests: int
    latency_ms: float
    error: str | None = None
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ok": self.ok,
            "rows": self.rows,
            "requests": self.requests,
            "latency_ms": round(self.latency_ms, 1),
            "error": self.error,
            "notes": list(self.notes),
        }


def make_client(
    settings: Settings, paths: Paths, *, base_url: str | None = None, clock: Clock | None = None
) -> CoinGeckoClient:
    """The CoinGecko client of a home: its keys, limits and usage store. Every client made
    here shares one per-key limiter (``shared_limiter``): the scheduler makes a client per job
    run, and separate windows let consecutive or concurrent runs exceed the per-key limit."""
    from finbot.collectors.coingecko import CoinGeckoClient, client_rpm
    from finbot.collectors.limiter import shared_limiter
    from finbot.collectors.usage import open_usage

    config, keys = settings.api.coingecko, settings.secrets.coingecko_keys
    clock = clock or _SYSTEM_CLOCK
    return CoinGeckoClient(
        config,
        keys,
        base_url=base_url,
        clock=clock,
        usage=open_usage(settings, paths),
        limiter=shared_limiter(client_rpm(config, bool(keys)), clock),
    )


def make_collector_cache(settings: Settings, clock: Clock) -> Cache:
    from finbot.storage import make_cache

    ttl = settings.api.coingecko.cache_ttl_sec
    return make_cache(ttl.model_dump(), clock)


def _coingecko_kind(
    kind: str, coins: Sequence[str]
) -> Callable[[CoinGeckoClient, Paths, Cache | None, int], Collected]:
    from finbot.collectors import common

    def run(client: CoinGeckoClient, paths: Paths, cache: Cache | None, now: int) -> Collected:
        from finbot.collectors import (
            chart_collector,
            markets_collector,
            ohlc_collector,
            price_collector,
            tickers_collector,
        )
        from finbot.storage import BarStore

        root = paths.parquet_dir
        if kind == "prices":
            return price_collector.collect_prices(
                client, common.prices_dataset(root), coins, now_ms=now, cache=cache
            )
        if kind == "markets":
            return markets_collector.collect_markets(
                client, common.markets_dataset(root), coins, now_ms=now, cache=cache
            )
        if kind == "tickers":
            return tickers_collector.collect_tickers(
                client, common.tickers_dataset(root), coins, now_ms=now, cache=cache
            )
        if kind == "chart_5m":
            return chart_collector.collect_chart_5m(client, BarStore(root), coins, cache=cache)
        return ohlc_collector.collect_ohlc(client, BarStore(root), coins, cache=cache)

    return run


def _run_kind(
    kind: str,
    settings: Settings,
    paths: Paths,
    coins: Sequence[str],
    base_url: str | None,
    clock: Clock,
    cache: Cache | None,
) -> Collected:
    if kind == "fx":
        from finbot.collectors.fx_collector import collect_fx, replay_fx_base

        return collect_fx(settings, paths, clock=clock, base_url=replay_fx_base(base_url))
    if kind == "exchange":
        return _exchange(settings, paths, coins, base_url, clock)
    with make_client(settings, paths, base_url=base_url, clock=clock) as client:
        return _coingecko_kind(kind, coins)(client, paths, cache, now_ms(clock))


def _exchange(
    settings: Settings, paths: Paths, coins: Sequence[str], base_url: str | None, clock: Clock
) -> Collected:
    """New bars of the exchange source (true OHLCV) for ``coins`` on the 5m/1h/1d series."""
    from finbot.collectors.exchange_collector import collect_exchange_ohlcv
    from finbot.collectors.historical_collector import replay_exchange_base
    from finbot.config import resolve_coin

    chosen = [resolve_coin(settings.coins, coin) for coin in coins]
    result = Collected()
    for tf, days in settings.general.history_days.items():  # days matter for an empty store
        try:
            out = collect_exchange_ohlcv(
                settings,
                paths,
                chosen,
                [tf],
                days,
                base_url=replay_exchange_base(base_url),
                clock=clock,
            )
        except FinbotError:
            raise
        except Exception as exc:  # ccxt's own errors (network, exchange): one line
            raise ApiError(f"exchange {settings.api.exchange.id}: {type(exc).__name__}") from exc
        result.rows += sum(
            done["inserted"] + done["updated"]
            for per_tf in out["coins"].values()
            for done in per_tf.values()
        )
        result.notes += [f"{c}: not listed on {out['source']}" for c in out["skipped"]]
    result.notes = sorted(set(result.notes))
    return result


def _ttl_left(cache: Cache | None, kind: str, coins: Sequence[str]) -> float | None:
    if cache is None or kind not in _CACHE_KIND:
        return None
    key = coins[0] if kind == "tickers" else ",".join(coins)
    key = f"{key}:1" if kind == "chart_5m" else key
    return cache.ttl_left(_CACHE_KIND[kind], key)


def run_collector(
    kind: str,
    settings: Settings,
    paths: Paths,
    *,
    base_url: str | None = None,
    clock: Clock | None = None,
    coins: Sequence[str] | None = None,
    cache: Cache | None = None,
) -> CollectorResult:
    """Run collector ``kind`` once for ``coins`` (default: the enabled coins) and record it.

    ``cache``: pass a long-lived one (the scheduler's) so TTLs span runs; default: a new one.
    """
    if kind not in KINDS:
        raise UsageError(f"kind: expected one of {', '.join(KINDS)}, got {kind!r}")
    from finbot.collectors.usage import open_usage

    clock = clock or _SYSTEM_CLOCK
    coins = tuple(coins or settings.coins.ids)
    cache = cache if cache is not None else make_collector_cache(settings, clock)
    started = time.perf_counter()
    try:
        collected = _run_kind(kind, settings, paths, coins, base_url, clock, cache)
        error = None
    except FinbotError as exc:
        log.error("collector %s failed: %s", kind, exc)
        collected, error = Collected(), str(exc)
    latency = (time.perf_counter() - started) * 1000
    open_usage(settings, paths).record_collector_run(
        kind,
        "ok" if error is None else "failed",
        latency,
        collected.rows,
        error,
        collected.cache_hits,
        collected.cache_misses,
        _ttl_left(cache, kind, coins),
        ts_ms=now_ms(clock),
    )
    return CollectorResult(
        kind,
        error is None,
        collected.rows,
        collected.requests,
        latency,
        error,
        tuple(collected.notes),
    )
