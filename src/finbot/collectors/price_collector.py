"""Live prices: ONE /simple/price request for every enabled coin (USD and EUR, market cap,
24 h volume and change, last update time); beyond ``ids_per_request`` coins (CoinGecko's
per-request limit), one request per batch of that many.

CoinGecko caches /simple/price on its side (about 60 s on the demo plan, 20 s on paid ones),
so asking every 10-30 s often returns the same quote again: a snapshot is stored only when
``last_updated_at`` moved, never a duplicate of an unchanged quote.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from finbot.collectors import payloads
from finbot.collectors.coingecko import CoinGeckoClient
from finbot.collectors.common import Collected, batches, cached
from finbot.i18n import N_, Message
from finbot.storage import Cache, ParquetDataset

SCHEMA = {
    "ts": pl.Int64,
    "usd": pl.Float64,
    "eur": pl.Float64,
    "market_cap_usd": pl.Float64,
    "volume_24h_usd": pl.Float64,
    "change_24h_pct": pl.Float64,
    "collected_ms": pl.Int64,
}


def collect_prices(
    client: CoinGeckoClient,
    dataset: ParquetDataset,
    coins: Sequence[str],
    *,
    now_ms: int,
    cache: Cache | None = None,
    ids_per_request: int = 250,
) -> Collected:
    """Fetch all ``coins`` in as few requests as the limit allows; store the quotes whose
    update time moved."""
    result = Collected()
    before = client.stats.requests
    quotes: dict[str, payloads.SimplePrice] = {}
    for batch in batches(coins, ids_per_request):
        raw = cached(
            cache,
            "simple_price",
            ",".join(batch),
            lambda batch=batch: client.simple_price(list(batch), raw=True),
            result,
        )
        quotes |= payloads.parse_simple_price(raw, batch, ("usd", "eur"))
    result.requests = client.stats.requests - before
    for coin in coins:
        _store_quote(dataset, coin, quotes.get(coin), now_ms, result)
    return result


def _store_quote(
    dataset: ParquetDataset,
    coin: str,
    quote: payloads.SimplePrice | None,
    now_ms: int,
    result: Collected,
) -> None:
    """Store ``coin``'s quote unless it is missing or not newer than the stored one."""
    if quote is None:
        result.notes.append(Message(N_("{coin}: not in CoinGecko's answer"), coin=coin))
        return
    ts = quote.last_updated_at * 1000
    last = dataset.last_ts(coin)
    if last is not None and ts <= last:
        result.skipped.append(coin)
        return
    row = _snapshot_row(quote, ts, now_ms)
    stored = dataset.upsert(pl.DataFrame([row], schema=SCHEMA), partition=coin)
    result.rows += stored.inserted + stored.updated


def _snapshot_row(
    quote: payloads.SimplePrice, ts: int, now_ms: int
) -> dict[str, int | float | None]:
    return {
        "ts": ts,
        "usd": quote.usd,
        "eur": quote.eur,
        "market_cap_usd": quote.usd_market_cap,
        "volume_24h_usd": quote.usd_24h_vol,
        "change_24h_pct": quote.usd_24h_change,
        "collected_ms": now_ms,
    }
