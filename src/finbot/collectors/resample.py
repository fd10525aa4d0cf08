"""Price points → bars, and candles → longer candles.

CoinGecko's market_chart gives price points (5-minutely, hourly or daily), a rolling 24 h
volume and the market cap, not bars. The original bot stored every point as a bar with
open = high = low = close and the rolling 24 h volume as the bar's volume. Here:

* a point taken at ``t`` belongs to the bar whose period ``(open, open + tf]`` contains
  ``t - grace`` (``grace`` = tf / 12, at most 5 minutes): CoinGecko samples hourly and daily
  series at, or seconds after, period boundaries, so the point at 13:00:05 is the close of the
  12:00 bar (and the daily point at 00:00 the close of the previous day), as with exchange
  candles keyed by their open time;
* open = the previous bar's close when that bar exists (else the bar's first point);
  high / low = max / min of the open and the points; close = the last point;
* volume = the rolling 24 h volume at the bar's end x (bar length / 24 h): an ESTIMATE of the
  traded volume, the best CoinGecko gives; market cap = the last one in the bar;
* a period without a point has no bar: gaps stay gaps, nothing is forward-filled.

Bars are keyed by their open time in UTC epoch ms; ``source`` is ``coingecko``.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from finbot.schema import conform, empty_bars
from finbot.timeframes import DAY_MS, MINUTE_MS, duration_ms

MAX_GRACE_MS = 5 * MINUTE_MS
SOURCE = "coingecko"

Points = Sequence[tuple[int, float]]


def grace_ms(tf_ms: int) -> int:
    return min(tf_ms // 12, MAX_GRACE_MS)


def bar_open(ts_ms: int, tf_ms: int) -> int:
    """The open time of the bar a point taken at ``ts_ms`` belongs to (see module doc)."""
    return ((ts_ms - grace_ms(tf_ms) - 1) // tf_ms) * tf_ms


def _bar_expr(tf_ms: int) -> pl.Expr:
    return ((pl.col("ts") - grace_ms(tf_ms) - 1) // tf_ms * tf_ms).alias("bar")


def _points_frame(points: Points) -> pl.DataFrame:
    frame = pl.DataFrame(
        {"ts": [int(t) for t, _ in points], "value": [float(v) for _, v in points]},
        schema={"ts": pl.Int64, "value": pl.Float64},
    )
    # duplicates of one timestamp: keep the largest value, whatever the input order
    return frame.sort(["ts", "value"]).unique("ts", keep="last").sort("ts")


def _last_per_bar(points: Points | None, tf_ms: int, name: str) -> pl.DataFrame:
    if not points:
        return pl.DataFrame(schema={"bar": pl.Int64, name: pl.Float64})
    frame = _points_frame(points).with_columns(_bar_expr(tf_ms))
    return frame.group_by("bar").agg(pl.col("value").sort_by("ts").last().alias(name))


def points_to_bars(
    prices: Points,
    timeframe: str,
    *,
    volumes: Points | None = None,
    market_caps: Points | None = None,
    previous: tuple[int, float] | None = None,
    source: str = SOURCE,
) -> pl.DataFrame:
    """Resample price points into ``timeframe`` bars (canonical schema, sorted by ts).

    ``previous`` = (open time, close) of the stored bar before these points, so the first new
    bar opens at that close when it directly follows it.
    """
    if not prices:
        return empty_bars()
    tf_ms = duration_ms(timeframe, field="timeframe")
    bars = _price_bars(_price_extremes(prices, tf_ms), tf_ms, previous)
    scale = tf_ms / DAY_MS
    bars = (
        bars.join(_last_per_bar(volumes, tf_ms, "volume24"), on="bar", how="left")
        .join(_last_per_bar(market_caps, tf_ms, "market_cap"), on="bar", how="left")
        .with_columns((pl.col("volume24") * scale).alias("volume"), pl.lit(source).alias("source"))
        .rename({"bar": "ts"})
    )
    return conform(bars).sort("ts")


def _price_extremes(prices: Points, tf_ms: int) -> pl.DataFrame:
    """Per bar (sorted): its first and last point (``first``, ``close``), ``pmax``, ``pmin``."""
    return (
        _points_frame(prices)
        .with_columns(_bar_expr(tf_ms))
        .group_by("bar")
        .agg(
            pl.col("value").sort_by("ts").first().alias("first"),
            pl.col("value").sort_by("ts").last().alias("close"),
            pl.col("value").max().alias("pmax"),
            pl.col("value").min().alias("pmin"),
        )
        .sort("bar")
    )


def _price_bars(
    grouped: pl.DataFrame, tf_ms: int, previous: tuple[int, float] | None
) -> pl.DataFrame:
    """Open (the previous bar's close when that bar directly precedes, else the first point),
    high and low (the open counts) of each bar of ``_price_extremes``."""
    prev_bar = pl.col("bar").shift(1)
    prev_close = pl.col("close").shift(1)
    if previous is not None:
        prev_bar = prev_bar.fill_null(int(previous[0]))
        prev_close = prev_close.fill_null(float(previous[1]))
    opened = grouped.with_columns(
        pl.when(prev_bar == pl.col("bar") - tf_ms)
        .then(prev_close)
        .otherwise(pl.col("first"))
        .alias("open")
    )
    return opened.with_columns(
        pl.max_horizontal("open", "pmax").alias("high"),
        pl.min_horizontal("open", "pmin").alias("low"),
    )


def aggregate_candles(bars: pl.DataFrame, timeframe: str, candle_ms: int) -> pl.DataFrame:
    """Candles of ``candle_ms`` (canonical schema, keyed by open time) → ``timeframe`` candles.

    A period is kept only when it holds all its candles, except the newest period (still in
    progress), so a window that starts mid-period never fakes that period's open.
    """
    tf_ms = duration_ms(timeframe, field="timeframe")
    if bars.is_empty() or tf_ms % candle_ms:
        return empty_bars()
    per_period = tf_ms // candle_ms
    grouped = (
        bars.sort("ts")
        .with_columns((pl.col("ts") // tf_ms * tf_ms).alias("bar"))
        .group_by("bar")
        .agg(
            pl.col("open").first(),
            pl.col("high").max(),
            pl.col("low").min(),
            pl.col("close").last(),
            pl.col("market_cap").last(),
            pl.col("source").last(),
            pl.len().alias("n"),
            pl.when(pl.col("volume").is_null().any())
            .then(None)
            .otherwise(pl.col("volume").sum())
            .alias("volume"),
        )
        .sort("bar")
    )
    newest = grouped["bar"].max()
    kept = grouped.filter((pl.col("n") == per_period) | (pl.col("bar") == newest))
    return conform(kept.rename({"bar": "ts"})).sort("ts")
