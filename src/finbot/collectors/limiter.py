"""A client-side limiter that blocks: at most ``rpm`` requests per key in any 60-second window.

A sliding window of send times per key, read from the injected clock, so a burst never goes
over the per-key limit even at a minute boundary (a fixed per-minute counter allows 2x there).

The scheduler builds a new client for every job run, and runs jobs in several threads: each
client having its own window let every run send ``rpm`` more requests per key. ``shared_limiter``
hands every client of a process the same thread-safe limiter per (rpm, clock).
"""

from __future__ import annotations

import threading
from collections import deque
from functools import lru_cache
from typing import Any

from finbot.clock import Clock

WINDOW_SEC = 60.0


class SlidingWindowLimiter:
    """``acquire(key_id)`` sleeps on the clock until a request is allowed, then counts it."""

    def __init__(self, rpm: int, clock: Clock):
        if rpm <= 0:
            raise ValueError("rpm must be > 0")
        self.rpm = rpm
        self._clock = clock
        self._sent: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait_time(self, key_id: str) -> float:
        """Seconds until ``key_id`` may send again (0 when it may now)."""
        now = self._clock.now()
        sent = self._sent.setdefault(key_id, deque())
        while sent and sent[0] <= now - WINDOW_SEC:
            sent.popleft()
        if len(sent) < self.rpm:
            return 0.0
        return sent[0] + WINDOW_SEC - now

    def acquire(self, key_id: str) -> float:
        """Block until allowed, record the send; returns the seconds slept. The check and the
        record are one step under the lock (two threads never take the same last slot); the
        sleep is outside it."""
        slept = 0.0
        while True:
            with self._lock:
                wait = self.wait_time(key_id)
                if wait <= 0:
                    self._sent[key_id].append(self._clock.now())
                    return slept
            self._clock.sleep(wait)
            slept += wait

    def in_window(self, key_id: str) -> int:
        """Requests of ``key_id`` counted in the current window."""
        with self._lock:
            self.wait_time(key_id)
            return len(self._sent.get(key_id, ()))


def shared_limiter(rpm: int, clock: Clock) -> SlidingWindowLimiter:
    """The process-wide limiter for ``rpm`` on ``clock`` (a per-process resource, like the
    database engine): every client given it counts against the same per-key windows."""
    key: Any = clock  # clocks hash by identity
    return _shared(rpm, key)


@lru_cache(maxsize=32)
def _shared(rpm: int, clock: Any) -> SlidingWindowLimiter:
    return SlidingWindowLimiter(rpm, clock)
