"""One clock for the whole bot, passed in wherever time matters so tests can freeze it."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Protocol

from finbot.errors import N_, FinbotError


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch, UTC."""

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class Interrupted(FinbotError):
    """A wait was cut short because the bot is stopping."""


class InterruptibleClock(SystemClock):
    """The system clock whose sleeps end at once, raising Interrupted, after ``interrupt()``:
    the scheduler's jobs wait (backoff, rate limits) on it, so a stop does not wait them out."""

    def __init__(self) -> None:
        self._stop = threading.Event()

    def sleep(self, seconds: float) -> None:
        if self._stop.wait(max(0.0, seconds)):
            raise Interrupted(N_("stopping: a wait for the API was interrupted"))

    def interrupt(self) -> None:
        self._stop.set()

    def resume(self) -> None:
        self._stop.clear()

    @property
    def interrupted(self) -> bool:
        """True once ``interrupt()`` was called: long jobs check it between their steps."""
        return self._stop.is_set()


class ShiftedClock(SystemClock):
    """The system clock moved to start at ``start`` (seconds since the epoch): time runs as
    usual from there. A replay of stored history (``demo --csv-dir``) starts where its data
    ends, so the data is "now" for every part of the bot."""

    def __init__(self, start: float):
        self._offset = start - time.time()

    def now(self) -> float:
        return time.time() + self._offset


class FakeClock:
    """A clock that only moves when slept on or advanced: deterministic tests."""

    def __init__(self, start: float = 1_700_000_000.0):
        self._now = start
        self.slept: list[float] = []

    def now(self) -> float:
        return self._now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self._now += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        self._now += seconds


class ScaledClock:
    """Real time run ``factor`` times faster from ``start`` (benchmarks of rate-limited runs
    whose real bound is minutes: the limiter's waits shrink, computing does not)."""

    def __init__(self, factor: float, start: float | None = None):
        if factor <= 0:
            raise ValueError("factor must be > 0")
        self.factor = factor
        self._start = time.time() if start is None else start
        self._origin = time.monotonic()

    def now(self) -> float:
        return self._start + (time.monotonic() - self._origin) * self.factor

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds / self.factor)


def now_ms(clock: Clock) -> int:
    return int(clock.now() * 1000)


def iso_utc(epoch_ms: int) -> str:
    """Epoch milliseconds → ISO 8601 UTC with a ``Z``."""
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).isoformat().replace("+00:00", "Z")
