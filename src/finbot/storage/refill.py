"""Quarantined bar months, remembered until the backfill refills them.

When a damaged month file of a bar series is moved to quarantine, its month is recorded here
(``refill.json`` in the quarantine folder) as a gap to refill: ``collect-historical`` fetches
it again (``pending`` → its segments) and clears it once stored (``mark_refilled``), and
``storage verify`` reports every month still waiting. Other datasets' files are not recorded
(nothing refills them).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TypedDict

import filelock

from finbot.storage.months import MONTH_DIR, YEAR_DIR, month_end_ms, month_start_ms
from finbot.storage.versions import write_atomic

REFILL_FILE = "refill.json"
_PARTS = {
    "timeframe": re.compile(r"^timeframe=(.+)$"),
    "coin": re.compile(r"^coin=(.+)$"),
    "year": YEAR_DIR,
    "month": MONTH_DIR,
}


class Refill(TypedDict):
    """One quarantined month of a bar series: ``[start_ms, end_ms)`` to fetch again."""

    coin: str
    timeframe: str
    start_ms: int
    end_ms: int
    quarantined: str  # where the damaged file went


def _series_month(relative: Path) -> dict[str, str] | None:
    """{timeframe, coin, year, month} of a bar file's path relative to the store's root."""
    found: dict[str, str] = {}
    for part in relative.parts[:-1]:
        for key, pattern in _PARTS.items():
            match = pattern.match(part)
            if match:
                found[key] = match.group(1)
    return found if len(found) == len(_PARTS) else None


def _path(quarantine_dir: Path) -> Path:
    return quarantine_dir / REFILL_FILE


def _load(quarantine_dir: Path) -> list[Refill]:
    path = _path(quarantine_dir)
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8") or "[]")
    return [Refill(**entry) for entry in data]  # type: ignore[typeddict-item]


def _save(quarantine_dir: Path, entries: list[Refill]) -> None:
    quarantine_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(_path(quarantine_dir), json.dumps(entries, indent=1, sort_keys=True))


def _lock(quarantine_dir: Path) -> filelock.FileLock:
    quarantine_dir.mkdir(parents=True, exist_ok=True)
    return filelock.FileLock(str(quarantine_dir / f".{REFILL_FILE}.lock"), timeout=30)


def record(quarantine_dir: Path, relative: Path, target: Path) -> Refill | None:
    """Remember the month of a quarantined bar file (``relative`` to the store's root)."""
    found = _series_month(relative)
    if found is None:
        return None
    year, month = int(found["year"]), int(found["month"])
    entry = Refill(
        coin=found["coin"],
        timeframe=found["timeframe"],
        start_ms=month_start_ms(year, month),
        end_ms=month_end_ms(year, month),
        quarantined=str(target),
    )
    with _lock(quarantine_dir):
        _save(quarantine_dir, [*_load(quarantine_dir), entry])
    return entry


def pending(
    quarantine_dir: Path, coin: str | None = None, timeframe: str | None = None
) -> list[Refill]:
    """The quarantined months still to refill (of one series when given)."""
    return [
        e
        for e in _load(quarantine_dir)
        if (coin is None or e["coin"] == coin)
        and (timeframe is None or e["timeframe"] == timeframe)
    ]


def mark_refilled(
    quarantine_dir: Path, coin: str, timeframe: str, start_ms: int, end_ms: int
) -> int:
    """Forget the months of ``coin``'s ``timeframe`` inside ``[start_ms, end_ms]`` (fetched
    again and stored); returns how many."""
    with _lock(quarantine_dir):
        entries = _load(quarantine_dir)
        keep = [
            e
            for e in entries
            if not (
                e["coin"] == coin
                and e["timeframe"] == timeframe
                and start_ms <= e["start_ms"]
                and e["end_ms"] <= end_ms + 1
            )
        ]
        if len(keep) != len(entries):
            _save(quarantine_dir, keep)
    return len(entries) - len(keep)
