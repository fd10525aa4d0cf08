"""The CoinGecko client against the loopback replay server: parsing, faults, keys, limits."""

from __future__ import annotations

import logging

import pytest

from finbot.clock import FakeClock
from finbot.collectors.coingecko import CoinGeckoClient
from finbot.collectors.range_collector import fetch_range
from finbot.collectors.usage import ApiUsageStore
from finbot.config import CoinGeckoConfig
from finbot.errors import ApiError, QuotaExhausted
from finbot.storage.db import engine_for

pytestmark = pytest.mark.integration

KEY_A = "CG-keyAAAAAAAAAAAAAAAAAA1"
KEY_B = "CG-keyBBBBBBBBBBBBBBBBBB2"
DAY_MS = 86_400_000


def config(**over):
    data = {
        "retries": {"max_attempts": 3, "backoff_sec": 0.5, "jitter": 0.0},
        "timeouts_sec": {"connect": 2, "read": 2},
    }
    for key, value in over.items():
        data[key] = {**data.get(key, {}), **value}
    return CoinGeckoConfig.model_validate(data)


def client_for(server, clock, keys=(), usage=None, **over):
    return CoinGeckoClient(config(**over), keys, base_url=server.url, clock=clock, usage=usage)


def test_every_endpoint_parses(replay_server, replay_clock):
    with client_for(replay_server, replay_clock) as client:
        prices = client.simple_price(["bitcoin", "ethereum"])
        assert prices["bitcoin"].usd > prices["ethereum"].usd > 0
        assert prices["bitcoin"].eur and prices["bitcoin"].last_updated_at > 1_600_000_000
        markets = client.coins_markets(["bitcoin", "ethereum"])
        assert {m.coin for m in markets} == {"bitcoin", "ethereum"}
        assert all(m.rank and m.change_7d_pct is not None for m in markets)
        chart = client.market_chart("bitcoin", 1)
        steps = {b[0] - a[0] for a, b in zip(chart.prices, chart.prices[1:], strict=False)}
        assert steps == {300_000}
        now = replay_server.now_ms()
        ranged = client.market_chart_range("bitcoin", (now - 30 * DAY_MS) // 1000, now // 1000)
        assert len(ranged.prices) >= 30 * 24 - 1
        candles = client.ohlc("bitcoin", 30)
        assert candles and all(c.low <= c.close <= c.high for c in candles)
        tickers = client.tickers("bitcoin")
        assert any(t.spread_pct is not None for t in tickers)


@pytest.mark.parametrize(
    ("kind", "opts"),
    [
        ("500", {}),
        ("502", {}),
        ("503", {}),
        ("truncated", {"mode": "body"}),
        ("truncated", {"mode": "transport"}),
        ("reset", {}),
        ("wrong_types", {}),
        ("nan", {}),
    ],
)
def test_transient_faults_are_retried_with_exact_attempts(replay_server, replay_clock, kind, opts):
    replay_server.inject(kind, 2, "/simple/price", **opts)
    with client_for(replay_server, replay_clock) as client:
        assert client.simple_price(["bitcoin"])["bitcoin"].usd > 0
        assert client.stats.requests == 3
    assert replay_server.stats()["requests"] == 3
    assert replay_clock.slept == [0.5, 1.0]


def test_failures_beyond_max_attempts_raise(replay_server, replay_clock):
    replay_server.inject("503", 5, "/simple/price")
    with client_for(replay_server, replay_clock) as client, pytest.raises(ApiError, match="503"):
        client.simple_price(["bitcoin"])
    assert replay_server.stats()["requests"] == 3


def test_read_timeout_is_retried(replay_server, replay_clock):
    replay_server.inject("slow", 1, "/simple/price", delay=1.0)
    with client_for(replay_server, replay_clock, timeouts_sec={"read": 0.3}) as client:
        assert client.simple_price(["bitcoin"])["bitcoin"].usd > 0
        assert client.stats.requests == 2 and client.stats.retries == 1


def test_429_waits_for_x_ratelimit_reset(replay_server, replay_clock):
    replay_clock.advance(17)  # 17 s into a minute: the reset is 43 s away
    replay_server.inject("429", 1, "/simple/price")
    with client_for(replay_server, replay_clock, keys=(KEY_A,)) as client:
        client.simple_price(["bitcoin"])
    assert replay_clock.slept == [pytest.approx(43.0)]


def test_keyless_1015_is_waited_out(replay_server, replay_clock):
    replay_server.inject("429_1015", 1, "/simple/price")
    with client_for(replay_server, replay_clock) as client:
        assert client.simple_price(["bitcoin"])
        assert client.stats.rate_limited == 1 and client.stats.requests == 2


def test_429_rotates_keys_immediately(replay_server, replay_clock):
    replay_server.inject("429", 1, "/simple/price")
    with client_for(replay_server, replay_clock, keys=(KEY_A, KEY_B)) as client:
        client.simple_price(["bitcoin"])
    assert [r["key"] for r in replay_server.requests] == [KEY_A, KEY_B]
    assert replay_clock.slept == []


def test_rejected_key_is_dropped_and_never_logged(make_replay_server, replay_clock, caplog):
    caplog.set_level(logging.DEBUG)
    server = make_replay_server(clock=replay_clock, valid_keys={KEY_B})
    with client_for(server, replay_clock, keys=(KEY_A, KEY_B)) as client:
        for _ in range(3):
            client.simple_price(["bitcoin"])
        assert client.key_ids == ["****BBB2"]
    assert [r["key"] for r in server.requests] == [KEY_A, KEY_B, KEY_B, KEY_B]
    assert KEY_A not in caplog.text and KEY_B not in caplog.text
    assert "rejected" in caplog.text


def test_limiter_keeps_a_burst_under_the_server_rpm(make_replay_server):
    clock = FakeClock(1_717_200_000.0 - 3600)
    server = make_replay_server(clock=clock, rpm_limit=5)
    with client_for(server, clock, auth={"public_rpm": 5}) as client:
        for _ in range(12):
            client.simple_price(["bitcoin"])
    assert server.stats()["status"] == {"200": 12}  # never a 429
    assert sum(clock.slept) >= 120


def test_quota_stops_at_the_monthly_cap(replay_server, replay_clock, tmp_path):
    usage = ApiUsageStore(engine_for(f"sqlite:///{tmp_path / 'u.db'}"))
    with client_for(
        replay_server, replay_clock, usage=usage, auth={"monthly_cap_total": 3}
    ) as client:
        for _ in range(3):
            client.simple_price(["bitcoin"])
        with pytest.raises(QuotaExhausted):
            client.simple_price(["bitcoin"])
    assert replay_server.stats()["requests"] == 3
    assert usage.month_total(replay_server.now_ms()) == 3


def test_history_limit_clamps_the_window_and_says_so(replay_server, replay_clock, caplog):
    now = replay_server.now_ms()
    with client_for(replay_server, replay_clock) as client:
        fetched = fetch_range(client, "bitcoin", now - 380 * DAY_MS, now, "1d", now_ms=now)
    assert fetched.clamp is not None
    assert fetched.clamp.served_start_ms > now - 365 * DAY_MS
    assert min(t for t, _ in fetched.chart.prices) >= fetched.clamp.served_start_ms
    assert "past 365 days" in caplog.text
