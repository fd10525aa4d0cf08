"""The top N coins by market cap: /coins/markets pages, largest first, stablecoins left out
(``coins.json`` ``top``), as ``Coin`` entries; ``finbot.config.top_coins`` keeps the list."""

from __future__ import annotations

import re
from typing import Any

from finbot.collectors.coingecko import CoinGeckoClient
from finbot.config import Coin
from finbot.config.models import COIN_ID_PATTERN, TopCoins
from finbot.errors import DataError
from finbot.i18n import N_

PER_PAGE = 250  # CoinGecko's largest page of /coins/markets
_ID = re.compile(COIN_ID_PATTERN)  # the ids a Coin accepts


def _coin(row: dict[str, Any]) -> Coin | None:
    coin_id, symbol = str(row.get("id") or ""), str(row.get("symbol") or "")
    if not _ID.match(coin_id) or not symbol:
        return None
    return Coin(id=coin_id, symbol=symbol.upper(), name=str(row.get("name") or coin_id))


def resolve_top_coins(client: CoinGeckoClient, top: TopCoins) -> tuple[Coin, ...]:
    """The ``top.count`` largest coins (stablecoins excluded unless told otherwise), largest
    first; fewer when CoinGecko lists fewer. One request per 250 coins looked at."""
    found: list[Coin] = []
    symbols: set[str] = set()
    page = 1
    while len(found) < top.count:
        rows = client.top_markets(page, PER_PAGE)
        if not isinstance(rows, list):
            raise DataError(N_("payload: coins/markets: expected a list"))
        for row in rows:
            coin = _coin(row) if isinstance(row, dict) else None
            if coin is None or top.excluded(coin.symbol) or coin.symbol.lower() in symbols:
                continue  # a second coin with a taken symbol would make the symbol ambiguous
            symbols.add(coin.symbol.lower())
            found.append(coin)
            if len(found) == top.count:
                break
        if len(rows) < PER_PAGE:
            break
        page += 1
    return tuple(found)
