"""The replay server's faults, keys, rate limit, loopback binding and live replay."""

from __future__ import annotations

import functools
import json
import socket
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from finbot.clock import FakeClock
from finbot.errors import UsageError
from finbot.replay import ReplayServer
from finbot.replay.faults import FAULT_KINDS, FaultPlan, spoil
from tests.fixtures.replay import REPLAY_END_MS

pytestmark = pytest.mark.unit
END_S = REPLAY_END_MS // 1000
PRICE = "/simple/price"
PRICE_Q = {"ids": "bitcoin", "vs_currencies": "usd"}


@functools.cache
def _client() -> httpx.Client:
    """One client for the module: a new one per request costs an SSL context each time."""
    return httpx.Client()


def get(
    server: ReplayServer,
    path: str = PRICE,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
    **params: Any,
) -> httpx.Response:
    return _client().get(
        server.url + path, params=params or PRICE_Q, headers=headers, timeout=timeout
    )


@pytest.mark.parametrize(
    ("kind", "status"),
    [("500", 500), ("502", 502), ("503", 503), ("429_1015", 429), ("401_10012", 401)],
)
def test_status_faults(replay_server: ReplayServer, kind: str, status: int) -> None:
    replay_server.inject(kind)
    response = get(replay_server)
    assert response.status_code == status
    assert get(replay_server).status_code == 200  # a queued fault is used once
    assert replay_server.stats()["faults"] == {kind: 1}


def test_429_headers_and_body(replay_server: ReplayServer) -> None:
    replay_server.inject("429", limit=30)
    response = get(replay_server)
    assert response.status_code == 429
    assert response.json()["status"]["error_code"] == 429
    assert response.headers["x-ratelimit-limit"] == "30"
    assert response.headers["x-ratelimit-remaining"] == "0"
    reset = datetime.strptime(response.headers["x-ratelimit-reset"], "%Y-%m-%d %H:%M:%S %z")
    assert reset == datetime.fromtimestamp(END_S + 60, tz=UTC)  # the next minute window
    assert "retry-after" not in response.headers


def test_429_with_retry_after_and_reset_in(replay_server: ReplayServer) -> None:
    replay_server.inject("429", retry_after=7, reset_in=12)
    response = get(replay_server)
    assert response.headers["retry-after"] == "7"
    reset = datetime.strptime(response.headers["x-ratelimit-reset"], "%Y-%m-%d %H:%M:%S %z")
    assert reset.timestamp() == END_S + 12


def test_1015_is_plain_text(replay_server: ReplayServer) -> None:
    replay_server.inject("429_1015")
    response = get(replay_server)
    assert response.text == "error code: 1015" and response.headers["content-type"].startswith(
        "text/plain"
    )


def test_10012_body(replay_server: ReplayServer) -> None:
    replay_server.inject("401_10012")
    assert get(replay_server).json()["error"]["status"]["error_code"] == 10012


def test_truncated_body_is_invalid_json(replay_server: ReplayServer) -> None:
    replay_server.inject("truncated")
    response = get(replay_server, "/coins/bitcoin/market_chart", vs_currency="usd", days="1")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


def test_truncated_transport_breaks_the_http_layer(replay_server: ReplayServer) -> None:
    replay_server.inject("truncated", mode="transport")
    with pytest.raises(httpx.RemoteProtocolError):
        get(replay_server, "/coins/bitcoin/market_chart", vs_currency="usd", days="1")


def test_wrong_types(replay_server: ReplayServer) -> None:
    replay_server.inject("wrong_types")
    prices = get(replay_server, "/coins/bitcoin/market_chart", vs_currency="usd", days="1").json()[
        "prices"
    ]
    assert isinstance(prices[0][1], str) and prices[1][1] is None
    assert isinstance(prices[0][0], int)  # timestamps stay integers


@pytest.mark.parametrize("variant", ["nan", "negative", "absurd", "mixed"])
def test_nan_fault(replay_server: ReplayServer, variant: str) -> None:
    replay_server.inject("nan", variant=variant)
    body = json.loads(
        get(replay_server, "/coins/bitcoin/market_chart", vs_currency="usd", days="1").text
    )
    values = [p[1] for p in body["prices"]]
    good = 10_000 < values[-1] < 500_000
    assert not good or variant == "mixed"
    assert any(v != v or v < 0 or v > 1e12 for v in values)


def test_reset_drops_the_connection(replay_server: ReplayServer) -> None:
    replay_server.inject("reset")
    with pytest.raises(httpx.TransportError):
        get(replay_server)
    assert get(replay_server).status_code == 200


def test_slow_exceeds_the_read_timeout(replay_server: ReplayServer) -> None:
    replay_server.inject("slow", delay=0.6)
    with pytest.raises(httpx.ReadTimeout):
        get(replay_server, timeout=0.2)
    assert replay_server.stats()["faults"] == {"slow": 1}


def test_faults_match_their_path(replay_server: ReplayServer) -> None:
    replay_server.inject("500", count=2, path="/ohlc")
    assert get(replay_server).status_code == 200
    assert get(replay_server, "/coins/bitcoin/ohlc", vs_currency="usd", days="1").status_code == 500
    assert replay_server.faults.pending() == 1


def test_random_faults_are_seeded_and_counted(make_replay_server: Any) -> None:
    def run() -> list[int]:
        server = make_replay_server()
        server.set_random(0.5, kinds=["500", "503"], seed=3)
        codes = [get(server).status_code for _ in range(40)]
        stats = server.stats()
        assert stats["requests"] == 40 and sum(stats["faults"].values()) == 40 - stats["served"]
        return codes

    first = run()
    assert first == run()
    assert 8 < first.count(200) < 32


@pytest.mark.parametrize("kind", ["bogus", "404"])
def test_unknown_fault_kind_is_refused(kind: str) -> None:
    with pytest.raises(UsageError, match="fault kind"):
        FaultPlan().inject(kind)


def test_fault_plan_validation() -> None:
    plan = FaultPlan()
    with pytest.raises(UsageError):
        plan.inject("500", count=0)
    with pytest.raises(UsageError):
        plan.set_random(1.5)
    plan.set_random(1.0, seed=1)
    assert plan.take("/x") is not None
    plan.clear()
    assert plan.take("/x") is None and set(FAULT_KINDS) >= set(plan.injected)


def test_spoil_keeps_ints_and_bools() -> None:
    assert spoil({"a": [1, 2.5, True]}, "wrong_types", {}) == {"a": [1, "2.5", True]}


@pytest.mark.parametrize("header", ["x-cg-demo-api-key", "x-cg-pro-api-key"])
def test_keys_by_header(make_replay_server: Any, header: str) -> None:
    server = make_replay_server(valid_keys={"good"})
    assert get(server, headers={header: "good"}).status_code == 200
    bad = get(server, headers={header: "bad"})
    assert bad.status_code == 401 and bad.json()["status"]["error_code"] == 10010
    assert [r["key"] for r in server.requests] == ["good", "bad"]


def test_key_by_query_and_required_key(make_replay_server: Any) -> None:
    server = make_replay_server(valid_keys={"good"}, require_key=True)
    assert (
        get(server, ids="bitcoin", vs_currencies="usd", x_cg_demo_api_key="good").status_code == 200
    )
    missing = get(server)
    assert missing.status_code == 401 and missing.json()["status"]["error_code"] == 10002


def test_rpm_limit_per_key_and_minute(make_replay_server: Any) -> None:
    clock = FakeClock(END_S - 3600)
    server = make_replay_server(rpm_limit=3, clock=clock)
    codes = [get(server, headers={"x-cg-demo-api-key": "a"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert get(server, headers={"x-cg-demo-api-key": "b"}).status_code == 200  # per key
    clock.advance(60)
    assert get(server, headers={"x-cg-demo-api-key": "a"}).status_code == 200  # next window


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", ""])
def test_refuses_non_loopback_hosts(replay_history: Any, host: str) -> None:
    with pytest.raises(UsageError, match="loopback"):
        ReplayServer(replay_history, host=host)


def test_binds_loopback_only(replay_server: ReplayServer) -> None:
    assert replay_server._httpd is not None
    assert replay_server._httpd.server_address[0] == "127.0.0.1"
    addresses = {
        info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    }
    for address in addresses - {"127.0.0.1"}:
        with (
            pytest.raises(OSError),
            socket.create_connection((address, replay_server.port), timeout=1),
        ):
            pass


def test_replays_as_the_clock_advances(make_replay_server: Any) -> None:
    clock = FakeClock(END_S - 3 * 3600)
    server = make_replay_server(clock=clock)
    body = get(server, ids="bitcoin", vs_currencies="usd", include_last_updated_at="true").json()
    assert body["bitcoin"]["last_updated_at"] == END_S - 3 * 3600
    first = body["bitcoin"]["usd"]
    clock.advance(299)
    assert get(server, ids="bitcoin", vs_currencies="usd").json()["bitcoin"]["usd"] == first
    clock.advance(1)
    later = get(server, ids="bitcoin", vs_currencies="usd", include_last_updated_at="true").json()[
        "bitcoin"
    ]
    assert later["last_updated_at"] == END_S - 3 * 3600 + 300 and later["usd"] != first
    chart = get(server, "/coins/bitcoin/market_chart", vs_currency="usd", days="1").json()["prices"]
    assert chart[-1][0] == (END_S - 3 * 3600 + 300) * 1000


def test_stats_count_everything(replay_server: ReplayServer) -> None:
    replay_server.inject("503")
    get(replay_server)
    get(replay_server)
    httpx.get(replay_server.fx_url + "/latest/USD")
    stats = replay_server.stats()
    assert stats["requests"] == 3 and stats["served"] == 2
    assert stats["status"] == {"200": 2, "503": 1}
    assert stats["endpoints"]["/simple/price"] == 2
    replay_server.reset_stats()
    assert replay_server.stats()["requests"] == 0
