"""A Binance-compatible spot REST subset: ``/api/v3/ping``, ``/time``, ``/exchangeInfo`` and
``/klines``, enough for ccxt's ``binance`` class (with ``urls['api']`` pointed here) to load
markets and page through OHLCV. Volume in klines is in the BASE asset, as Binance sends it
(USD volume / close); ``quoteAssetVolume`` carries the USD figure. Only bars that have closed
by "now" are served."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from finbot.replay.history import HistorySource, Series
from finbot.replay.responses import Reply, json_reply
from finbot.timeframes import DAY_MS, HOUR_MS, MINUTE_MS, WEEK_MS

QUOTE = "USDT"
INTERVALS_MS = {
    "1m": MINUTE_MS,
    "3m": 3 * MINUTE_MS,
    "5m": 5 * MINUTE_MS,
    "15m": 15 * MINUTE_MS,
    "30m": 30 * MINUTE_MS,
    "1h": HOUR_MS,
    "2h": 2 * HOUR_MS,
    "4h": 4 * HOUR_MS,
    "6h": 6 * HOUR_MS,
    "8h": 8 * HOUR_MS,
    "12h": 12 * HOUR_MS,
    "1d": DAY_MS,
    "3d": 3 * DAY_MS,
    "1w": WEEK_MS,
}
_WEEK_OFFSET_MS = 4 * DAY_MS  # Binance weeks open on Monday; the epoch was a Thursday


def _error(code: int, msg: str, status: int = 400) -> Reply:
    return json_reply({"code": code, "msg": msg}, status)


def symbols(source: HistorySource) -> dict[str, str]:
    """``{"BTCUSDT": "bitcoin", ...}`` for every coin of the history."""
    return {f"{p.symbol}{QUOTE}": coin for coin, p in source.profiles.items() if source.has(coin)}


def _symbol_info(symbol: str, base: str) -> dict[str, Any]:
    """One ``exchangeInfo`` symbol, in Binance's key order: assets, order rules, filters,
    permissions."""
    return {
        **_assets(symbol, base),
        **_order_rules(),
        "filters": _filters(),
        **_permissions(),
    }


def _assets(symbol: str, base: str) -> dict[str, str | int]:
    return {
        "symbol": symbol,
        "status": "TRADING",
        "baseAsset": base,
        "baseAssetPrecision": 8,
        "quoteAsset": QUOTE,
        "quotePrecision": 8,
        "quoteAssetPrecision": 8,
        "baseCommissionPrecision": 8,
        "quoteCommissionPrecision": 8,
    }


def _order_rules() -> dict[str, list[str] | bool]:
    return {
        "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"],
        "icebergAllowed": True,
        "ocoAllowed": True,
        "otoAllowed": True,
        "quoteOrderQtyMarketAllowed": True,
        "allowTrailingStop": True,
        "cancelReplaceAllowed": True,
        "isSpotTradingAllowed": True,
        "isMarginTradingAllowed": False,
    }


def _filters() -> list[dict[str, str | int | bool]]:
    return [
        {
            "filterType": "PRICE_FILTER",
            "minPrice": "0.00000001",
            "maxPrice": "1000000.00000000",
            "tickSize": "0.00000001",
        },
        {
            "filterType": "LOT_SIZE",
            "minQty": "0.00001000",
            "maxQty": "9000000000.00000000",
            "stepSize": "0.00001000",
        },
        {
            "filterType": "NOTIONAL",
            "minNotional": "5.00000000",
            "applyMinToMarket": True,
            "maxNotional": "9000000.00000000",
            "applyMaxToMarket": False,
            "avgPriceMins": 5,
        },
    ]


def _permissions() -> dict[str, str | list[str] | list[list[str]]]:
    return {
        "permissions": [],
        "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
        "allowedSelfTradePreventionModes": ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
    }


def exchange_info(source: HistorySource, now_ms: int) -> Reply:
    return json_reply(
        {
            "timezone": "UTC",
            "serverTime": now_ms,
            "rateLimits": [
                {
                    "rateLimitType": "REQUEST_WEIGHT",
                    "interval": "MINUTE",
                    "intervalNum": 1,
                    "limit": 6000,
                }
            ],
            "exchangeFilters": [],
            "symbols": [
                _symbol_info(sym, source.profiles[coin].symbol)
                for sym, coin in symbols(source).items()
            ],
        }
    )


def _bars(series: Series, step: int) -> tuple[np.ndarray, ...]:
    """The series' bars on a ``step`` grid: as is, or aggregated from finer bars."""
    if series.step_ms == step:
        return series.ts, series.open, series.high, series.low, series.close, series.volume
    offset = _WEEK_OFFSET_MS if step == INTERVALS_MS["1w"] else 0
    group = (series.ts - offset) // step
    starts = (
        np.flatnonzero(np.diff(group, prepend=group[0] - 1)) if len(group) else np.array([], int)
    )
    if len(starts) == 0:
        empty = np.array([], dtype=float)
        return np.array([], dtype=np.int64), empty, empty, empty, empty, empty
    ends = np.append(starts[1:], len(group)) - 1
    return (
        group[starts] * step + offset,
        series.open[starts],
        np.maximum.reduceat(series.high, starts),
        np.minimum.reduceat(series.low, starts),
        series.close[ends],
        np.add.reduceat(series.volume, starts),
    )


def _pick(source: HistorySource, coin: str, step: int) -> Series | None:
    usable = [s for s in source.series[coin].values() if step % s.step_ms == 0]
    exact = [s for s in usable if s.step_ms == step]
    if exact:
        return exact[0]
    return min(usable, key=lambda s: int(s.ts[0]), default=None)


def _window(ts: np.ndarray, step: int, params: Mapping[str, str], now_ms: int) -> slice:
    limit = max(1, min(1000, int(params.get("limit", "500") or 500)))
    last_open = min(now_ms - step, int(params.get("endTime", now_ms) or now_ms))
    hi = int(np.searchsorted(ts, last_open, side="right"))
    if params.get("startTime"):
        lo = int(np.searchsorted(ts, int(params["startTime"]), side="left"))
        return slice(lo, min(hi, lo + limit))
    return slice(max(0, hi - limit), hi)


def _row(t: int, o: float, h: float, lo: float, c: float, v_usd: float, step: int) -> list[Any]:
    base = v_usd / c if c else 0.0
    return [
        int(t),
        f"{o:.8f}",
        f"{h:.8f}",
        f"{lo:.8f}",
        f"{c:.8f}",
        f"{base:.8f}",
        int(t) + step - 1,
        f"{v_usd:.8f}",
        max(1, int(base)),
        f"{base / 2:.8f}",
        f"{v_usd / 2:.8f}",
        "0",
    ]


def klines(source: HistorySource, params: Mapping[str, str], now_ms: int) -> Reply:
    coin = symbols(source).get((params.get("symbol") or "").upper())
    if coin is None:
        return _error(-1121, "Invalid symbol.")
    step = INTERVALS_MS.get(params.get("interval") or "")
    if step is None:
        return _error(-1120, "Invalid interval.")
    series = _pick(source, coin, step)
    if series is None:
        return json_reply([])
    ts, o, h, lo, c, v = _bars(series, step)
    sl = _window(ts, step, params, now_ms)
    return json_reply(
        [
            _row(int(t), float(op), float(hi), float(low), float(cl), float(vo), step)
            for t, op, hi, low, cl, vo in zip(
                ts[sl], o[sl], h[sl], lo[sl], c[sl], v[sl], strict=True
            )
        ]
    )


def handle(route: str, params: Mapping[str, str], source: HistorySource, now_ms: int) -> Reply:
    if route == "/api/v3/ping":
        return json_reply({})
    if route == "/api/v3/time":
        return json_reply({"serverTime": now_ms})
    if route == "/api/v3/exchangeInfo":
        return exchange_info(source, now_ms)
    if route == "/api/v3/klines":
        return klines(source, params, now_ms)
    return _error(-1000, f"Unknown endpoint {route}.", 404)
