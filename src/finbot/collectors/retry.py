"""The retry policy of the API clients (CoinGecko, ExchangeRate-API), built on tenacity.

``retries.max_attempts`` attempts in all (``stop_after_attempt``). Between two, the wait the
failure itself names (its ``retry_after`` seconds, such as a 429's reset) or else exponential
backoff ``backoff_sec * 2^(n-1)`` (``wait_exponential``) scaled by ``1 +/- jitter`` and capped
at ``max_wait_sec``. The jitter draws from the random source handed in (a fresh
``random.Random`` by default), never from the global ``random`` module. Waits are slept on the
caller's clock: a FakeClock records them, the scheduler's InterruptibleClock cuts them short;
a zero wait sleeps not at all.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from tenacity import (
    RetryCallState,
    Retrying,
    retry_base,
    stop_after_attempt,
    wait_exponential,
)
from tenacity.wait import wait_base

if TYPE_CHECKING:
    from finbot.config.models import Retries


class RandomSource(Protocol):
    def random(self) -> float: ...


class JitteredBackoff(wait_base):
    """``wait_exponential(backoff_sec)`` times ``1 + jitter * u`` (``u`` uniform in [-1, 1)),
    within ``[0, max_wait_sec]``."""

    def __init__(self, retries: Retries, rng: RandomSource):
        self.exponential = wait_exponential(multiplier=retries.backoff_sec, exp_base=2)
        self.jitter = retries.jitter
        self.cap = retries.max_wait_sec
        self.rng = rng

    def __call__(self, retry_state: RetryCallState) -> float:
        base = self.exponential(retry_state)
        spread = 1 + self.jitter * (2 * self.rng.random() - 1)
        return float(min(self.cap, max(0.0, base * spread)))


class WaitRetryAfter(wait_base):
    """The seconds the failed attempt's exception names in ``retry_after`` (a number), else the
    ``fallback`` wait. The caller bounds that number: CoinGecko's client names 0 for a reset
    beyond ``max_wait_sec``, and its key gate then refuses the next attempt at once."""

    def __init__(self, fallback: wait_base):
        self.fallback = fallback

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None and outcome.failed else None
        named = getattr(error, "retry_after", None)
        if isinstance(named, int | float):
            return max(0.0, float(named))
        return self.fallback(retry_state)


def backoff_after(policy: Retrying, failures: int) -> float:
    """The wait ``policy`` asks after ``failures`` failed attempts that named no wait."""
    state = RetryCallState(policy, None, (), {})
    state.attempt_number = failures
    return float(policy.wait(state))


def upcoming_wait(retry_state: RetryCallState) -> float:
    """The seconds tenacity is about to sleep (inside ``before_sleep``)."""
    action = retry_state.next_action
    return float(action.sleep) if action is not None else 0.0


def log_retry(logger: logging.Logger, label: str) -> Callable[[RetryCallState], None]:
    """A ``before_sleep`` hook: one DEBUG line per retry (shown with ``-v``)."""

    def before_sleep(retry_state: RetryCallState) -> None:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        logger.debug(
            "%s: attempt %d failed (%s); retrying in %.1f s",
            label,
            retry_state.attempt_number,
            error,
            upcoming_wait(retry_state),
        )

    return before_sleep


def retry_policy(
    retries: Retries,
    *,
    retry: retry_base,
    sleep: Callable[[float], None],
    rng: RandomSource | None = None,
    before_sleep: Callable[[RetryCallState], None] | None = None,
) -> Retrying:
    """A ``Retrying`` for ``retries``: the attempts that ``retry`` accepts are retried; when they
    run out tenacity raises ``RetryError`` (its ``last_attempt`` holds the last failure)."""

    def sleep_positive(seconds: float) -> None:
        if seconds > 0:
            sleep(seconds)

    return Retrying(
        stop=stop_after_attempt(retries.max_attempts),
        wait=WaitRetryAfter(JitteredBackoff(retries, rng or random.Random())),
        retry=retry,
        sleep=sleep_positive,
        before_sleep=before_sleep,
    )
