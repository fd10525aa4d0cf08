"""The first start's history, in the order that gives the first answer first.

Keyless, CoinGecko allows ``public_rpm`` requests a minute: every request counts. So the first
start asks for the market caps once (one /simple/price request per ``ids_per_request`` coins,
giving the most-capitalised-first order), then, coin by coin, only the series the quick
horizon's model is trained on, and from the oldest time the plan serves (the public and demo
plans serve 365 days: starting there saves the refused request that would teach it). The
other series (daily bars, 5-minute bars) come afterwards, through ``collect_historical``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from finbot.clock import now_ms
from finbot.collectors.backfill_job import SeriesReport
from finbot.collectors.common import batches
from finbot.collectors.exchange_backfill import exchange_fetch
from finbot.collectors.historical_collector import (
    backfill_job,
    backfill_series,
    recorded_backfill,
    segment_bars,
    store_bars,
)
from finbot.collectors.range_collector import CHUNK_MS, CLAMP_MARGIN_MS, PLAN_HISTORY_MS, chunks
from finbot.i18n import N_, Message
from finbot.timeframes import DAY_MS, Timeframe, duration_ms

if TYPE_CHECKING:
    from finbot.collectors.kit import CollectorKit

log = logging.getLogger(__name__)


def order_by_market_cap(kit: CollectorKit, coins: Sequence[str]) -> list[str]:
    """``coins``, largest market cap first (unknown caps last, in configured order)."""
    client = kit.coingecko()
    caps: dict[str, float] = {}
    for batch in batches(coins, kit.api.coingecko.ids_per_request):
        quotes = client.simple_price(list(batch))
        caps |= {c: q.usd_market_cap for c, q in quotes.items() if q.usd_market_cap is not None}
    position = {coin: i for i, coin in enumerate(coins)}
    return sorted(coins, key=lambda c: (c not in caps, -caps.get(c, 0.0), position[c]))


def first_window_ms(kit: CollectorKit, timeframe: str, now: int) -> int:
    """Start of the first fetch of ``timeframe``: the configured window within the plan's
    reach (365 days but an hour on the public and demo plans), cut to whole chunks of
    CoinGecko's granularity window (a partial chunk would cost a whole request)."""
    chunk, tf_ms = CHUNK_MS[timeframe], duration_ms(timeframe)
    reach = kit.history_days.get(Timeframe(timeframe), 365) * DAY_MS
    if kit.coingecko().plan != "pro":
        reach = min(reach, PLAN_HISTORY_MS - CLAMP_MARGIN_MS)
    span = reach // chunk * chunk or reach
    return -(-(now - span) // tf_ms) * tf_ms


def requests_needed(kit: CollectorKit, coins: Sequence[str], timeframe: str) -> int:
    """Requests the first answers need: the market caps, then ``timeframe`` for each coin."""
    now = now_ms(kit.clock)
    per_coin = len(chunks(first_window_ms(kit, timeframe, now), now, CHUNK_MS[timeframe]))
    caps = len(batches(coins, kit.api.coingecko.ids_per_request))
    return caps + len(coins) * per_coin


def backfill_first(kit: CollectorKit, coin: str, timeframe: str) -> SeriesReport:
    """Fetch and store ``coin``'s ``timeframe`` series with the fewest CoinGecko requests (one
    per chunk of its granularity window; the exchange's bars with CoinGecko's market caps when
    the exchange source is on). A series already stored (a resumed first start) is completed
    by the usual backfill instead."""
    job = backfill_job(kit, kit.coingecko())
    start = first_window_ms(kit, timeframe, job.now_ms)
    days = max(1, (job.now_ms - start) // DAY_MS)
    if kit.bars.last_ts(coin, timeframe) is not None:  # only what the stored series lacks
        return backfill_series(job, coin, timeframe, days)
    report = SeriesReport(coin, timeframe)
    with recorded_backfill(job.store, report):
        exchange = exchange_fetch(job, coin, timeframe, days + 1, report)
        bars = segment_bars(job, report, coin, timeframe, start, job.now_ms, exchange)
        store_bars(job, report, bars)
    if report.error:
        line = Message(
            N_("{coin} {tf}: first backfill failed: {error}"),
            coin=coin,
            tf=timeframe,
            error=report.error,
        )
        log.error("%s", line)
    return report
