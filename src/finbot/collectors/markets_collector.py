"""Market data and rankings: /coins/markets for every enabled coin in one request, with the
1 h / 24 h / 7 d price changes (percent) and the market-cap rank."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from finbot.collectors import payloads
from finbot.collectors.coingecko import CoinGeckoClient
from finbot.collectors.common import Collected, batches, cached
from finbot.storage import Cache, ParquetDataset

SCHEMA = {
    "ts": pl.Int64,
    "rank": pl.Int64,
    "price": pl.Float64,
    "market_cap": pl.Float64,
    "volume_24h": pl.Float64,
    "high_24h": pl.Float64,
    "low_24h": pl.Float64,
    "change_1h_pct": pl.Float64,
    "change_24h_pct": pl.Float64,
    "change_7d_pct": pl.Float64,
}


def collect_markets(
    client: CoinGeckoClient,
    dataset: ParquetDataset,
    coins: Sequence[str],
    *,
    now_ms: int,
    cache: Cache | None = None,
    ids_per_request: int = 250,
) -> Collected:
    """Store one row per coin, keyed by CoinGecko's ``last_updated`` (else ``now_ms``); one
    request per ``ids_per_request`` coins."""
    result = Collected()
    before = client.stats.requests
    rows: list[payloads.MarketRow] = []
    for batch in batches(coins, ids_per_request):
        rows += payloads.parse_markets(
            cached(
                cache,
                "coins_markets",
                ",".join(batch),
                lambda batch=batch: client.coins_markets(list(batch), raw=True),
                result,
            )
        )
    result.requests = client.stats.requests - before
    wanted = set(coins)
    for row in rows:
        if row.coin not in wanted:
            continue
        record = {
            "ts": row.last_updated_ms or now_ms,
            "rank": row.rank,
            "price": row.price,
            "market_cap": row.market_cap,
            "volume_24h": row.volume_24h,
            "high_24h": row.high_24h,
            "low_24h": row.low_24h,
            "change_1h_pct": row.change_1h_pct,
            "change_24h_pct": row.change_24h_pct,
            "change_7d_pct": row.change_7d_pct,
        }
        stored = dataset.upsert(pl.DataFrame([record], schema=SCHEMA), partition=row.coin)
        result.rows += stored.inserted + stored.updated
    return result
