"""Historical backfill by time slices: daily bars for the oldest years, hourly for the middle,
5-minute for the most recent days (``settings.general.history_days`` per timeframe).

Resumable: what is stored is not fetched again. A series already reaching back to its window
start is only extended from its newest bar (re-fetched, as it may have been incomplete); one
that starts later than the window also gets the older part. When the exchange source is
enabled it gives the bars (true high/low/volume) and CoinGecko /market_chart/range the market
cap; CoinGecko's resampled points are the bars otherwise, or when the exchange fails.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import polars as pl

from finbot.clock import iso_utc, now_ms
from finbot.collectors.backfill_job import BackfillJob, HistoricalSummary, SeriesReport
from finbot.collectors.coingecko import CoinGeckoClient
from finbot.collectors.exchange_backfill import (
    exchange_available,
    exchange_fetch,
    replay_exchange_base,
    with_caps,
)
from finbot.collectors.payloads import Chart
from finbot.collectors.range_collector import Clamp, fetch_range
from finbot.collectors.resample import points_to_bars
from finbot.errors import ApiError, QuotaExhausted
from finbot.i18n import N_, Message, error_message
from finbot.storage import BarStore
from finbot.timeframes import DAY_MS, Timeframe, duration_ms

if TYPE_CHECKING:
    from finbot.collectors.kit import CollectorKit

log = logging.getLogger(__name__)

# Coarse first: their market caps serve finer ones.
ORDER = (Timeframe.W1, Timeframe.D1, Timeframe.H4, Timeframe.H1, Timeframe.M5)
COINGECKO_5M_MS = DAY_MS  # CoinGecko gives 5-minute points for the last day only
Progress = Callable[[str, int, int], None]  # (description, done, total)


def plan_windows(wanted: Mapping[Timeframe, int], days: int | None) -> dict[str, int]:
    """Days of history per timeframe (``wanted``: ``general.history_days``; ``days`` caps each
    one), coarse timeframes first."""
    return {tf: min(wanted[tf], days) if days else wanted[tf] for tf in ORDER if tf in wanted}


def segments(store: BarStore, coin: str, tf: str, start: int, end: int) -> list[tuple[int, int]]:
    """The parts of ``[start, end]`` still to fetch: the older part, every quarantined month
    (``storage verify`` moved its damaged file away), then from the newest bar."""
    first, last = store.first_ts(coin, tf), store.last_ts(coin, tf)
    if last is None or first is None:
        return [(start, end)]
    out = []
    if first > start + duration_ms(tf):
        out.append((start, first))
    for hole_start, hole_end in store.pending_refills(coin, tf):  # quarantined months
        if hole_end > start and hole_start < end:
            out.append((max(hole_start, start), min(hole_end, end)))
    out.append((max(last, start), end))
    return out


def _previous(store: BarStore, coin: str, tf: str, before_ms: int) -> tuple[int, float] | None:
    frame = store.read(coin, tf, end_ms=before_ms - 1, last_n=1)
    if frame.height == 0:
        return None
    return int(frame["ts"][-1]), float(frame["close"][-1])


def _coingecko_chart(
    job: BackfillJob, report: SeriesReport, coin: str, tf: str, start: int, end: int
) -> Chart:
    if tf == Timeframe.M5 and start < end - COINGECKO_5M_MS:
        start = end - COINGECKO_5M_MS
    if job.history_floor_ms is not None and start < job.history_floor_ms:
        clamp = Clamp(job.history_floor_ms)
        report.notes.append(clamp.describe(coin, tf))
        start = job.history_floor_ms
    fetched = fetch_range(job.client, coin, start, end, tf, now_ms=job.now_ms)
    report.requests += fetched.requests
    if fetched.clamp:
        report.notes.append(fetched.clamp.describe(coin, tf))
        job.history_floor_ms = fetched.clamp.served_start_ms
    job.caps.extend(fetched.chart.market_caps)
    return fetched.chart


def segment_bars(
    job: BackfillJob, report: SeriesReport, coin: str, tf: str, start: int, end: int, exchange: bool
) -> pl.DataFrame:
    """CoinGecko bars of ``[start, end]``; with ``exchange``, the exchange's stored bars with
    CoinGecko's market caps added instead."""
    chart = _coingecko_chart(job, report, coin, tf, start, end)
    if exchange:
        stored = job.store.read(coin, tf, start_ms=start, end_ms=end)
        return with_caps(stored.filter(pl.col("market_cap").is_null()), job.caps)
    bars = points_to_bars(
        chart.prices,
        tf,
        volumes=chart.volumes,
        market_caps=chart.market_caps,
        previous=_previous(job.store, coin, tf, start),
    )
    return bars.filter(pl.col("ts") >= start)


def store_bars(job: BackfillJob, report: SeriesReport, bars: pl.DataFrame) -> int:
    """Upsert ``bars`` into ``report``'s series, counted in ``report``; the rows inserted."""
    stored = job.store.upsert(report.coin, report.timeframe, bars)
    report.inserted += stored.inserted
    report.updated += stored.updated
    return stored.inserted


@contextmanager
def recorded_backfill(store: BarStore, report: SeriesReport) -> Iterator[None]:
    """Around one series' backfill: an API failure becomes ``report.error`` (the caller logs
    it, the run goes on with the next series), the exhausted quota stops the run; then
    ``report.rows`` counts what is stored."""
    try:
        yield
    except QuotaExhausted:
        raise
    except ApiError as exc:
        report.error = error_message(exc)  # English, translatable where shown
    report.rows = store.read(report.coin, report.timeframe).height


def backfill_series(job: BackfillJob, coin: str, tf: str, days: int) -> SeriesReport:
    """Fetch and store what is missing of ``coin``'s ``tf`` series over the last ``days``."""
    report = SeriesReport(coin, tf)
    tf_ms = duration_ms(tf)
    start = (job.now_ms - days * DAY_MS) // tf_ms * tf_ms
    with recorded_backfill(job.store, report):
        todo = segments(job.store, coin, tf, start, job.now_ms)
        exchange = exchange_fetch(job, coin, tf, days, report)
        if tf == Timeframe.M5 and not exchange and start < job.now_ms - COINGECKO_5M_MS:
            start = (job.now_ms - COINGECKO_5M_MS) // tf_ms * tf_ms
            report.notes.append(
                Message(N_("5m: CoinGecko gives 5-minute points for the last day only"))
            )
            todo = segments(job.store, coin, tf, start, job.now_ms)
        for seg_start, seg_end in todo:
            bars = segment_bars(job, report, coin, tf, seg_start, seg_end, exchange)
            inserted = store_bars(job, report, bars)
            if inserted and job.store.refilled(coin, tf, seg_start, seg_end):
                report.notes.append(Message(N_("{tf}: quarantined month(s) refilled"), tf=tf))
    if report.error:
        line = Message(
            N_("{coin} {tf}: backfill failed: {error}"), coin=coin, tf=tf, error=report.error
        )
        log.error("%s", line)
    _name_the_stored_window(job, report, coin, tf)
    return report


def _name_the_stored_window(job: BackfillJob, report: SeriesReport, coin: str, tf: str) -> None:
    """One clamp note per series naming what is really stored (not the requested dates)."""
    clamped = [n for n in report.notes if "clamped" in n]
    if not clamped or job.history_floor_ms is None:
        return
    first, last = job.store.first_ts(coin, tf), job.store.last_ts(coin, tf)
    stored = (
        Message(N_("nothing stored"))
        if first is None or last is None
        else Message(N_("stored {first} to {last}"), first=iso_utc(first), last=iso_utc(last))
    )
    clamp = Clamp(job.history_floor_ms).describe(coin, tf)
    report.notes = [n for n in report.notes if "clamped" not in n] + [
        Message(N_("{clamp}; {stored}"), clamp=clamp, stored=stored)
    ]


def backfill_job(kit: CollectorKit, client: CoinGeckoClient) -> BackfillJob:
    """The backfill job of ``kit``, its clock read now."""
    return BackfillJob(
        client,
        kit.bars,
        kit.api.exchange,
        kit.coins,
        kit.clock,
        now_ms(kit.clock),
        exchange_available(kit.api.exchange),
        replay_exchange_base(kit.base_url),
    )


def collect_historical(
    kit: CollectorKit,
    coins: Sequence[str],
    days: int | None = None,
    *,
    progress: Progress | None = None,
) -> HistoricalSummary:
    """Backfill every coin x timeframe of ``history_days``; a second run fetches only what
    is missing. Returns rows per series, requests, seconds and the clamps applied."""
    started = time.perf_counter()
    client = kit.coingecko()
    windows = plan_windows(kit.history_days, days)
    summary = HistoricalSummary()
    total, done = len(coins) * len(windows), 0
    job = backfill_job(kit, client)
    before = client.stats.requests
    try:
        for coin in coins:
            job.caps = []
            for tf, tf_days in windows.items():
                if progress:
                    progress(f"{coin} {tf}", done, total)
                summary.series.append(backfill_series(job, coin, tf, tf_days))
                done += 1
        if progress:
            progress("done", done, total)
    finally:
        summary.requests = client.stats.requests - before
        summary.seconds = time.perf_counter() - started
    return summary
