"""The shared retry policy (tenacity) of the CoinGecko and ExchangeRate-API clients."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest
from tenacity import RetryError, retry_if_exception_type, stop_after_attempt, wait_exponential

from finbot.clock import FakeClock
from finbot.collectors.coingecko import CoinGeckoClient
from finbot.collectors.fx_collector import fetch_fx
from finbot.collectors.retry import JitteredBackoff, WaitRetryAfter, backoff_after, retry_policy
from finbot.config import CoinGeckoConfig, ExchangeRateConfig
from finbot.config.models import Retries
from finbot.errors import ApiError

pytestmark = pytest.mark.unit

FX_BASE = "http://fx.test/v6"
FX_OK = {"result": "success", "rates": {"EUR": 0.9}, "time_last_update_unix": 1_700_000_000}


class Flaky(Exception):
    """A transient failure; ``retry_after`` when the answer named a wait."""

    def __init__(self, retry_after: float | None = None):
        super().__init__("flaky")
        self.retry_after = retry_after


def failing(*errors: Exception, result: str = "done") -> Any:
    """A callable raising ``errors`` in turn, then returning ``result``; counts its calls."""
    pending = list(errors)
    calls = {"n": 0}

    def call() -> str:
        calls["n"] += 1
        if pending:
            raise pending.pop(0)
        return result

    call.calls = calls  # type: ignore[attr-defined]
    return call


def policy(clock: FakeClock, rng: random.Random | None = None, **retries: Any) -> Any:
    base = {"max_attempts": 4, "backoff_sec": 1.0, "jitter": 0.0, "max_wait_sec": 5.0}
    return retry_policy(
        Retries(**{**base, **retries}),
        retry=retry_if_exception_type(Flaky),
        sleep=clock.sleep,
        rng=rng or random.Random(0),
    )


def test_attempts_and_waits_are_tenacity_strategies():
    built = policy(FakeClock())
    assert isinstance(built.stop, stop_after_attempt) and built.stop.max_attempt_number == 4
    assert isinstance(built.wait, WaitRetryAfter)
    assert isinstance(built.wait.fallback, JitteredBackoff)
    assert isinstance(built.wait.fallback.exponential, wait_exponential)
    assert built.wait.fallback.exponential.multiplier == 1.0
    assert [backoff_after(built, n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]  # capped


def test_transient_failures_are_retried_with_exponential_waits():
    clock = FakeClock()
    call = failing(Flaky(), Flaky(), Flaky())
    assert policy(clock)(call) == "done"
    assert call.calls["n"] == 4
    assert clock.slept == [1.0, 2.0, 4.0]


def test_attempts_run_out_after_max_attempts():
    clock = FakeClock()
    call = failing(*[Flaky() for _ in range(9)])
    with pytest.raises(RetryError) as info:
        policy(clock, max_attempts=3)(call)
    assert info.value.last_attempt.attempt_number == 3
    assert isinstance(info.value.last_attempt.exception(), Flaky)
    assert call.calls["n"] == 3 and clock.slept == [1.0, 2.0]


def test_other_errors_are_not_retried():
    clock = FakeClock()
    call = failing(KeyError("no"))
    with pytest.raises(KeyError):
        policy(clock)(call)
    assert call.calls["n"] == 1 and clock.slept == []


def test_a_wait_the_failure_names_wins_and_zero_sleeps_not_at_all():
    clock = FakeClock()
    assert policy(clock)(failing(Flaky(retry_after=42.5), Flaky(retry_after=0.0), Flaky())) == (
        "done"
    )
    assert clock.slept == [42.5, 4.0]  # the third attempt's backoff is 1 * 2^2


def test_jitter_comes_from_the_injected_random_only():
    random.seed(1234)
    global_state = random.getstate()
    waits = []
    for _ in range(2):
        clock = FakeClock()
        policy(clock, random.Random(7), jitter=0.5, max_wait_sec=100.0)(
            failing(Flaky(), Flaky(), Flaky())
        )
        waits.append(clock.slept)
    draws = random.Random(7)
    expected = [base * (1 + 0.5 * (2 * draws.random() - 1)) for base in (1.0, 2.0, 4.0)]
    assert waits[0] == waits[1] == pytest.approx(expected)
    assert len(set(w / b for w, b in zip(waits[0], (1.0, 2.0, 4.0), strict=True))) == 3
    assert random.getstate() == global_state


def test_coingecko_client_uses_the_policy():
    config = CoinGeckoConfig.model_validate(
        {"retries": {"max_attempts": 5, "backoff_sec": 2.0, "jitter": 0.1, "max_wait_sec": 30}}
    )
    client = CoinGeckoClient(config, (), base_url="http://cg.test", rng=random.Random(3))
    assert isinstance(client.retrying.stop, stop_after_attempt)
    assert client.retrying.stop.max_attempt_number == 5
    draws = random.Random(3)
    assert [client.backoff(n) for n in (1, 2)] == [
        pytest.approx(base * (1 + 0.1 * (2 * draws.random() - 1))) for base in (2.0, 4.0)
    ]
    client.close()


# ---------------------------------------------------------------- ExchangeRate-API
def fx_config(**retries: Any) -> ExchangeRateConfig:
    base = {"max_attempts": 3, "backoff_sec": 2.0, "jitter": 0.0, "max_wait_sec": 60.0}
    return ExchangeRateConfig.model_validate({"retries": {**base, **retries}})


def fx_answers(*answers: httpx.Response) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    sent: list[httpx.Request] = []
    queue = list(answers)

    def reply(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return httpx.MockTransport(reply), sent


def test_fx_transient_failures_use_exact_attempts():
    clock = FakeClock()
    bad_json = httpx.Response(200, content=b'{"rates": ')
    transport, sent = fx_answers(httpx.Response(503), bad_json, httpx.Response(200, json=FX_OK))
    rate = fetch_fx(fx_config(), None, base_url=FX_BASE, clock=clock, transport=transport)
    assert rate.rate == 0.9 and rate.as_of_ms == 1_700_000_000_000
    assert len(sent) == 3
    assert clock.slept == [2.0, 4.0]


def test_fx_gives_up_after_max_attempts():
    clock = FakeClock()
    transport, sent = fx_answers(httpx.Response(500))
    with pytest.raises(ApiError, match=r"failed after 3 attempts \(HTTP 500\)"):
        fetch_fx(fx_config(), None, base_url=FX_BASE, clock=clock, transport=transport)
    assert len(sent) == 3 and clock.slept == [2.0, 4.0]


def test_fx_error_answers_are_not_retried():
    clock = FakeClock()
    transport, sent = fx_answers(httpx.Response(404, content=b"not here"))
    with pytest.raises(ApiError, match="HTTP 404"):
        fetch_fx(fx_config(), None, base_url=FX_BASE, clock=clock, transport=transport)
    assert len(sent) == 1 and clock.slept == []


def test_fx_retries_leave_the_global_random_alone(monkeypatch):
    def forbidden() -> float:
        raise AssertionError("the global random module was used")

    random.seed(99)
    global_state = random.getstate()
    monkeypatch.setattr(random, "random", forbidden)
    clock = FakeClock()
    transport, _ = fx_answers(
        httpx.Response(502), httpx.Response(502), httpx.Response(200, json=FX_OK)
    )
    fetch_fx(
        fx_config(jitter=0.2),
        None,
        base_url=FX_BASE,
        clock=clock,
        transport=transport,
        rng=random.Random(11),
    )
    monkeypatch.undo()
    assert random.getstate() == global_state
    draws = random.Random(11)
    assert clock.slept == [
        pytest.approx(base * (1 + 0.2 * (2 * draws.random() - 1))) for base in (2.0, 4.0)
    ]
    # without an rng the jitter still comes from a private Random, not the module
    monkeypatch.setattr(random, "random", forbidden)
    transport, sent = fx_answers(httpx.Response(503), httpx.Response(200, json=FX_OK))
    fetch_fx(fx_config(jitter=0.2), None, base_url=FX_BASE, clock=FakeClock(), transport=transport)
    assert len(sent) == 2
