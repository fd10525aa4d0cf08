"""Exchanges and liquidity: /coins/{id}/tickers per coin, stored per exchange market, and the
median bid/ask spread of whitelisted exchanges used by the cost model.

CoinGecko's ``bid_ask_spread_percentage`` is ALREADY a percentage (0.012 means 0.012 %); the
original bot read it as a fraction and so charged spreads 100 times too large. It is stored and
returned in percent, under a ``_pct`` name.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import TYPE_CHECKING

import polars as pl

from finbot.collectors import payloads
from finbot.collectors.common import Collected, cached
from finbot.storage import Cache, ParquetDataset

if TYPE_CHECKING:  # httpx (under the client) loads only to collect, not to read spreads
    from finbot.collectors.coingecko import CoinGeckoClient

SCHEMA = {
    "ts": pl.Int64,
    "exchange": pl.String,
    "base": pl.String,
    "target": pl.String,
    "last_usd": pl.Float64,
    "volume_usd": pl.Float64,
    "spread_pct": pl.Float64,
    "trust_score": pl.String,
}
#: CoinGecko's market identifiers for the exchanges named in costs.json.
EXCHANGE_ALIASES: dict[str, tuple[str, ...]] = {
    "coinbase": ("coinbase", "gdax", "coinbase-exchange"),
    "okx": ("okx", "okex"),
    "bybit": ("bybit", "bybit_spot"),
    "kraken": ("kraken",),
    "binance": ("binance",),
    "bitstamp": ("bitstamp",),
}


def collect_tickers(
    client: CoinGeckoClient,
    dataset: ParquetDataset,
    coins: Sequence[str],
    *,
    now_ms: int,
    cache: Cache | None = None,
) -> Collected:
    """One request per coin; every market stored with its spread (percent) at ``now_ms``."""
    result = Collected()
    before = client.stats.requests
    for coin in coins:
        tickers = payloads.parse_tickers(
            cached(cache, "tickers", coin, lambda c=coin: client.tickers(c, raw=True), result)
        )
        rows = [
            {
                "ts": now_ms,
                "exchange": t.exchange,
                "base": t.base,
                "target": t.target,
                "last_usd": t.last_usd,
                "volume_usd": t.volume_usd,
                "spread_pct": t.spread_pct,
                "trust_score": t.trust_score,
            }
            for t in tickers
        ]
        if rows:
            stored = dataset.upsert(pl.DataFrame(rows, schema=SCHEMA), partition=coin)
            result.rows += stored.inserted + stored.updated
    result.requests = client.stats.requests - before
    return result


def _whitelisted(exchange: str, whitelist: Sequence[str]) -> bool:
    for name in whitelist:
        if exchange in EXCHANGE_ALIASES.get(name.lower(), (name.lower(),)):
            return True
    return False


def median_spread_pct(dataset: ParquetDataset, coin: str, whitelist: Sequence[str]) -> float | None:
    """Median bid/ask spread, in PERCENT, of ``coin``'s whitelisted markets in the latest
    tickers collection (``dataset``: the tickers records); None when nothing usable is stored."""
    last = dataset.last_ts(coin)
    if last is None:
        return None
    frame = dataset.read(coin, start_ms=last)
    spreads = [
        float(row["spread_pct"])
        for row in frame.iter_rows(named=True)
        if row["spread_pct"] is not None
        and row["spread_pct"] >= 0
        and _whitelisted(str(row["exchange"]), whitelist)
    ]
    return statistics.median(spreads) if spreads else None
