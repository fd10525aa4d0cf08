"""/market_chart/range for any window, split into chunks that keep the wanted granularity.

CoinGecko picks the step from the length of the requested window: up to 1 day → 5-minutely,
up to 90 days → hourly, beyond → daily. So 5m series are fetched 1 day at a time, hourly ones
90 days at a time, daily ones 365 days at a time. The public and demo plans refuse windows
older than 365 days (HTTP 401, error 10012): the window is then clamped to the last 365 days,
with a warning and a note in the result, instead of failing the whole backfill.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from finbot.clock import iso_utc
from finbot.collectors.coingecko import CoinGeckoClient
from finbot.collectors.payloads import Chart
from finbot.errors import HistoryLimit
from finbot.i18n import N_, Message
from finbot.timeframes import DAY_MS, HOUR_MS, Timeframe

log = logging.getLogger(__name__)

CHUNK_MS: dict[str, int] = {
    Timeframe.M5: DAY_MS,
    Timeframe.H1: 90 * DAY_MS,
    Timeframe.H4: 90 * DAY_MS,
    Timeframe.D1: 365 * DAY_MS,
    Timeframe.W1: 365 * DAY_MS,
}
PLAN_HISTORY_MS = 365 * DAY_MS
CLAMPED = N_(
    "{coin} {timeframe}: CoinGecko's plan serves only the past 365 days: window clamped to "
    "{start} onwards"
)
CLAMP_MARGIN_MS = HOUR_MS  # stay an hour inside the limit: the server's clock may run ahead


@dataclass(frozen=True)
class Clamp:
    """The plan's history limit met: CoinGecko serves from ``served_start_ms`` only."""

    served_start_ms: int

    def describe(self, coin: str, timeframe: str) -> Message:
        return Message(
            CLAMPED,
            coin=coin,
            timeframe=timeframe,
            start=iso_utc(self.served_start_ms),
        )


@dataclass
class RangeFetch:
    """Merged series of every chunk, and the clamp applied (if any)."""

    chart: Chart = field(default_factory=lambda: Chart([], [], []))
    requests: int = 0
    clamp: Clamp | None = None


def chunks(start_ms: int, end_ms: int, chunk_ms: int) -> list[tuple[int, int]]:
    """Consecutive ``[a, b]`` windows covering ``[start_ms, end_ms]``, oldest first."""
    out = []
    cursor = start_ms
    while cursor < end_ms:
        out.append((cursor, min(cursor + chunk_ms, end_ms)))
        cursor += chunk_ms
    return out


def _extend(into: Chart, more: Chart) -> None:
    into.prices.extend(more.prices)
    into.market_caps.extend(more.market_caps)
    into.volumes.extend(more.volumes)


def fetch_range(
    client: CoinGeckoClient, coin: str, start_ms: int, end_ms: int, timeframe: str, *, now_ms: int
) -> RangeFetch:
    """Every point of ``[start_ms, end_ms]`` at the granularity ``timeframe`` needs."""
    result = RangeFetch()
    before = client.stats.requests
    pending = chunks(start_ms, end_ms, CHUNK_MS[timeframe])
    while pending:
        a, b = pending.pop(0)
        try:
            _extend(result.chart, client.market_chart_range(coin, a // 1000, b // 1000))
        except HistoryLimit:
            if result.clamp is not None:
                raise
            limit = now_ms - PLAN_HISTORY_MS + CLAMP_MARGIN_MS
            result.clamp = Clamp(limit)
            log.warning("%s", result.clamp.describe(coin, timeframe))
            pending = chunks(max(a, limit), end_ms, CHUNK_MS[timeframe])
    result.requests = client.stats.requests - before
    return result
