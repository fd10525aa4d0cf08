"""A client-side limiter that blocks: at most ``rpm`` requests per key in any 60-second window.

A sliding window of send times per key, read from the injected clock, so a burst never goes
over the per-key limit even at a minute boundary (a fixed per-minute counter allows 2x there).
"""

from __future__ import annotations

from collections import deque

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
        """Block until allowed, record the send; returns the seconds slept."""
        slept = 0.0
        wait = self.wait_time(key_id)
        while wait > 0:
            self._clock.sleep(wait)
            slept += wait
            wait = self.wait_time(key_id)
        self._sent[key_id].append(self._clock.now())
        return slept

    def in_window(self, key_id: str) -> int:
        """Requests of ``key_id`` counted in the current window."""
        self.wait_time(key_id)
        return len(self._sent.get(key_id, ()))
