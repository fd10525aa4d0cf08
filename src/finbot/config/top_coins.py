"""The resolved top-N coin list of ``coins.json`` ``top``, kept in the home.

``finbot.collectors.resolve_top_coins`` asks CoinGecko once and writes the list here; every
later load reads it back, so the ids stay the same across runs (a coin slipping out of the top
N does not lose its history and models) until the list is resolved again. The loader appends
these coins after the explicit ones (an explicit coin is never listed twice).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from finbot.config.models import Coin, CoinsConfig, TopCoins
from finbot.paths import Paths

FILE_NAME = "top_coins.json"


def top_coins_file(paths: Paths) -> Path:
    return paths.cache_dir / FILE_NAME


def read_top_coins(paths: Paths, top: TopCoins) -> tuple[Coin, ...] | None:
    """The stored list when it was resolved for this ``top`` (count and exclusion), else None
    (never resolved, unreadable, or the configuration changed since)."""
    path = top_coins_file(paths)
    try:
        data = json.loads(path.read_text("utf-8"))
        if data.get("top") != top.model_dump(mode="json"):
            return None
        return tuple(Coin.model_validate(c) for c in data["coins"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_top_coins(paths: Paths, top: TopCoins, coins: tuple[Coin, ...]) -> Path:
    """Store the resolved list atomically (most capitalised first)."""
    path = top_coins_file(paths)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    payload = {"top": top.model_dump(mode="json"), "coins": [c.model_dump() for c in coins]}
    tmp.write_text(json.dumps(payload, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    return path


def with_top_coins(config: CoinsConfig, extra: tuple[Coin, ...]) -> CoinsConfig:
    """``config`` with the top coins appended, leaving out any spelling already taken."""
    taken = {spelling for coin in config.coins for spelling in coin.names()}
    added = []
    for coin in extra:
        if coin.names() & taken:
            continue
        taken |= coin.names()
        added.append(coin)
    return config.model_copy(update={"coins": config.coins + tuple(added)})
