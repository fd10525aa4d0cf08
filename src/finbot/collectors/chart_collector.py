"""Series for charts: /market_chart points as frames to plot, and 5-minute bars for the last
day written to the store (the scheduler's ``chart_5m`` job)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from finbot.collectors import payloads
from finbot.collectors.coingecko import CoinGeckoClient
from finbot.collectors.common import Collected, cached
from finbot.collectors.payloads import Chart
from finbot.collectors.resample import points_to_bars
from finbot.i18n import N_, Message
from finbot.storage import BarStore, Cache
from finbot.timeframes import Timeframe


def chart_frame(chart: Chart) -> pl.DataFrame:
    """Points as one frame to plot: ts (ms), price, market_cap, volume_24h (joined on ts)."""

    def series(points: list[tuple[int, float]], name: str) -> pl.DataFrame:
        return pl.DataFrame(
            {"ts": [t for t, _ in points], name: [v for _, v in points]},
            schema={"ts": pl.Int64, name: pl.Float64},
        ).unique("ts")

    frame = series(chart.prices, "price")
    for points, name in ((chart.market_caps, "market_cap"), (chart.volumes, "volume_24h")):
        frame = frame.join(series(points, name), on="ts", how="left")
    return frame.sort("ts")


def chart_series(client: CoinGeckoClient, coin: str, days: int | str = 1) -> pl.DataFrame:
    """The ``days`` chart of ``coin`` for plotting (CoinGecko picks the step)."""
    return chart_frame(client.market_chart(coin, days))


def _previous(store: BarStore, coin: str, before_ms: int) -> tuple[int, float] | None:
    frame = store.read(coin, Timeframe.M5, end_ms=before_ms - 1, last_n=1)
    return (int(frame["ts"][-1]), float(frame["close"][-1])) if frame.height else None


def collect_chart_5m(
    client: CoinGeckoClient,
    store: BarStore,
    coins: Sequence[str],
    *,
    cache: Cache | None = None,
) -> Collected:
    """Last day's 5-minute points of every coin → 5m bars (re-collected bars replace theirs)."""
    result = Collected()
    before = client.stats.requests
    for coin in coins:
        chart = payloads.parse_chart(
            cached(
                cache,
                "market_chart",
                f"{coin}:1",
                lambda c=coin: client.market_chart(c, 1, raw=True),
                result,
            )
        )
        if not chart.prices:
            result.notes.append(Message(N_("{coin}: no points"), coin=coin))
            continue
        first = min(t for t, _ in chart.prices)
        bars = points_to_bars(
            chart.prices,
            Timeframe.M5,
            volumes=chart.volumes,
            market_caps=chart.market_caps,
            previous=_previous(store, coin, first),
        )
        # the oldest bar holds only the tail of its period: never let it replace a full one
        bars = bars.filter(pl.col("ts") > bars["ts"].min()) if bars.height > 1 else bars
        stored = store.upsert(coin, Timeframe.M5, bars)
        result.rows += stored.inserted + stored.updated
    result.requests = client.stats.requests - before
    return result
