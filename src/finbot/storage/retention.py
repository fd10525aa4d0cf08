"""Retention: drop bars older than a timeframe's window, never the newest month's data.

``keep_days=None`` keeps everything (the daily and weekly defaults). The newest month file of
each series is never touched, so a series whose collection stopped long ago keeps its last
month rather than vanishing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import polars as pl

from finbot.errors import UsageError
from finbot.i18n import N_
from finbot.schema import conform
from finbot.storage import files
from finbot.storage.months import month_start_ms
from finbot.timeframes import DAY_MS


class RetainableStore(Protocol):
    """What retention needs of a bar store (``BarStore`` is one)."""

    files: files.FileSet

    def coins(self) -> list[str]: ...

    def series_dir(self, coin: str, timeframe: str) -> Path: ...

    def rewrite_month(self, path: Path, keep: pl.Expr) -> int: ...


def apply_retention(
    store: RetainableStore,
    timeframe: str,
    keep_days: int | None,
    now_ms: int,
    *,
    dry_run: bool = False,
) -> int:
    """Remove (or, with ``dry_run``, count) the bars with ``ts < now - keep_days``."""
    if keep_days is None:
        return 0
    if keep_days <= 0:
        raise UsageError(
            N_(
                "retention_days.{timeframe}: expected a positive number of days or null (keep "
                "forever), got {days}"
            ),
            timeframe=str(timeframe),
            days=keep_days,
        )
    cutoff = now_ms - keep_days * DAY_MS
    removed = 0
    for coin in store.coins():
        months = files.month_files(store.series_dir(coin, timeframe))
        for year, month, path in months[:-1]:  # the newest month is never touched
            if month_start_ms(year, month) >= cutoff:
                break
            removed += (
                _count_old(store, path, cutoff)
                if dry_run
                else store.rewrite_month(path, pl.col("ts") >= cutoff)
            )
    return removed


def _count_old(store: RetainableStore, path: Path, cutoff: int) -> int:
    frame = store.files.read_one(path)
    return 0 if frame is None else conform(frame).filter(pl.col("ts") < cutoff).height
