"""One entry point per collector kind for the scheduler and ``finbot collect KIND``.

``run_collector`` runs one collector with the collaborators of a ``CollectorKit`` (the client,
the cache, the stores, the API-usage ledger, all built by the composition root,
``finbot.services``), records the run in the database (so a separate ``finbot status`` sees it)
and returns a CollectorResult; it never raises for a failed collection (the error is in the
result), only for bad usage (unknown kind).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from finbot.clock import Clock, Interrupted, now_ms
from finbot.collectors.common import Collected
from finbot.collectors.kit import CollectorKit
from finbot.config import CoinGeckoConfig
from finbot.errors import ApiError, FinbotError, UsageError
from finbot.i18n import N_, Message, error_message, failure_line

if TYPE_CHECKING:
    from finbot.collectors.coingecko import CoinGeckoClient
    from finbot.collectors.usage import ApiUsageStore
    from finbot.config.models import CacheTtl
    from finbot.storage import Cache

log = logging.getLogger(__name__)

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
    config: CoinGeckoConfig,
    keys: tuple[str, ...],
    *,
    base_url: str | None,
    clock: Clock,
    usage: ApiUsageStore,
) -> CoinGeckoClient:
    """A CoinGecko client with its keys, limits and usage ledger. Every client made here
    shares one per-key limiter (``shared_limiter``): the scheduler makes a client per job
    run, and separate windows let consecutive or concurrent runs exceed the per-key limit."""
    from finbot.collectors.coingecko import CoinGeckoClient, client_rpm
    from finbot.collectors.limiter import shared_limiter

    return CoinGeckoClient(
        config,
        keys,
        base_url=base_url,
        clock=clock,
        usage=usage,
        limiter=shared_limiter(client_rpm(config, bool(keys)), clock),
    )


def make_collector_cache(ttl: CacheTtl, clock: Clock) -> Cache:
    """The collectors' cache with the TTLs of ``api_config.json`` (Redis when configured)."""
    from finbot.storage import make_cache

    return make_cache(ttl.model_dump(), clock)


def _coingecko_kind(kind: str, kit: CollectorKit, coins: Sequence[str]) -> Collected:
    from finbot.collectors import (
        chart_collector,
        markets_collector,
        ohlc_collector,
        price_collector,
        tickers_collector,
    )

    client, data, cache, now = kit.coingecko(), kit.datasets, kit.cache, now_ms(kit.clock)
    per = kit.api.coingecko.ids_per_request
    if kind == "prices":
        return price_collector.collect_prices(
            client, data.prices, coins, now_ms=now, cache=cache, ids_per_request=per
        )
    if kind == "markets":
        return markets_collector.collect_markets(
            client, data.markets, coins, now_ms=now, cache=cache, ids_per_request=per
        )
    if kind == "tickers":
        return tickers_collector.collect_tickers(
            client, data.tickers, coins, now_ms=now, cache=cache
        )
    if kind == "chart_5m":
        return chart_collector.collect_chart_5m(client, kit.bars, coins, cache=cache)
    return ohlc_collector.collect_ohlc(client, kit.bars, coins, cache=cache)


def _run_kind(kind: str, kit: CollectorKit, coins: Sequence[str]) -> Collected:
    if kind == "fx":
        from finbot.collectors.fx_collector import collect_fx, replay_fx_base

        return collect_fx(
            kit.api.exchangerate,
            kit.secrets.exchangerate_key,
            kit.fx_cache,
            kit.datasets.fx,
            clock=kit.clock,
            base_url=replay_fx_base(kit.base_url),
        )
    if kind == "exchange":
        return _exchange(kit, coins)
    return _coingecko_kind(kind, kit, coins)


def _exchange(kit: CollectorKit, coins: Sequence[str]) -> Collected:
    """New bars of the exchange source (true OHLCV) for ``coins`` on the 5m/1h/1d series."""
    from finbot.collectors.exchange_backfill import replay_exchange_base
    from finbot.collectors.exchange_collector import collect_exchange_ohlcv
    from finbot.config import resolve_coin

    chosen = [resolve_coin(kit.coins, coin) for coin in coins]
    result = Collected()
    for tf, days in kit.history_days.items():  # days matter for an empty store
        try:
            out = collect_exchange_ohlcv(
                kit.api.exchange,
                kit.bars,
                chosen,
                [tf],
                days,
                base_url=replay_exchange_base(kit.base_url),
                clock=kit.clock,
            )
        except FinbotError:
            raise
        except Exception as exc:  # ccxt's own errors (network, exchange): one line
            raise ApiError(
                N_("exchange {exchange}: {error}"),
                exchange=kit.api.exchange.id,
                error=type(exc).__name__,
            ) from exc
        result.rows += sum(
            done["inserted"] + done["updated"]
            for per_tf in out["coins"].values()
            for done in per_tf.values()
        )
        result.notes += [
            Message(N_("{coin}: not listed on {source}"), coin=c, source=out["source"])
            for c in out["skipped"]
        ]
    result.notes = sorted(set(result.notes))
    return result


def _ttl_left(cache: Cache | None, kind: str, coins: Sequence[str]) -> float | None:
    if cache is None or kind not in _CACHE_KIND:
        return None
    key = coins[0] if kind == "tickers" else ",".join(coins)
    key = f"{key}:1" if kind == "chart_5m" else key
    return cache.ttl_left(_CACHE_KIND[kind], key)


def _record_run(
    kind: str,
    kit: CollectorKit,
    coins: Sequence[str],
    collected: Collected,
    error: str | None,
    latency: float,
) -> None:
    """One line of the collector-run log in the usage store."""
    kit.usage.record_collector_run(
        kind,
        "ok" if error is None else "failed",
        latency,
        collected.rows,
        None if error is None else str(error),  # stored as the English line
        collected.cache_hits,
        collected.cache_misses,
        _ttl_left(kit.cache, kind, coins),
        ts_ms=now_ms(kit.clock),
    )


def run_collector(
    kind: str, kit: CollectorKit, *, coins: Sequence[str] | None = None
) -> CollectorResult:
    """Run collector ``kind`` once for ``coins`` (default: the enabled coins) and record it.

    ``kit.cache``: a long-lived one (the scheduler's) keeps TTLs across runs.
    """
    if kind not in KINDS:
        raise UsageError(
            N_("kind: expected one of {kinds}, got {kind!r}"), kinds=", ".join(KINDS), kind=kind
        )
    coins = tuple(coins or kit.coins.ids)
    started = time.perf_counter()
    try:
        collected = _run_kind(kind, kit, coins)
        error = None
    except Interrupted:  # a graceful stop, not a failure: the job runner logs it at INFO
        raise
    except FinbotError as exc:
        log.error(
            "%s",
            Message(N_("collector {kind} failed: {error}"), kind=kind, error=failure_line(exc)),
        )
        collected, error = Collected(), error_message(exc)  # English, translatable where shown
    latency = (time.perf_counter() - started) * 1000
    _record_run(kind, kit, coins, collected, error, latency)
    return CollectorResult(
        kind,
        error is None,
        collected.rows,
        collected.requests,
        latency,
        error,
        tuple(collected.notes),
    )
