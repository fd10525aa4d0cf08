"""Durations used everywhere: timeframes (``5m``, ``1h``, ``4h``, ``1d``, ``1w``) and horizons
(``10m``, ``1h``, ``6h``, ``8h``, ``12h``, any ``<n><unit>``). One parser, one spelling."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from enum import StrEnum

from finbot.errors import N_, UsageError

#: Durations in epoch milliseconds, the unit of every timestamp finbot stores.
SECOND_MS = 1_000
MINUTE_MS = 60 * SECOND_MS
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS
WEEK_MS = 7 * DAY_MS


class Timeframe(StrEnum):
    """The bar sizes finbot stores and trains on (a member is its string: ``"1h"``)."""

    M5 = "5m"
    H1 = "1h"
    H4 = "4h"
    D1 = "1d"
    W1 = "1w"


TIMEFRAMES: tuple[Timeframe, ...] = tuple(Timeframe)
# The timeframe whose model serves a horizon: 10m -> 5m bars, whole days (1d, 3d, 7d...) ->
# daily bars, everything else -> 1h bars.
DEFAULT_TIMEFRAMES: Mapping[str, Timeframe] = {"10m": Timeframe.M5}
FALLBACK_TIMEFRAME = Timeframe.H1
DAY_TIMEFRAME = Timeframe.D1

_UNIT_SECONDS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}
_PATTERN = re.compile(r"^\s*(\d+)\s*(s|min|m|h|d|w)\s*$", re.IGNORECASE)


def duration_seconds(text: str, *, field: str = "horizon") -> int:
    """``"10m"`` → 600. Raises UsageError naming ``field`` for anything else or for zero."""
    match = _PATTERN.match(str(text))
    if not match:
        raise UsageError(
            N_("{field}: expected a positive duration like 10m, 1h, 6h or 1d, got {text!r}"),
            field=field,
            text=text,
        )
    value = int(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
    if value <= 0:
        raise UsageError(
            N_("{field}: expected a positive duration, got {text!r}"), field=field, text=text
        )
    return value


def duration_ms(text: str, *, field: str = "horizon") -> int:
    return duration_seconds(text, field=field) * 1000


def to_timedelta(text: str, *, field: str = "horizon") -> timedelta:
    return timedelta(seconds=duration_seconds(text, field=field))


def canonical(text: str, *, field: str = "horizon") -> str:
    """A duration's shortest spelling: ``"60min"`` → ``"1h"``, ``"24h"`` → ``"1d"``."""
    seconds = duration_seconds(text, field=field)
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def from_unit_value(unit: str, value: float) -> str:
    """The original CLI's ``--unit min|h|d --value N`` pair → a canonical horizon string."""
    units = {"min": "m", "m": "m", "h": "h", "d": "d"}
    key = unit.lower()
    if key not in units:
        raise UsageError(N_("unit: expected one of min, h, d, got {unit!r}"), unit=unit)
    if value <= 0 or float(value) != int(value):
        raise UsageError(N_("value: expected a positive whole number, got {value!r}"), value=value)
    return canonical(f"{int(value)}{units[key]}")


def check_timeframe(text: str) -> Timeframe:
    """``"1h"`` → ``Timeframe.H1``; UsageError naming the timeframes for anything else."""
    if text not in TIMEFRAMES:
        raise UsageError(
            N_("timeframe: expected one of {timeframes}, got {text!r}"),
            timeframes=", ".join(TIMEFRAMES),
            text=text,
        )
    return Timeframe(text)


def default_timeframe(horizon: str, overrides: Mapping[str, str] | None = None) -> Timeframe:
    """The timeframe whose model serves ``horizon`` (10m → 5m, whole days → 1d, others → 1h)."""
    table: dict[str, str] = {**DEFAULT_TIMEFRAMES, **(overrides or {})}
    key = canonical(horizon)
    whole_days = duration_ms(key) % DAY_MS == 0
    return check_timeframe(table.get(key, DAY_TIMEFRAME if whole_days else FALLBACK_TIMEFRAME))
