"""The one CoinGecko client: plans and keys, timeouts, retries with backoff and jitter, 429
handling with key rotation, a blocking per-key limiter, request accounting and the monthly cap.

The same code talks to api.coingecko.com, pro-api.coingecko.com and the loopback replay
server; only ``base_url`` and the keys change. ``CoinGeckoClient`` is the typed endpoints
(this module) over the request loop (``coingecko_calls``: attempts, retries, keys, limits);
the plan, its rate and the base URL are resolved in ``coingecko_plan``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeVar, overload

from finbot.collectors import payloads
from finbot.collectors.coingecko_calls import ClientStats, CoinGeckoCalls, Params, UsageRecorder
from finbot.collectors.coingecko_plan import (
    URL_ENV,
    client_rpm,
    resolve_base_url,
    resolve_plan,
    tls_context,
)
from finbot.collectors.payloads import Candle, Chart, MarketRow, SimplePrice, Ticker

__all__ = [
    "URL_ENV",
    "ClientStats",
    "CoinGeckoClient",
    "Params",
    "UsageRecorder",
    "client_rpm",
    "resolve_base_url",
    "resolve_plan",
    "tls_context",
]

T = TypeVar("T")


class CoinGeckoClient(CoinGeckoCalls):
    """A synchronous CoinGecko API client (see ``coingecko_calls`` for the policies)."""

    def __repr__(self) -> str:
        return (
            f"CoinGeckoClient(plan={self.plan!r}, base_url={self.base_url!r}, keys={self._ring!r})"
        )

    # ------------------------------------------------------------ typed helpers
    def _typed(self, path: str, params: Params, endpoint: str, parser: Callable[[object], T]) -> T:
        """GET the value ``parser`` makes of the answer (a DataError from it: a retry)."""
        return self.get(path, params, endpoint=endpoint, parse=parser)

    def _raw(
        self, path: str, params: Params, endpoint: str, parser: Callable[[object], object]
    ) -> object:
        """GET the JSON answer itself (what a cache stores), validated by ``parser``."""
        return self.get(path, params, endpoint=endpoint, parse=lambda data: (parser(data), data)[1])

    def _answer(
        self, path: str, params: Params, endpoint: str, parser: Callable[[object], T], raw: bool
    ) -> T | object:
        if raw:
            return self._raw(path, params, endpoint, parser)
        return self._typed(path, params, endpoint, parser)

    @overload
    def simple_price(
        self,
        ids: list[str] | tuple[str, ...],
        vs: tuple[str, ...] = ...,
        *,
        raw: Literal[False] = False,
    ) -> dict[str, SimplePrice]: ...
    @overload
    def simple_price(
        self, ids: list[str] | tuple[str, ...], vs: tuple[str, ...] = ..., *, raw: Literal[True]
    ) -> object: ...
    def simple_price(
        self,
        ids: list[str] | tuple[str, ...],
        vs: tuple[str, ...] = ("usd", "eur"),
        *,
        raw: bool = False,
    ) -> dict[str, SimplePrice] | object:
        """/simple/price for every coin in ONE request, with cap, volume, change, update time:
        ``{coin: SimplePrice}`` (with ``raw``: the validated JSON answer)."""
        params = {
            "ids": ",".join(ids),
            "vs_currencies": ",".join(vs),
            "include_market_cap": "true",
            "include_24hr_vol": "true",
            "include_24hr_change": "true",
            "include_last_updated_at": "true",
            "precision": "full",
        }
        return self._answer(
            "simple/price",
            params,
            "/simple/price",
            lambda d: payloads.parse_simple_price(d, ids, vs),
            raw,
        )

    @overload
    def coins_markets(
        self, ids: list[str] | tuple[str, ...], vs: str = ..., *, raw: Literal[False] = False
    ) -> list[MarketRow]: ...
    @overload
    def coins_markets(
        self, ids: list[str] | tuple[str, ...], vs: str = ..., *, raw: Literal[True]
    ) -> object: ...
    def coins_markets(
        self, ids: list[str] | tuple[str, ...], vs: str = "usd", *, raw: bool = False
    ) -> list[MarketRow] | object:
        """/coins/markets rows (``list[MarketRow]``) with 1h/24h/7d changes."""
        params: Params = {
            "vs_currency": vs,
            "ids": ",".join(ids),
            "order": "market_cap_desc",
            "per_page": 250,
            "page": 1,
            "sparkline": "false",
            "price_change_percentage": "1h,24h,7d",
        }
        return self._answer("coins/markets", params, "/coins/markets", payloads.parse_markets, raw)

    def top_markets(self, page: int, per_page: int = 250, vs: str = "usd") -> object:
        """One page of /coins/markets over every coin, largest market cap first (the raw
        answer, validated: a top-N list needs the names too)."""
        params: Params = {
            "vs_currency": vs,
            "order": "market_cap_desc",
            "per_page": per_page,
            "page": page,
            "sparkline": "false",
        }
        return self._raw("coins/markets", params, "/coins/markets", payloads.parse_markets)

    @overload
    def market_chart(
        self, coin: str, days: int | str, vs: str = ..., *, raw: Literal[False] = False
    ) -> Chart: ...
    @overload
    def market_chart(
        self, coin: str, days: int | str, vs: str = ..., *, raw: Literal[True]
    ) -> object: ...
    def market_chart(
        self, coin: str, days: int | str, vs: str = "usd", *, raw: bool = False
    ) -> Chart | object:
        """/coins/{id}/market_chart (``Chart``); CoinGecko picks the step from ``days``."""
        return self._answer(
            f"coins/{coin}/market_chart",
            {"vs_currency": vs, "days": str(days)},
            "/coins/{id}/market_chart",
            payloads.parse_chart,
            raw,
        )

    @overload
    def market_chart_range(
        self,
        coin: str,
        start_s: int,
        end_s: int,
        vs: str = ...,
        *,
        raw: Literal[False] = False,
    ) -> Chart: ...
    @overload
    def market_chart_range(
        self, coin: str, start_s: int, end_s: int, vs: str = ..., *, raw: Literal[True]
    ) -> object: ...
    def market_chart_range(
        self, coin: str, start_s: int, end_s: int, vs: str = "usd", *, raw: bool = False
    ) -> Chart | object:
        """/coins/{id}/market_chart/range between UNIX seconds (``Chart``)."""
        params: Params = {"vs_currency": vs, "from": int(start_s), "to": int(end_s)}
        return self._answer(
            f"coins/{coin}/market_chart/range",
            params,
            "/coins/{id}/market_chart/range",
            payloads.parse_chart,
            raw,
        )

    @overload
    def ohlc(
        self, coin: str, days: int, vs: str = ..., *, raw: Literal[False] = False
    ) -> list[Candle]: ...
    @overload
    def ohlc(self, coin: str, days: int, vs: str = ..., *, raw: Literal[True]) -> object: ...
    def ohlc(
        self, coin: str, days: int, vs: str = "usd", *, raw: bool = False
    ) -> list[Candle] | object:
        """/coins/{id}/ohlc candles (``list[Candle]``); ``days`` among CoinGecko's values."""
        if days not in payloads.OHLC_DAYS:
            raise ValueError(f"days: expected one of {payloads.OHLC_DAYS}, got {days!r}")
        return self._answer(
            f"coins/{coin}/ohlc",
            {"vs_currency": vs, "days": str(days)},
            "/coins/{id}/ohlc",
            payloads.parse_ohlc,
            raw,
        )

    @overload
    def tickers(
        self,
        coin: str,
        exchange_ids: tuple[str, ...] = ...,
        page: int = ...,
        *,
        raw: Literal[False] = False,
    ) -> list[Ticker]: ...
    @overload
    def tickers(
        self,
        coin: str,
        exchange_ids: tuple[str, ...] = ...,
        page: int = ...,
        *,
        raw: Literal[True],
    ) -> object: ...
    def tickers(
        self, coin: str, exchange_ids: tuple[str, ...] = (), page: int = 1, *, raw: bool = False
    ) -> list[Ticker] | object:
        """/coins/{id}/tickers (``list[Ticker]``), by volume."""
        params: dict[str, str | int | float] = {"page": page, "order": "volume_desc"}
        if exchange_ids:
            params["exchange_ids"] = ",".join(exchange_ids)
        return self._answer(
            f"coins/{coin}/tickers", params, "/coins/{id}/tickers", payloads.parse_tickers, raw
        )
