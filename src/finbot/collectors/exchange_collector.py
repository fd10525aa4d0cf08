"""True OHLCV from an exchange through ccxt (public endpoints, no key): real high, low and
volume for the indicators that need them (ATR, Stochastic, ADX, CCI, Aroon).

- Exchange: ``exchange.id`` of ``api_config.json`` (``binance`` by default). With a base URL
  (argument, else ``exchange.base_url``), every entry of ccxt's ``urls['api']`` is pointed at
  it, so ccxt never talks to another host: the replay server's ``exchange_url`` in tests and demos.
- Symbol: ``coin.exchange_symbol``, else ``SYMBOL/QUOTE``, else an alias that the market list
  has (Polygon: ``POL/USDT``, or ``MATIC/USDT`` on older listings).
- Volume: exchanges report it in the BASE asset; the canonical schema wants USD, so
  ``volume_usd = volume x close`` (the close is the best single price for the bar; with a
  USD-pegged quote such as USDT the error is the peg's, well under 1 %).
- Only complete bars are stored (``ts + timeframe <= now``). Resumable: each (coin,
  timeframe) restarts from the store's ``last_ts + 1``, so a second run fetches only new bars.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypedDict

import polars as pl

from finbot.clock import Clock, SystemClock, now_ms
from finbot.config import Coin, ExchangeConfig
from finbot.errors import ApiError, UsageError
from finbot.i18n import N_
from finbot.schema import conform
from finbot.timeframes import DAY_MS, duration_ms

if TYPE_CHECKING:
    from finbot.storage import BarStore

Progress = Callable[[str, str, int], None]
PAGE_LIMIT = 1000


def _point_urls(urls: Any, base_url: str) -> Any:
    """Every URL of ccxt's ``urls['api']`` (a dict of str or nested dicts) moved to ``base_url``."""
    if isinstance(urls, str):
        return re.sub(r"^https?://[^/]+", base_url.rstrip("/"), urls)
    if isinstance(urls, dict):
        return {key: _point_urls(value, base_url) for key, value in urls.items()}
    return urls


def make_exchange(config: ExchangeConfig, base_url: str | None = None) -> Any:
    """A ccxt exchange for public OHLCV; spot markets only, no currencies call, no env proxies."""
    import ccxt

    factory = getattr(ccxt, config.id, None)
    if factory is None:
        raise UsageError(
            N_(
                "api.exchange.id: expected a ccxt exchange id such as binance or kraken, got {id!r}"
            ),
            id=config.id,
        )
    url = base_url or config.base_url
    exchange = factory(
        {
            "enableRateLimit": url is None,
            "options": {
                "fetchMarkets": {"types": ["spot"]},
                "fetchCurrencies": False,
                "defaultType": "spot",
                "adjustForTimeDifference": False,
            },
        }
    )
    exchange.session.trust_env = False
    if url:
        exchange.urls["api"] = _point_urls(exchange.urls["api"], url)
    return exchange


def symbol_for(coin: Coin, markets: Iterable[str], quote: str) -> str | None:
    """The market symbol of ``coin`` that the exchange lists, or None."""
    listed = set(markets)
    candidates = [coin.exchange_symbol] if coin.exchange_symbol else []
    candidates.append(f"{coin.symbol.upper()}/{quote}")
    candidates += [
        f"{a.upper()}/{quote}" for a in coin.aliases if re.fullmatch(r"[A-Za-z0-9]{2,10}", a)
    ]
    return next((c for c in candidates if c in listed), None)


def to_bars(rows: Sequence[Sequence[float]], source: str) -> pl.DataFrame:
    """ccxt OHLCV rows ``[ms, o, h, l, c, base volume]`` → canonical bars with USD volume."""
    if not rows:
        return conform(
            pl.DataFrame({"ts": [], "source": []}, schema={"ts": pl.Int64, "source": pl.String})
        )
    frame = pl.DataFrame(
        [list(r[:6]) for r in rows],
        schema=["ts", "open", "high", "low", "close", "base_volume"],
        orient="row",
    )
    frame = frame.with_columns(
        (pl.col("base_volume").cast(pl.Float64) * pl.col("close").cast(pl.Float64)).alias("volume"),
        pl.lit(source).alias("source"),
    )
    return conform(frame).unique("ts", keep="last").sort("ts")


def fetch_ohlcv_range(
    exchange: Any,
    symbol: str,
    timeframe: str,
    since_ms: int,
    until_ms: int,
    *,
    limit: int = PAGE_LIMIT,
) -> list[list[float]]:
    """Every complete bar from ``since_ms`` whose close is at or before ``until_ms``, paged."""
    step = duration_ms(timeframe, field="timeframe")
    out: list[list[float]] = []
    cursor = since_ms
    while cursor + step <= until_ms:
        try:
            page = exchange.fetch_ohlcv(symbol, timeframe, since=cursor, limit=limit)
        except Exception as exc:  # ccxt raises its own hierarchy; callers see one ApiError
            raise ApiError(
                N_("{exchange} {symbol} {timeframe}: {kind}: {error}"),
                exchange=exchange.id,
                symbol=symbol,
                timeframe=timeframe,
                kind=type(exc).__name__,
                error=str(exc),
            ) from exc
        page = [row for row in page if row[0] >= cursor and row[0] + step <= until_ms]
        if not page:
            break
        out.extend(page)
        cursor = int(page[-1][0]) + step
    return out


class SeriesFetch(TypedDict):
    symbol: str
    fetched: int
    inserted: int
    updated: int


class ExchangeSummary(TypedDict):
    """What ``collect_exchange_ohlcv`` did: per coin and timeframe, and the unlisted coins."""

    source: str
    coins: dict[str, dict[str, SeriesFetch]]
    skipped: list[str]
    bars: int


def collect_exchange_ohlcv(
    config: ExchangeConfig,
    store: BarStore,
    coins: Sequence[Coin],
    timeframes: Sequence[str],
    days: int,
    *,
    base_url: str | None = None,
    progress: Progress | None = None,
    clock: Clock | None = None,
    exchange: Any = None,
) -> ExchangeSummary:
    """Fetch OHLCV for ``coins`` x ``timeframes`` into the bar store; returns a summary
    ``{"source", "coins": {coin: {tf: {"symbol", "fetched", "inserted", "updated"}}},
    "skipped": [coins without a market], "bars"}``. An empty series starts ``days`` back."""
    exchange = exchange or make_exchange(config, base_url)
    markets = exchange.load_markets()
    now = now_ms(clock or SystemClock())
    summary: ExchangeSummary = {"source": exchange.id, "coins": {}, "skipped": [], "bars": 0}
    for coin in coins:
        symbol = symbol_for(coin, markets, config.quote)
        if symbol is None:
            summary["skipped"].append(coin.id)
            continue
        per_tf = summary["coins"].setdefault(coin.id, {})
        for timeframe in timeframes:
            fetched = _collect_series(exchange, store, coin.id, symbol, timeframe, now, days)
            per_tf[timeframe] = fetched
            summary["bars"] += fetched["fetched"]
            if progress is not None:
                progress(coin.id, timeframe, fetched["fetched"])
    return summary


def _collect_series(
    exchange: Any, store: BarStore, coin: str, symbol: str, timeframe: str, now: int, days: int
) -> SeriesFetch:
    """Fetch one coin's ``timeframe`` bars since the stored tail (or ``days`` back), store them."""
    since = _since(store, coin, timeframe, now, days)
    rows = fetch_ohlcv_range(exchange, symbol, timeframe, since, now)
    result = store.upsert(coin, timeframe, to_bars(rows, exchange.id)) if rows else None
    return {
        "symbol": symbol,
        "fetched": len(rows),
        "inserted": result.inserted if result else 0,
        "updated": result.updated if result else 0,
    }


def _since(store: BarStore, coin: str, timeframe: str, now: int, days: int) -> int:
    """Resume after the newest stored bar, else ``days`` back (aligned to the timeframe)."""
    step = duration_ms(timeframe, field="timeframe")
    last = store.last_ts(coin, timeframe)
    if last is not None:
        return int(last) + 1
    return (now - days * DAY_MS) // step * step
