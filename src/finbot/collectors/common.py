"""What collectors share: their result, the record datasets they write, small helpers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from finbot.storage import Cache, ParquetDataset


@dataclass
class Collected:
    """What one collector run did: rows stored, requests sent, notes for the user."""

    rows: int = 0
    requests: int = 0
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cache_hits: int = 0
    cache_misses: int = 0


def prices_dataset(root: Path) -> ParquetDataset:
    """/simple/price snapshots per coin, keyed by CoinGecko's ``last_updated_at`` (ms)."""
    return ParquetDataset(root, "prices", ["ts"], positive_columns=["usd"])


def markets_dataset(root: Path) -> ParquetDataset:
    return ParquetDataset(root, "markets", ["ts"], positive_columns=["price"])


def tickers_dataset(root: Path) -> ParquetDataset:
    return ParquetDataset(root, "tickers", ["ts", "exchange", "target"])


def fx_dataset(root: Path) -> ParquetDataset:
    return ParquetDataset(root, "fx", ["ts"], partition_key="pair", positive_columns=["rate"])


@dataclass(frozen=True)
class Datasets:
    """The record datasets the collectors write under one Parquet root."""

    prices: ParquetDataset
    markets: ParquetDataset
    tickers: ParquetDataset
    fx: ParquetDataset

    @classmethod
    def under(cls, root: Path) -> Datasets:
        return cls(
            prices_dataset(root), markets_dataset(root), tickers_dataset(root), fx_dataset(root)
        )


def cached(
    cache: Cache | None, kind: str, key: str, fetch: Callable[..., object], result: Collected
) -> object:
    """``fetch()`` through ``cache`` (counting hits and misses in ``result``); ``fetch`` takes
    no argument (loops bind theirs as defaults) and returns JSON data (the client's
    ``raw=True`` answers), which any cache backend stores."""
    if cache is not None:
        value = cache.get(kind, key)
        if value is not None:
            result.cache_hits += 1
            return value
        result.cache_misses += 1
    value = fetch()
    if cache is not None:
        cache.set(kind, key, value)
    return value


def batches(coins: Sequence[str], size: int) -> list[tuple[str, ...]]:
    """``coins`` in consecutive groups of at most ``size`` (one request each)."""
    items = tuple(coins)
    return [items[i : i + size] for i in range(0, len(items), max(1, size))]
