"""/coins/{id}/tickers and /exchange_rates in CoinGecko's shapes.

Tickers come from several exchanges, six of them on finbot's spread whitelist, with their
CoinGecko identifiers (``binance``, ``gdax`` for Coinbase Exchange, ``kraken``, ``bitstamp``,
``okex`` for OKX, ``bybit_spot``) and one outside it (``gate``). ``bid_ask_spread_percentage``
is in PERCENT, like CoinGecko's (0.01 means 0.01 %, i.e. one basis point).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from finbot.replay.coin_profiles import profile_for
from finbot.replay.history import HistorySource, eur_per_usd
from finbot.replay.responses import Reply, json_reply
from finbot.timeframes import HOUR_MS

# identifier, name, quote, typical spread in percent, share of volume, trust score
EXCHANGES: tuple[tuple[str, str, str, float, float, str], ...] = (
    ("binance", "Binance", "USDT", 0.010, 0.35, "green"),
    ("gdax", "Coinbase Exchange", "USD", 0.020, 0.15, "green"),
    ("kraken", "Kraken", "USD", 0.040, 0.06, "green"),
    ("bitstamp", "Bitstamp", "USD", 0.060, 0.03, "green"),
    ("okex", "OKX", "USDT", 0.015, 0.12, "green"),
    ("bybit_spot", "Bybit", "USDT", 0.012, 0.10, "green"),
    ("gate", "Gate", "USDT", 0.080, 0.05, "yellow"),
)


def _iso(at_ms: int) -> str:
    return datetime.fromtimestamp(at_ms // 1000, tz=UTC).isoformat()


def _ref_price(source: HistorySource, coin: str, now_ms: int) -> float:
    price = source.price_at(coin, now_ms) if source.has(coin) else None
    return price if price else profile_for(coin).level


def _ticker(
    source: HistorySource,
    coin: str,
    now_ms: int,
    k: int,
    row: tuple[str, str, str, float, float, str],
    latest: tuple[int, float, float, float],
) -> dict[str, Any]:
    ident, name, quote, spread, share, trust = row
    at, price, _cap, vol_usd = latest
    wobble = math.sin(at / HOUR_MS + 1.7 * k)
    last = price * (1.0 + 0.0004 * wobble)
    base_volume = vol_usd * share / price
    btc, eth = _ref_price(source, "bitcoin", now_ms), _ref_price(source, "ethereum", now_ms)
    symbol = source.profiles[coin].symbol
    return {
        "base": symbol,
        "target": quote,
        "market": {"name": name, "identifier": ident, "has_trading_incentive": False},
        "last": last,
        "volume": base_volume,
        "converted_last": {"btc": last / btc, "eth": last / eth, "usd": last},
        "converted_volume": {
            "btc": base_volume * last / btc,
            "eth": base_volume * last / eth,
            "usd": base_volume * last,
        },
        "trust_score": trust,
        "bid_ask_spread_percentage": round(spread * (1.0 + 0.3 * wobble), 6),
        "timestamp": _iso(at),
        "last_traded_at": _iso(at),
        "last_fetch_at": _iso(at),
        "is_anomaly": False,
        "is_stale": False,
        "trade_url": f"https://example.invalid/{ident}/{symbol}_{quote}",
        "token_info_url": None,
        "coin_id": coin,
        "target_coin_id": "tether" if quote == "USDT" else None,
    }


def coin_tickers(source: HistorySource, coin: str, params: Mapping[str, str], now_ms: int) -> Reply:
    wanted = {e.strip() for e in (params.get("exchange_ids") or "").split(",") if e.strip()}
    page = int(params.get("page", "1") or 1)
    latest = source.latest(coin, now_ms)
    rows: list[dict[str, Any]] = []
    if latest is not None and page == 1:
        rows = [
            _ticker(source, coin, now_ms, k, row, latest)
            for k, row in enumerate(EXCHANGES)
            if not wanted or row[0] in wanted
        ]
    return json_reply({"name": source.profiles[coin].name, "tickers": rows})


def exchange_rates(source: HistorySource, now_ms: int) -> Reply:
    """BTC-relative rates: ``{"rates": {"usd": {"name", "unit", "value", "type"}, ...}}``."""
    btc = _ref_price(source, "bitcoin", now_ms)
    eth = _ref_price(source, "ethereum", now_ms)
    return json_reply(
        {
            "rates": {
                "btc": {"name": "Bitcoin", "unit": "BTC", "value": 1.0, "type": "crypto"},
                "eth": {"name": "Ether", "unit": "ETH", "value": btc / eth, "type": "crypto"},
                "usd": {"name": "US Dollar", "unit": "$", "value": btc, "type": "fiat"},
                "eur": {
                    "name": "Euro",
                    "unit": "€",
                    "value": btc * eur_per_usd(now_ms),
                    "type": "fiat",
                },
            }
        }
    )
