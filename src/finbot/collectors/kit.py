"""The collaborators of collector runs, in one typed bundle built by the composition root."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from finbot.clock import Clock
from finbot.collectors.common import Datasets
from finbot.config import ApiConfig, CoinsConfig, Secrets
from finbot.storage import Cache
from finbot.timeframes import Timeframe

if TYPE_CHECKING:
    from finbot.collectors.coingecko import CoinGeckoClient
    from finbot.collectors.usage import ApiUsageStore
    from finbot.storage import BarStore


@dataclass(frozen=True)
class CollectorKit:
    """What collector runs talk through and write to. Built by the composition root
    (``finbot.services``); nothing here resolves a home or builds a store."""

    api: ApiConfig
    secrets: Secrets
    coins: CoinsConfig
    history_days: Mapping[Timeframe, int]
    clock: Clock
    usage: ApiUsageStore
    bars: BarStore
    datasets: Datasets
    fx_cache: Path  # the EUR/USD cache file
    cache: Cache | None
    coingecko: Callable[[], CoinGeckoClient]  # the home's client, opened on first use
    base_url: str | None = None  # CoinGecko base URL (the replay server's in demos and tests)
