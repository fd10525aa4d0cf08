"""Strict readers of CoinGecko's JSON payloads.

Anything malformed (wrong types, nulls where a price is due, NaN, negative or absurd prices)
raises DataError naming the field, so the client fetches the answer again instead of storing
a bad value. Timestamps come out as UTC epoch milliseconds.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, overload

from finbot.errors import DataError
from finbot.i18n import N_

OHLC_DAYS: tuple[int, ...] = (1, 7, 14, 30, 90, 180, 365)
MAX_PRICE_USD = 1e9  # no asset trades above this: such a value is a corrupted payload
MIN_TS_MS = 1_230_768_000_000  # 2009-01-01: older "timestamps" are seconds or garbage


@dataclass(frozen=True)
class SimplePrice:
    coin: str
    usd: float
    eur: float | None
    usd_market_cap: float | None
    usd_24h_vol: float | None
    usd_24h_change: float | None
    last_updated_at: int  # epoch seconds, as CoinGecko gives it


@dataclass(frozen=True)
class MarketRow:
    coin: str
    symbol: str
    price: float
    market_cap: float | None
    rank: int | None
    volume_24h: float | None
    high_24h: float | None
    low_24h: float | None
    change_1h_pct: float | None
    change_24h_pct: float | None
    change_7d_pct: float | None
    last_updated_ms: int | None


@dataclass(frozen=True)
class Chart:
    """market_chart series, each a list of (ts_ms, value)."""

    prices: list[tuple[int, float]]
    market_caps: list[tuple[int, float]]
    volumes: list[tuple[int, float]]


@dataclass(frozen=True)
class Candle:
    ts_ms: int  # CoinGecko's timestamp: the candle's CLOSE time
    open: float
    high: float
    low: float
    close: float


@dataclass(frozen=True)
class Ticker:
    exchange: str
    base: str
    target: str
    last_usd: float | None
    volume_usd: float | None
    spread_pct: float | None  # bid_ask_spread_percentage: ALREADY a percent (0.05 = 0.05 %)
    trust_score: str | None
    ts_ms: int | None


@dataclass(frozen=True)
class CoinListing:
    """One coin CoinGecko knows (``/coins/list``): the id finbot uses, its symbol and name."""

    id: str
    symbol: str
    name: str


def _reject_constant(name: str) -> float:
    raise DataError(N_("payload: {name} is not a number"), name=name)


def loads(body: bytes | str) -> Any:
    """JSON text → data; truncated or invalid JSON and NaN/Infinity raise DataError."""
    try:
        return json.loads(body, parse_constant=_reject_constant)
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(N_("payload: invalid JSON ({error})"), error=str(exc)) from None


@overload
def number(
    value: object, field: str, *, optional: Literal[False] = False, minimum: float = 0.0
) -> float: ...
@overload
def number(value: object, field: str, *, optional: bool, minimum: float = 0.0) -> float | None: ...
def number(
    value: object, field: str, *, optional: bool = False, minimum: float = 0.0
) -> float | None:
    """A finite number >= ``minimum`` (bools and strings refused); None allowed if optional."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DataError(
            N_("payload: {field}: expected a number, got {value}"),
            field=field,
            value=repr(value)[:40],
        )
    if not math.isfinite(value) or value < minimum:
        raise DataError(
            N_("payload: {field}: expected a finite number >= {minimum}, got {value!r}"),
            field=field,
            minimum=minimum,
            value=value,
        )
    return float(value)


def price(value: object, field: str) -> float:
    result = number(value, field)
    if result <= 0 or result > MAX_PRICE_USD:
        raise DataError(
            N_("payload: {field}: expected a price in (0, {maximum}], got {value!r}"),
            field=field,
            maximum=f"{MAX_PRICE_USD:g}",
            value=value,
        )
    return float(result)


def timestamp_ms(value: object, field: str) -> int:
    ts = number(value, field)
    if ts < MIN_TS_MS or ts != int(ts):
        raise DataError(
            N_("payload: {field}: expected epoch milliseconds, got {value!r}"),
            field=field,
            value=value,
        )
    return int(ts)


def _object(data: object, field: str) -> dict[str, object]:
    if not isinstance(data, dict):
        raise DataError(
            N_("payload: {field}: expected an object, got {kind}"),
            field=field,
            kind=type(data).__name__,
        )
    return data


def _list(data: object, field: str) -> list[object]:
    if not isinstance(data, list):
        raise DataError(
            N_("payload: {field}: expected a list, got {kind}"),
            field=field,
            kind=type(data).__name__,
        )
    return data


def parse_simple_price(
    data: object, ids: list[str] | tuple[str, ...], vs: tuple[str, ...]
) -> dict[str, SimplePrice]:
    """/simple/price → {coin: SimplePrice}; coins CoinGecko does not know are simply absent."""
    body = _object(data, "simple/price")
    out: dict[str, SimplePrice] = {}
    for coin in ids:
        if coin not in body:
            continue
        row = _object(body[coin], coin)
        updated = number(row.get("last_updated_at"), f"{coin}.last_updated_at")
        out[coin] = SimplePrice(
            coin=coin,
            usd=price(row.get("usd"), f"{coin}.usd"),
            eur=price(row["eur"], f"{coin}.eur")
            if "eur" in vs and row.get("eur") is not None
            else None,
            usd_market_cap=number(
                row.get("usd_market_cap"), f"{coin}.usd_market_cap", optional=True
            ),
            usd_24h_vol=number(row.get("usd_24h_vol"), f"{coin}.usd_24h_vol", optional=True),
            usd_24h_change=number(
                row.get("usd_24h_change"), f"{coin}.usd_24h_change", optional=True, minimum=-100.0
            ),
            last_updated_at=int(updated),
        )
    return out


def _iso_ms(value: object) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def _pct(row: dict[str, object], name: str, coin: str) -> float | None:
    return number(row.get(name), f"{coin}.{name}", optional=True, minimum=-100.0)


def parse_markets(data: object) -> list[MarketRow]:
    """/coins/markets rows (price change windows 1h, 24h, 7d in percent)."""
    rows = []
    for index, raw in enumerate(_list(data, "coins/markets")):
        row = _object(raw, f"coins/markets[{index}]")
        coin = row.get("id")
        if not isinstance(coin, str) or not coin:
            raise DataError(
                N_("payload: coins/markets[{index}].id: expected a coin id"), index=index
            )
        rank = row.get("market_cap_rank")
        rows.append(
            MarketRow(
                coin=coin,
                symbol=str(row.get("symbol") or ""),
                price=price(row.get("current_price"), f"{coin}.current_price"),
                market_cap=number(row.get("market_cap"), f"{coin}.market_cap", optional=True),
                rank=int(rank) if isinstance(rank, int) and not isinstance(rank, bool) else None,
                volume_24h=number(row.get("total_volume"), f"{coin}.total_volume", optional=True),
                high_24h=number(row.get("high_24h"), f"{coin}.high_24h", optional=True),
                low_24h=number(row.get("low_24h"), f"{coin}.low_24h", optional=True),
                change_1h_pct=_pct(row, "price_change_percentage_1h_in_currency", coin),
                change_24h_pct=_pct(row, "price_change_percentage_24h_in_currency", coin),
                change_7d_pct=_pct(row, "price_change_percentage_7d_in_currency", coin),
                last_updated_ms=_iso_ms(row.get("last_updated")),
            )
        )
    return rows


def _series(data: dict[str, object], name: str, *, prices: bool) -> list[tuple[int, float]]:
    out = []
    for index, pair in enumerate(_list(data.get(name), name)):
        if not isinstance(pair, list) or len(pair) != 2:
            raise DataError(
                N_("payload: {name}[{index}]: expected [timestamp, value]"), name=name, index=index
            )
        ts = timestamp_ms(pair[0], f"{name}[{index}].ts")
        if prices:
            out.append((ts, price(pair[1], f"{name}[{index}]")))
        elif pair[1] is not None:  # CoinGecko sends null caps for some old days
            out.append((ts, float(number(pair[1], f"{name}[{index}]"))))
    return out


def parse_chart(data: object) -> Chart:
    """/market_chart and /market_chart/range → three (ts_ms, value) series."""
    body = _object(data, "market_chart")
    return Chart(
        prices=_series(body, "prices", prices=True),
        market_caps=_series(body, "market_caps", prices=False),
        volumes=_series(body, "total_volumes", prices=False),
    )


def parse_ohlc(data: object) -> list[Candle]:
    """/ohlc rows ``[ts, open, high, low, close]`` with high >= max(open, close) >= low."""
    candles = []
    for index, row in enumerate(_list(data, "ohlc")):
        if not isinstance(row, list) or len(row) != 5:
            raise DataError(
                N_("payload: ohlc[{index}]: expected [ts, open, high, low, close]"), index=index
            )
        o, h, lo, c = (price(v, f"ohlc[{index}]") for v in row[1:])
        if h < max(o, c, lo) or lo > min(o, c):
            raise DataError(N_("payload: ohlc[{index}]: inconsistent high/low"), index=index)
        candles.append(Candle(timestamp_ms(row[0], f"ohlc[{index}].ts"), o, h, lo, c))
    return candles


def parse_tickers(data: object) -> list[Ticker]:
    """/coins/{id}/tickers → one Ticker per market (spread kept as CoinGecko's percent)."""
    out = []
    for index, raw in enumerate(_list(_object(data, "tickers").get("tickers"), "tickers")):
        row = _object(raw, f"tickers[{index}]")
        market = _object(row.get("market") or {}, f"tickers[{index}].market")
        usd = row.get("converted_last") or {}
        vol = row.get("converted_volume") or {}
        trust = row.get("trust_score")
        out.append(
            Ticker(
                exchange=str(market.get("identifier") or market.get("name") or "?").lower(),
                base=str(row.get("base") or ""),
                target=str(row.get("target") or ""),
                last_usd=number(
                    usd.get("usd") if isinstance(usd, dict) else None,
                    f"tickers[{index}].converted_last.usd",
                    optional=True,
                ),
                volume_usd=number(
                    vol.get("usd") if isinstance(vol, dict) else None,
                    f"tickers[{index}].converted_volume.usd",
                    optional=True,
                ),
                spread_pct=number(
                    row.get("bid_ask_spread_percentage"),
                    f"tickers[{index}].bid_ask_spread_percentage",
                    optional=True,
                ),
                trust_score=trust if isinstance(trust, str) else None,
                ts_ms=_iso_ms(row.get("timestamp")),
            )
        )
    return out


def parse_coins_list(data: object) -> list[CoinListing]:
    """/coins/list: every coin's id, symbol and name."""
    out = []
    for index, raw in enumerate(_list(data, "coins/list")):
        row = _object(raw, f"coins/list[{index}]")
        coin, symbol, name = row.get("id"), row.get("symbol"), row.get("name")
        if not (isinstance(coin, str) and isinstance(symbol, str) and isinstance(name, str)):
            raise DataError(
                N_("payload: coins/list[{index}]: expected id, symbol and name texts"), index=index
            )
        out.append(CoinListing(coin, symbol, name))
    return out
