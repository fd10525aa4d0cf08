"""/coins/{id}/ohlc candles, for timeframes 1h, 4h, 1d and 1w.

CoinGecko picks the candle size from ``days`` (1-2 days: 30 minutes; 3-30 days: 4 hours;
beyond: 4 days) and gives no volume; its timestamp is the candle's CLOSE time, so the bar
opens one candle earlier. What is stored:

* 4 h candles as they come under ``4h``, and aggregated to ``1d`` and ``1w`` (complete
  periods only, plus the period in progress);
* 30-minute candles have no timeframe in finbot's set: two of them make one ``1h`` bar;
* 4-day candles fit no timeframe and are not stored.

These bars have no volume (null) and ``source`` "coingecko_ohlc". They only fill periods no
other source has stored: they never replace a bar with real volume (exchange) or one resampled
from market_chart points.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from finbot.collectors import payloads
from finbot.collectors.coingecko import CoinGeckoClient
from finbot.collectors.common import Collected, cached
from finbot.collectors.payloads import Candle
from finbot.collectors.resample import aggregate_candles
from finbot.schema import conform
from finbot.storage import BarStore, Cache
from finbot.timeframes import HOUR_MS, MINUTE_MS, Timeframe

SOURCE = "coingecko_ohlc"
HALF_HOUR_MS = 30 * MINUTE_MS
FOUR_HOURS_MS = 4 * HOUR_MS
TARGETS: dict[int, tuple[Timeframe, ...]] = {
    HALF_HOUR_MS: (Timeframe.H1,),
    FOUR_HOURS_MS: (Timeframe.H4, Timeframe.D1, Timeframe.W1),
}
DEFAULT_DAYS: tuple[int, ...] = (1, 30)


def candle_size_ms(candles: Sequence[Candle]) -> int | None:
    """The spacing CoinGecko used (the most common gap between candles)."""
    gaps = [b.ts_ms - a.ts_ms for a, b in zip(candles, candles[1:], strict=False)]
    return max(set(gaps), key=gaps.count) if gaps else None


def candles_frame(candles: Sequence[Candle], size_ms: int) -> pl.DataFrame:
    """Candles keyed by their OPEN time (CoinGecko's close time minus one candle)."""
    frame = pl.DataFrame(
        {
            "ts": [c.ts_ms - size_ms for c in candles],
            "open": [c.open for c in candles],
            "high": [c.high for c in candles],
            "low": [c.low for c in candles],
            "close": [c.close for c in candles],
        },
        schema={
            "ts": pl.Int64,
            "open": pl.Float64,
            "high": pl.Float64,
            "low": pl.Float64,
            "close": pl.Float64,
        },
    )
    frame = frame.filter(pl.col("ts") % size_ms == 0)  # misaligned candles are partial ones
    return conform(frame.with_columns(pl.lit(SOURCE).alias("source"))).unique("ts").sort("ts")


def bars_by_timeframe(candles: Sequence[Candle]) -> dict[Timeframe, pl.DataFrame]:
    """Candles → the timeframes they make (see the module docstring)."""
    size = candle_size_ms(candles)
    if size not in TARGETS:
        return {}
    assert size is not None
    frame = candles_frame(candles, size)
    out = {}
    for tf in TARGETS[size]:
        out[tf] = frame if tf == Timeframe.H4 else aggregate_candles(frame, tf, size)
    return out


def only_fill(store: BarStore, coin: str, tf: str, bars: pl.DataFrame) -> pl.DataFrame:
    """Drop bars whose period another source already stored."""
    if bars.is_empty():
        return bars
    first, last = bars["ts"].min(), bars["ts"].max()
    assert isinstance(first, int) and isinstance(last, int)
    existing = store.read(coin, tf, start_ms=first, end_ms=last)
    taken = existing.filter(pl.col("source") != SOURCE).select("ts")
    return bars.join(taken, on="ts", how="anti")


def collect_ohlc(
    client: CoinGeckoClient,
    store: BarStore,
    coins: Sequence[str],
    *,
    days: Sequence[int] = DEFAULT_DAYS,
    cache: Cache | None = None,
) -> Collected:
    result = Collected()
    before = client.stats.requests
    for coin in coins:
        for span in days:
            candles = payloads.parse_ohlc(
                cached(
                    cache,
                    "ohlc",
                    f"{coin}:{span}",
                    lambda c=coin, d=span: client.ohlc(c, d, raw=True),
                    result,
                )
            )
            for tf, bars in bars_by_timeframe(candles).items():
                stored = store.upsert(coin, tf, only_fill(store, coin, tf, bars))
                result.rows += stored.inserted + stored.updated
    result.requests = client.stats.requests - before
    return result
