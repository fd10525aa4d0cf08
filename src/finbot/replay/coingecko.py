"""CoinGecko v3 endpoints over a HistorySource, in CoinGecko's JSON shapes.

Routing plus the snapshot endpoints (/ping, /simple/price, /coins/markets, /coins/list);
charts live in ``charts.py``, tickers and exchange rates in ``tickers.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np

from finbot.replay import charts, tickers
from finbot.replay.coin_profiles import CoinProfile
from finbot.replay.history import HistorySource, eur_per_usd
from finbot.replay.responses import Reply, json_reply, simple_error
from finbot.timeframes import DAY_MS, HOUR_MS

Params = Mapping[str, str]
_COIN_ROUTE = re.compile(
    r"^/coins/(?P<coin>[^/]+)/(?P<what>market_chart/range|market_chart|ohlc|tickers)$"
)
CHANGE_WINDOWS = {
    "1h": HOUR_MS,
    "24h": DAY_MS,
    "7d": 7 * DAY_MS,
    "14d": 14 * DAY_MS,
    "30d": 30 * DAY_MS,
    "200d": 200 * DAY_MS,
    "1y": 365 * DAY_MS,
}


def split(value: str | None) -> list[str]:
    return [v.strip().lower() for v in (value or "").split(",") if v.strip()]


def truthy(value: str | None) -> bool:
    return (value or "").lower() == "true"


def currency_rate(currency: str, at_ms: int) -> float | None:
    """USD → ``currency`` at ``at_ms`` (usd and eur are served; others are unknown)."""
    return {"usd": 1.0, "eur": eur_per_usd(at_ms)}.get(currency)


def iso_ms(at_ms: int) -> str:
    return (
        datetime.fromtimestamp(at_ms / 1000, tz=UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def change_pct(
    source: HistorySource, coin: str, now_ms: int, price: float, window_ms: int
) -> float | None:
    before = source.price_at(coin, now_ms - window_ms)
    return None if not before else (price / before - 1.0) * 100.0


class CoinGeckoApi:
    """Answers ``/api/v3/...`` requests; ``plan`` "demo" enforces the 365-day limit."""

    def __init__(self, source: HistorySource, plan: str = "demo"):
        self.source = source
        self.plan = plan

    def handle(self, route: str, params: Params, now_ms: int) -> Reply:
        fixed: dict[str, Callable[[Params, int], Reply]] = {
            "/ping": lambda p, n: json_reply({"gecko_says": "(V3) To the Moon!"}),
            "/simple/price": self.simple_price,
            "/coins/markets": self.coins_markets,
            "/coins/list": self.coins_list,
            "/exchange_rates": lambda p, n: tickers.exchange_rates(self.source, n),
        }
        if route in fixed:
            return fixed[route](params, now_ms)
        match = _COIN_ROUTE.match(route)
        if match is None:
            return simple_error(404, "Not Found")
        coin = match["coin"]
        if not self.source.has(coin):
            return simple_error(404, "coin not found")
        return self._coin_route(match["what"], coin, params, now_ms)

    def _coin_route(self, what: str, coin: str, params: Params, now_ms: int) -> Reply:
        demo = self.plan != "pro"
        if what == "market_chart":
            return charts.market_chart(self.source, coin, params, now_ms, demo=demo)
        if what == "market_chart/range":
            return charts.market_chart_range(self.source, coin, params, now_ms, demo=demo)
        if what == "ohlc":
            return charts.ohlc(self.source, coin, params, now_ms, demo=demo)
        return tickers.coin_tickers(self.source, coin, params, now_ms)

    # ------------------------------------------------------------ /simple/price
    def simple_price(self, params: Params, now_ms: int) -> Reply:
        ids, currencies = split(params.get("ids")), split(params.get("vs_currencies"))
        if not ids:
            return simple_error(400, "Missing parameter ids")
        if not currencies:
            return simple_error(400, "Missing parameter vs_currencies")
        out: dict[str, dict[str, Any]] = {}
        for coin in ids:
            latest = self.source.latest(coin, now_ms) if self.source.has(coin) else None
            if latest is not None:  # unknown ids are silently left out, as CoinGecko does
                out[coin] = self._price_entry(coin, latest, currencies, params, now_ms)
        return json_reply(out)

    def _price_entry(
        self,
        coin: str,
        latest: tuple[int, float, float, float],
        currencies: list[str],
        params: Params,
        now_ms: int,
    ) -> dict[str, Any]:
        at, price, cap, vol = latest
        change = change_pct(self.source, coin, at, price, DAY_MS)
        entry: dict[str, Any] = {}
        for cur in currencies:
            rate = currency_rate(cur, at)
            if rate is None:
                continue
            entry[cur] = _round(price * rate, params.get("precision"))
            if truthy(params.get("include_market_cap")):
                entry[f"{cur}_market_cap"] = cap * rate
            if truthy(params.get("include_24hr_vol")):
                entry[f"{cur}_24h_vol"] = vol * rate
            if truthy(params.get("include_24hr_change")):
                entry[f"{cur}_24h_change"] = change
        if truthy(params.get("include_last_updated_at")):
            entry["last_updated_at"] = at // 1000
        return entry

    # ------------------------------------------------------------ /coins/markets
    def coins_markets(self, params: Params, now_ms: int) -> Reply:
        currency = (params.get("vs_currency") or "").lower()
        rate = currency_rate(currency, now_ms) if currency else None
        if not currency:
            return simple_error(400, "Missing parameter vs_currency")
        if rate is None:
            return simple_error(400, "invalid vs_currency")
        ids = split(params.get("ids")) or self.source.coins
        rows = [
            r
            for r in (self._market_row(c, now_ms, rate, params) for c in ids if self.source.has(c))
            if r
        ]
        rows.sort(key=lambda r: -(r["market_cap"] or 0.0))
        for rank, row in enumerate(rows, start=1):
            row["market_cap_rank"] = rank
        if params.get("order", "market_cap_desc") == "market_cap_asc":
            rows.reverse()
        per_page = max(1, min(250, int(params.get("per_page", "100") or 100)))
        page = max(1, int(params.get("page", "1") or 1))
        return json_reply(rows[(page - 1) * per_page : page * per_page])

    def _market_row(
        self, coin: str, now_ms: int, rate: float, params: Params
    ) -> dict[str, Any] | None:
        latest = self.source.latest(coin, now_ms)
        if latest is None:
            return None
        at, price, cap, vol = latest
        prof = self.source.profiles[coin]
        high, low, ath, ath_t, atl, atl_t = self._extremes(coin, at)
        before = self.source.price_at(coin, at - DAY_MS) or price
        row: dict[str, Any] = {
            **_coin_fields(coin, prof),
            **_size_fields(price, cap, vol, rate),
            **_day_fields(price, before, cap, before * prof.supply, (high, low), rate),
            **_supply_fields(prof.supply),
            **_record_fields(price, (ath, ath_t), (atl, atl_t), rate),
            "roi": None,
            "last_updated": iso_ms(at),
        }
        row.update(self._window_changes(coin, at, price, params))
        return row

    def _window_changes(
        self, coin: str, at: int, price: float, params: Params
    ) -> dict[str, float | None]:
        """``price_change_percentage_<window>_in_currency`` for each window asked for."""
        changes: dict[str, float | None] = {}
        for window in split(params.get("price_change_percentage")):
            if window in CHANGE_WINDOWS:
                changes[f"price_change_percentage_{window}_in_currency"] = change_pct(
                    self.source, coin, at, price, CHANGE_WINDOWS[window]
                )
        return changes

    def _extremes(self, coin: str, now_ms: int) -> tuple[float, float, float, int, float, int]:
        """24 h high/low, all-time high/low with their times, from complete bars only."""
        high24, low24 = -np.inf, np.inf
        ath, ath_t, atl, atl_t = -np.inf, now_ms, np.inf, now_ms
        for series in self.source.series[coin].values():
            n = series.visible_count(now_ms)
            if n == 0:
                continue
            i_max, i_min = int(np.argmax(series.high[:n])), int(np.argmin(series.low[:n]))
            if series.high[i_max] > ath:
                ath, ath_t = float(series.high[i_max]), int(series.ts[i_max])
            if series.low[i_min] < atl:
                atl, atl_t = float(series.low[i_min]), int(series.ts[i_min])
            recent = series.window(now_ms - DAY_MS + series.step_ms, now_ms)
            if recent.stop > recent.start:
                high24 = max(high24, float(series.high[recent].max()))
                low24 = min(low24, float(series.low[recent].min()))
        if not np.isfinite(high24):
            high24 = low24 = float(self.source.price_at(coin, now_ms) or 0.0)
        return high24, low24, ath, ath_t, atl, atl_t

    def coins_list(self, params: Params, now_ms: int) -> Reply:
        return json_reply(
            [
                {"id": c, "symbol": p.symbol.lower(), "name": p.name}
                for c, p in self.source.profiles.items()
            ]
        )


def _round(value: float, precision: str | None) -> float:
    if precision is None or precision == "full" or not precision.isdigit():
        return value
    return round(value, int(precision))


# ------------------------------------------------------------ /coins/markets row fields
def _coin_fields(coin: str, prof: CoinProfile) -> dict[str, str]:
    return {
        "id": coin,
        "symbol": prof.symbol.lower(),
        "name": prof.name,
        "image": f"https://coin-images.coingecko.com/coins/images/1/large/{coin}.png",
    }


def _size_fields(price: float, cap: float, vol: float, rate: float) -> dict[str, float | None]:
    return {
        "current_price": price * rate,
        "market_cap": cap * rate,
        "market_cap_rank": None,
        "fully_diluted_valuation": cap * rate,
        "total_volume": vol * rate,
    }


def _day_fields(
    price: float,
    before: float,
    cap: float,
    cap_before: float,
    high_low: tuple[float, float],
    rate: float,
) -> dict[str, float]:
    """The 24 h range and changes of price and market cap."""
    high, low = high_low
    return {
        "high_24h": high * rate,
        "low_24h": low * rate,
        "price_change_24h": (price - before) * rate,
        "price_change_percentage_24h": (price / before - 1.0) * 100.0,
        "market_cap_change_24h": (cap - cap_before) * rate,
        "market_cap_change_percentage_24h": (cap / cap_before - 1.0) * 100.0,
    }


def _supply_fields(supply: float) -> dict[str, float | None]:
    return {"circulating_supply": supply, "total_supply": supply, "max_supply": None}


def _record_fields(
    price: float, ath: tuple[float, int], atl: tuple[float, int], rate: float
) -> dict[str, float | str]:
    """All-time high and low (value, time) and how far the price is from each."""
    return {
        "ath": ath[0] * rate,
        "ath_change_percentage": (price / ath[0] - 1.0) * 100.0,
        "ath_date": iso_ms(ath[1]),
        "atl": atl[0] * rate,
        "atl_change_percentage": (price / atl[0] - 1.0) * 100.0,
        "atl_date": iso_ms(atl[1]),
    }
