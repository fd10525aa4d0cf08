"""CoinGecko client logic against an in-memory transport (httpx.MockTransport) and FakeClock."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from finbot.clock import FakeClock
from finbot.collectors.coingecko import CoinGeckoClient
from finbot.config import CoinGeckoConfig
from finbot.errors import ApiError, ConfigError, HistoryLimit, QuotaExhausted, RateLimited

# The plans' default URLs come from the shipped config: resolved here, never requested.
PUBLIC_URL = CoinGeckoConfig().base_url
PRO_URL = CoinGeckoConfig().pro_base_url

pytestmark = pytest.mark.unit

KEY_A = "CG-aaaaaaaaaaaaaaaaAAAA"
KEY_B = "CG-bbbbbbbbbbbbbbbbBBBB"
OK_BODY = {"bitcoin": {"usd": 1.0}}


def _config(**retries: Any) -> CoinGeckoConfig:
    base = {"max_attempts": 3, "backoff_sec": 1.5, "jitter": 0.0, "max_wait_sec": 60.0}
    return CoinGeckoConfig.model_validate({"retries": {**base, **retries}})


class Script:
    """Answers requests from a list of responders, recording what was sent."""

    def __init__(self, *answers: Callable[[httpx.Request], httpx.Response] | httpx.Response):
        self.answers = list(answers)
        self.sent: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return answer(request) if callable(answer) else answer


def ok(body: Any = None) -> httpx.Response:
    return httpx.Response(200, json=OK_BODY if body is None else body)


def status(code: int, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    content = body if isinstance(body, str) else json.dumps(body or {"error": "x"})
    return httpx.Response(code, content=content.encode(), headers=headers or {})


class Usage:
    def __init__(self, month: int = 0):
        self.rows: list[tuple[str, int, str]] = []
        self.month = month

    def record(self, endpoint: str, status: int, latency_ms: float, key_id: str, ts_ms: int):
        self.rows.append((endpoint, status, key_id))
        self.month += 1

    def month_total(self, now_ms: int) -> int:
        return self.month


def make(
    script: Script,
    keys: tuple[str, ...] = (),
    clock: FakeClock | None = None,
    config: CoinGeckoConfig | None = None,
    usage: Usage | None = None,
) -> CoinGeckoClient:
    return CoinGeckoClient(
        config or _config(),
        keys,
        base_url="http://cg.test/api/v3",
        clock=clock or FakeClock(),
        usage=usage,
        transport=httpx.MockTransport(script),
    )


@pytest.mark.parametrize(
    ("plan", "keys", "env", "explicit", "want_url", "want_header"),
    [
        ("auto", (), None, None, PUBLIC_URL, None),
        ("auto", (KEY_A,), None, None, PUBLIC_URL, "x-cg-demo-api-key"),
        ("pro", (KEY_A,), None, None, PRO_URL, "x-cg-pro-api-key"),
        ("public", (KEY_A,), None, None, PUBLIC_URL, None),
        ("auto", (), "http://env.test/api/v3", None, "http://env.test/api/v3", None),
        ("auto", (), "http://env.test/api/v3", "http://arg.test/v3/", "http://arg.test/v3", None),
    ],
)
def test_plan_base_url_and_header(monkeypatch, plan, keys, env, explicit, want_url, want_header):
    if env:
        monkeypatch.setenv("FINBOT_COINGECKO_URL", env)
    else:
        monkeypatch.delenv("FINBOT_COINGECKO_URL", raising=False)
    script = Script(ok())
    config = CoinGeckoConfig.model_validate({"plan": plan})
    client = CoinGeckoClient(
        config, keys, base_url=explicit, clock=FakeClock(), transport=httpx.MockTransport(script)
    )
    assert client.base_url == want_url
    client.get("ping")
    sent = script.sent[0]
    assert str(sent.url) == f"{want_url}/ping"
    if want_header:
        assert sent.headers[want_header] == KEY_A
    assert "x-cg-demo-api-key" not in sent.headers or want_header == "x-cg-demo-api-key"


@pytest.mark.parametrize("plan", ["demo", "pro"])
def test_keyed_plan_without_keys_is_a_config_error(plan):
    with pytest.raises(ConfigError, match="coingecko.plan"):
        CoinGeckoClient(CoinGeckoConfig.model_validate({"plan": plan}), ())


@pytest.mark.parametrize(
    ("failures", "answer", "expect_ok", "expected_sends"),
    [
        (0, status(500), True, 1),
        (1, status(502), True, 2),
        (2, status(503), True, 3),
        (3, status(500), False, 3),
        (5, status(500), False, 3),
        (2, status(408), True, 3),
        (2, httpx.Response(200, content=b'{"bitcoin": {"usd": 1.'), True, 3),  # truncated
        (3, httpx.Response(200, content=b'{"bitcoin": '), False, 3),
        (2, httpx.Response(200, content=b'{"bitcoin": {"usd": NaN}}'), True, 3),
    ],
)
def test_transient_failures_use_exactly_max_attempts(failures, answer, expect_ok, expected_sends):
    script = Script(*([answer] * failures), ok())
    clock = FakeClock()
    client = make(script, clock=clock)
    if expect_ok:
        assert client.get("simple/price") == OK_BODY
    else:
        with pytest.raises(ApiError):
            client.get("simple/price")
    assert len(script.sent) == expected_sends
    assert client.stats.requests == expected_sends
    assert clock.slept == [1.5, 3.0][: min(failures, 2)]  # backoff 1.5 * 2^(n-1), no jitter


def test_timeouts_and_connection_errors_are_retried():
    calls = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            raise httpx.ReadTimeout("slow", request=request)
        if calls["n"] == 2:
            raise httpx.ConnectError("refused", request=request)
        return ok()

    client = make(Script(flaky))
    assert client.get("x") == OK_BODY
    assert calls["n"] == 3
    assert client.stats.retries == 2


def test_backoff_is_capped_and_jittered():
    client = make(Script(ok()), config=_config(backoff_sec=10, jitter=0.2, max_wait_sec=25))
    values = [client.backoff(n) for n in (1, 2, 3, 4) for _ in range(20)]
    assert all(0 <= v <= 25 for v in values)
    first = [client.backoff(1) for _ in range(200)]
    assert min(first) >= 8.0 and max(first) <= 12.0 and len(set(first)) > 1


@pytest.mark.parametrize(
    ("headers", "expected_wait"),
    [
        ({"x-ratelimit-reset": str(1_700_000_000 + 17)}, 17.0),  # epoch seconds
        ({"x-ratelimit-reset": "2023-11-14 22:13:42 +0000"}, 22.0),  # CoinGecko's date form
        ({"retry-after": "7", "x-ratelimit-reset": str(1_700_000_000 + 30)}, 7.0),
        ({"x-ratelimit-reset": "12"}, 12.0),  # seconds to wait
    ],
)
def test_429_waits_until_reset(headers, expected_wait):
    clock = FakeClock(1_700_000_000.0)
    script = Script(
        status(429, {"status": {"error_code": 429, "error_message": "slow"}}, headers), ok()
    )
    client = make(script, keys=(KEY_A,), clock=clock)
    assert client.get("x") == OK_BODY
    assert clock.slept == [pytest.approx(expected_wait)]
    assert len(script.sent) == 2


def test_keyless_429_plain_text_1015_waits_and_retries():
    clock = FakeClock(1_700_000_000.0)
    script = Script(status(429, "error code: 1015", {"x-ratelimit-reset": "1700000005"}), ok())
    assert make(script, clock=clock).get("x") == OK_BODY
    assert clock.slept == [pytest.approx(5.0)]


def test_429_rotates_to_another_key_without_waiting():
    clock = FakeClock(1_700_000_000.0)
    script = Script(status(429, headers={"x-ratelimit-reset": "1700000040"}), ok())
    client = make(script, keys=(KEY_A, KEY_B), clock=clock)
    assert client.get("x") == OK_BODY
    assert [r.headers["x-cg-demo-api-key"] for r in script.sent] == [KEY_A, KEY_B]
    assert clock.slept == []
    assert client.stats.rotations == 1
    # the rate-limited key rests until its reset: the next requests go to B only
    client.get("y")
    assert script.sent[-1].headers["x-cg-demo-api-key"] == KEY_B


def test_every_key_limited_waits_for_the_key_free_first(caplog):
    caplog.set_level(logging.INFO)
    clock = FakeClock(1_700_000_000.0)
    script = Script(
        status(429, headers={"x-ratelimit-reset": "1700000030"}),
        status(429, headers={"x-ratelimit-reset": "1700000010"}),
        ok(),
    )
    client = make(script, keys=(KEY_A, KEY_B), clock=clock)
    assert client.get("x") == OK_BODY
    assert [r.headers["x-cg-demo-api-key"] for r in script.sent] == [KEY_A, KEY_B, KEY_B]
    assert clock.slept == [10.0]  # B resets first; A would have cost 30 s
    assert (client.stats.rotations, client.stats.retries, client.stats.rate_limited) == (1, 1, 2)
    assert "waiting 10.0 s for key ****BBBB" in caplog.text


def test_429_on_every_attempt_raises_rate_limited():
    clock = FakeClock(1_700_000_000.0)
    script = Script(status(429, headers={"retry-after": "2"}))
    client = make(script, clock=clock)
    with pytest.raises(RateLimited) as info:
        client.get("x")
    assert info.value.retry_after == pytest.approx(2.0)
    assert len(script.sent) == 3


def test_reset_beyond_max_wait_raises_instead_of_sleeping():
    clock = FakeClock(1_700_000_000.0)
    script = Script(status(429, headers={"retry-after": "600"}))
    with pytest.raises(RateLimited, match="rate-limited"):
        make(script, clock=clock).get("x")
    assert len(script.sent) == 1 and clock.slept == []


@pytest.mark.parametrize("code", [10002, 10010, 10011])
def test_rejected_key_is_dropped_and_logged_masked(caplog, code):
    caplog.set_level(logging.DEBUG)
    body = {"status": {"error_code": code, "error_message": "Invalid API Key"}}
    script = Script(status(401, body), ok())
    client = make(script, keys=(KEY_A, KEY_B))
    assert client.get("x") == OK_BODY
    assert client.key_ids == ["****BBBB"]
    assert "****AAAA" in caplog.text
    assert KEY_A not in caplog.text and KEY_B not in caplog.text
    assert KEY_A not in repr(client) and KEY_B not in repr(client)


def test_every_key_rejected_is_an_error_without_the_key():
    body = {"error": {"status": {"error_code": 10011, "error_message": "bad"}}}
    client = make(Script(status(401, body)), keys=(KEY_A, KEY_B))
    with pytest.raises(ApiError, match="every CoinGecko key") as info:
        client.get("x")
    assert KEY_A not in str(info.value)


def test_history_limit_10012_raises_at_once():
    body = {
        "error": {
            "status": {
                "error_code": 10012,
                "error_message": "Your request exceeds the allowed time range.",
            }
        }
    }
    script = Script(status(401, body))
    with pytest.raises(HistoryLimit) as info:
        make(script).get("coins/bitcoin/market_chart/range")
    assert info.value.code == 10012
    assert len(script.sent) == 1


@pytest.mark.parametrize("code", [400, 404, 422])
def test_client_errors_are_not_retried(code):
    script = Script(status(code, {"error": "coin not found"}))
    with pytest.raises(ApiError, match="coin not found"):
        make(script).get("coins/nope/ohlc")
    assert len(script.sent) == 1


def test_limiter_blocks_to_stay_under_rpm():
    clock = FakeClock(1_700_000_000.0)
    script = Script(ok())
    sent_at: list[float] = []
    config = CoinGeckoConfig.model_validate({"auth": {"public_rpm": 3}})
    client = CoinGeckoClient(
        config,
        (),
        base_url="http://cg.test",
        clock=clock,
        transport=httpx.MockTransport(lambda r: (sent_at.append(clock.now()), script(r))[1]),
    )
    for _ in range(10):
        client.get("x")
    assert len(sent_at) == 10
    for t in sent_at:
        assert sum(1 for s in sent_at if t - 60 < s <= t) <= 3
    assert sum(clock.slept) >= 180  # ten sends at 3 per minute need three full windows


def test_limiter_is_per_key():
    clock = FakeClock(1_700_000_000.0)
    config = CoinGeckoConfig.model_validate({"auth": {"rpm_per_key": 2}})
    client = CoinGeckoClient(
        config,
        (KEY_A, KEY_B),
        base_url="http://cg.test",
        clock=clock,
        transport=httpx.MockTransport(Script(ok())),
    )
    for _ in range(4):
        client.get("x")
    assert clock.slept == []  # two keys x 2 rpm: four sends without waiting
    client.get("x")
    assert sum(clock.slept) > 0


def test_quota_refuses_before_the_cap():
    usage = Usage(month=0)
    config = CoinGeckoConfig.model_validate({"auth": {"monthly_cap_total": 3}})
    script = Script(ok())
    client = make(script, config=config, usage=usage)
    for _ in range(3):
        client.get("simple/price", endpoint="/simple/price")
    with pytest.raises(QuotaExhausted, match="monthly cap"):
        client.get("simple/price")
    assert len(script.sent) == 3
    assert usage.rows == [("/simple/price", 200, "public")] * 3


def test_every_request_is_recorded_with_masked_key_and_status():
    usage = Usage()
    script = Script(status(500), ok())
    client = make(script, keys=(KEY_A,), usage=usage)
    client.get("coins/bitcoin/ohlc", endpoint="/coins/{id}/ohlc")
    assert usage.rows == [
        ("/coins/{id}/ohlc", 500, "****AAAA"),
        ("/coins/{id}/ohlc", 200, "****AAAA"),
    ]


def test_malformed_payload_is_fetched_again():
    bad = ok({"bitcoin": {"usd": "oops", "last_updated_at": 1}})
    good = ok({"bitcoin": {"usd": 50000.0, "eur": 46000.0, "last_updated_at": 1_700_000_000}})
    script = Script(bad, good)
    prices = make(script).simple_price(["bitcoin"])
    assert prices["bitcoin"].usd == 50000.0
    assert len(script.sent) == 2
