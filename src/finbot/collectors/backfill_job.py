"""What a historical backfill works with and reports: ``BackfillJob`` (one run's collaborators
and what it learned on the way), ``SeriesReport`` per coin x timeframe, ``HistoricalSummary``
for the run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from finbot.clock import Clock
from finbot.collectors.coingecko import CoinGeckoClient
from finbot.config import CoinsConfig, ExchangeConfig
from finbot.storage import BarStore


@dataclass
class SeriesReport:
    coin: str
    timeframe: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    requests: int = 0
    source: str = "coingecko"
    notes: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class HistoricalSummary:
    series: list[SeriesReport] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0

    @property
    def clamps(self) -> list[str]:
        return [n for s in self.series for n in s.notes if "clamped" in n]

    @property
    def errors(self) -> list[str]:
        return [f"{s.coin} {s.timeframe}: {s.error}" for s in self.series if s.error]

    def as_dict(self) -> dict[str, Any]:
        rows: dict[str, dict[str, int]] = {}
        for s in self.series:
            rows.setdefault(s.coin, {})[s.timeframe] = s.rows
        return {
            "rows": rows,
            "inserted": sum(s.inserted for s in self.series),
            "updated": sum(s.updated for s in self.series),
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
            "clamps": self.clamps,
            "errors": self.errors,
            "notes": sorted({n for s in self.series for n in s.notes}),
            "sources": {f"{s.coin}/{s.timeframe}": s.source for s in self.series},
        }


@dataclass
class BackfillJob:
    """A backfill run's collaborators and what it learned on the way."""

    client: CoinGeckoClient
    store: BarStore
    exchange_config: ExchangeConfig
    coins: CoinsConfig
    clock: Clock
    now_ms: int
    exchange: bool  # the exchange source is enabled, installed and answering
    exchange_url: str | None = None
    caps: list[tuple[int, float]] = field(default_factory=list)  # this coin's market caps
    history_floor_ms: int | None = None  # set by the first 10012: the plan's oldest time
