"""Month partitions: a month's bounds in epoch milliseconds, and its
``year=YYYY/month=MM`` folder (shared by the files, the quarantine's refill list, verify and
retention)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

MONTH_DIR = re.compile(r"^month=(\d{2})$")
YEAR_DIR = re.compile(r"^year=(\d{4})$")


def month_start_ms(year: int, month: int) -> int:
    return int(datetime(year, month, 1, tzinfo=UTC).timestamp() * 1000)


def month_end_ms(year: int, month: int) -> int:
    """Exclusive end of the month (the first ms of the next one)."""
    return month_start_ms(year + month // 12, month % 12 + 1)


def month_dir(base: Path, year: int, month: int) -> Path:
    return base / f"year={year:04d}" / f"month={month:02d}"
