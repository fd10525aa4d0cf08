"""market_chart, market_chart/range and ohlc, with CoinGecko's automatic granularity.

- market_chart ``days``: 1 (or less) → 5-minute points, 2–90 → hourly, above 90 → daily
  (00:00 UTC); ``interval=daily`` forces daily; ``interval=5m|hourly`` are paid-plan only.
  The latest price at "now" is appended as the final point, as CoinGecko does.
- market_chart/range: the same rules on the span ``to - from`` (seconds); no extra point.
- ``total_volumes`` is the rolling 24 h USD volume at each point (not a per-bar volume).
- ohlc ``days`` only 1/7/14/30/90/180/365/max; candles of 30 min (1–2 days), 4 h (3–30 days)
  or 4 days (above); ``[close time ms, open, high, low, close]``, no volume; only candles that
  have closed by "now" are served.
- Demo/public plan: more than 365 days back → HTTP 401 with error 10012.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import numpy as np

from finbot.replay.history import HistorySource, Points, eur_per_usd
from finbot.replay.responses import (
    Reply,
    history_limit,
    json_reply,
    simple_error,
    status_error,
)
from finbot.timeframes import DAY_MS, HOUR_MS, MINUTE_MS

Params = Mapping[str, str]
FIVE_MIN_MS = 5 * MINUTE_MS
OHLC_DAYS = ("1", "7", "14", "30", "90", "180", "365", "max")
PAID_INTERVALS = {"5m": FIVE_MIN_MS, "5minutely": FIVE_MIN_MS, "hourly": HOUR_MS}
LIMIT_MS = 365 * DAY_MS


def granularity(span_ms: float) -> int:
    """CoinGecko's automatic step for a window of ``span_ms``."""
    if span_ms <= DAY_MS:
        return FIVE_MIN_MS
    if span_ms <= 90 * DAY_MS:
        return HOUR_MS
    return DAY_MS


def _fx(currency: str) -> bool | None:
    return {"usd": False, "eur": True}.get(currency.lower())


def _pairs(ts: np.ndarray, values: np.ndarray, eur: bool) -> list[list[float | int]]:
    if eur:
        values = values * np.array([eur_per_usd(int(t)) for t in ts])
    return [[int(t), float(v)] for t, v in zip(ts, values, strict=False)]


def _chart_body(points: Points, eur: bool) -> Reply:
    return json_reply(
        {
            "prices": _pairs(points.ts, points.price, eur),
            "market_caps": _pairs(points.ts, points.market_cap, eur),
            "total_volumes": _pairs(points.ts, points.volume_24h, eur),
        }
    )


def _with_latest(source: HistorySource, coin: str, points: Points, now_ms: int) -> Points:
    latest = source.latest(coin, now_ms)
    if latest is None or (len(points.ts) and latest[0] <= int(points.ts[-1])):
        return points
    t, price, cap, vol = latest
    return Points(
        np.append(points.ts, t),
        np.append(points.price, price),
        np.append(points.market_cap, cap),
        np.append(points.volume_24h, vol),
    )


def _parse_days(raw: str | None, source: HistorySource, now_ms: int) -> float | None:
    if raw is None:
        return None
    if raw.lower() == "max":
        return (now_ms - source.start_ms) / DAY_MS + 1
    try:
        days = float(raw)
    except ValueError:
        return None
    return days if days > 0 else None


def market_chart(
    source: HistorySource, coin: str, params: Params, now_ms: int, *, demo: bool
) -> Reply:
    eur = _fx(params.get("vs_currency", ""))
    if eur is None:
        return simple_error(400, "invalid vs_currency")
    days = _parse_days(params.get("days"), source, now_ms)
    if days is None:
        return simple_error(400, "invalid 'days' parameter")
    if demo and (days > 365 or params.get("days", "").lower() == "max"):
        return history_limit(now_ms)
    interval = (params.get("interval") or "").lower()
    if interval in PAID_INTERVALS and demo:
        return status_error(401, 10005, "This request is limited to paid plan subscribers.")
    step = (
        DAY_MS
        if interval == "daily"
        else PAID_INTERVALS.get(interval) or granularity(days * DAY_MS)
    )
    points = source.points(coin, now_ms - int(days * DAY_MS), now_ms, step)
    return _chart_body(_with_latest(source, coin, points, now_ms), eur)


def _parse_time_s(raw: str | None) -> float | None:
    """``from``/``to``: UNIX seconds, or an ISO date (``YYYY-MM-DD`` or date-time)."""
    if raw is None or raw == "":
        return None
    try:
        return float(raw)
    except ValueError:
        pass
    try:
        stamp = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).timestamp()


def market_chart_range(
    source: HistorySource, coin: str, params: Params, now_ms: int, *, demo: bool
) -> Reply:
    eur = _fx(params.get("vs_currency", ""))
    if eur is None:
        return simple_error(400, "invalid vs_currency")
    start_s, end_s = _parse_time_s(params.get("from")), _parse_time_s(params.get("to"))
    if start_s is None or end_s is None or end_s < start_s:
        return simple_error(400, "invalid 'from' or 'to' parameter")
    start, end = int(start_s * 1000), min(int(end_s * 1000), now_ms)
    if demo and start < now_ms - LIMIT_MS:
        return history_limit(now_ms)
    step = granularity(int(end_s * 1000) - start)
    return _chart_body(source.points(coin, start, end, step), eur)


def candle_ms(days: float) -> int:
    """CoinGecko's OHLC candle size for ``days``: 30 min, 4 h or 4 days."""
    if days <= 2:
        return 30 * MINUTE_MS
    if days <= 30:
        return 4 * HOUR_MS
    return 4 * DAY_MS


def ohlc(source: HistorySource, coin: str, params: Params, now_ms: int, *, demo: bool) -> Reply:
    eur = _fx(params.get("vs_currency", ""))
    if eur is None:
        return simple_error(400, "invalid vs_currency")
    raw = (params.get("days") or "").lower()
    if raw not in OHLC_DAYS:
        return simple_error(400, "Invalid days parameter")
    if raw == "max" and demo:
        return history_limit(now_ms)
    days = _parse_days(raw, source, now_ms) or 1.0
    size = candle_ms(days)
    rows = candles(source, coin, now_ms - int(days * DAY_MS), now_ms, size)
    if eur:
        rows = [[r[0], *(v * eur_per_usd(int(r[0])) for v in r[1:])] for r in rows]
    return json_reply(rows)


def candles(
    source: HistorySource, coin: str, start_ms: int, now_ms: int, size: int
) -> list[list[float | int]]:
    """Complete candles of ``size`` ms closing in ``(start_ms, now_ms]``, from the finest bars."""
    series = source.pick(coin, size, start_ms)
    size = max(size, series.step_ms)
    sl = series.window(start_ms, now_ms)
    ts = series.ts[sl]
    if len(ts) == 0:
        return []
    group = ts // size
    starts = np.flatnonzero(np.diff(group, prepend=group[0] - 1))
    ends = np.append(starts[1:], len(ts)) - 1
    opens, closes = series.open[sl][starts], series.close[sl][ends]
    highs = np.maximum.reduceat(series.high[sl], starts)
    lows = np.minimum.reduceat(series.low[sl], starts)
    close_t = (group[starts] + 1) * size
    ok = (close_t <= now_ms) & (close_t > start_ms) & (ts[starts] == group[starts] * size)
    return [
        [int(t), float(o), float(h), float(lo), float(c)]
        for t, o, h, lo, c, keep in zip(close_t, opens, highs, lows, closes, ok, strict=False)
        if keep
    ]
