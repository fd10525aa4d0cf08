"""The Redis cache backend against a real redis-server on a loopback port."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from finbot.clock import FakeClock
from finbot.errors import DataError
from finbot.storage.cache_store import RedisCache, make_cache

pytestmark = pytest.mark.integration

TTLS = {"simple_price": 0.4, "market_chart": 300.0, "off": 0.0}


@pytest.fixture
def cache(redis_server: str) -> Iterator[RedisCache]:
    made = make_cache(TTLS, FakeClock(), redis_server, prefix=f"test-{uuid.uuid4().hex[:8]}")
    assert isinstance(made, RedisCache) and made.backend == "redis"
    yield made
    made.clear()
    made.close()


def test_url_from_environment(redis_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", redis_server)
    cache = make_cache(TTLS, FakeClock())
    assert cache.backend == "redis"
    cache.close()


@pytest.mark.parametrize(
    "value",
    [{"usd": 42_000.5, "eur": None}, [1, 2, 3], "text", 7, True],
)
def test_round_trip_as_json(cache: RedisCache, value: object) -> None:
    cache.set("market_chart", "k", value)
    assert cache.get("market_chart", "k") == value
    assert 299 < cache.ttl_left("market_chart", "k") <= 300


def test_entries_expire_on_the_server(cache: RedisCache) -> None:
    cache.set("simple_price", "bitcoin", 1)
    assert cache.get("simple_price", "bitcoin") == 1
    time.sleep(0.6)
    assert cache.get("simple_price", "bitcoin") is None
    assert cache.ttl_left("simple_price", "bitcoin") is None


def test_counters_size_clear(cache: RedisCache) -> None:
    cache.get("market_chart", "a")
    cache.set("market_chart", "a", 1)
    cache.set("market_chart", "b", 2)
    cache.set("off", "c", 3)  # TTL 0: not cached
    cache.get("market_chart", "a")
    cache.get("off", "c")
    stats = cache.stats()
    assert stats["market_chart"] == {"hits": 1, "misses": 1, "size": 2, "ttl_s": 300.0}
    assert stats["off"]["size"] == 0 and stats["off"]["misses"] == 1
    assert cache.purge_expired() == 0
    assert cache.clear("market_chart") == 2
    assert cache.stats()["market_chart"]["size"] == 0


def test_two_processes_share_entries(cache: RedisCache, redis_server: str) -> None:
    other = make_cache(TTLS, FakeClock(), redis_server, prefix=cache._prefix)
    cache.set("market_chart", "shared", {"x": 1})
    assert other.get("market_chart", "shared") == {"x": 1}
    other.close()


def test_non_json_value_is_refused(cache: RedisCache) -> None:
    with pytest.raises(DataError, match="JSON-serialisable"):
        cache.set("market_chart", "k", object())


def test_server_gone_counts_misses_and_does_not_raise(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = redis.Redis(
        host="127.0.0.1", port=port, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0)
    )
    cache = RedisCache(TTLS, client)
    cache.set("market_chart", "k", 1)
    assert cache.get("market_chart", "k", "default") == "default"
    assert cache.ttl_left("market_chart", "k") is None
    assert cache.stats()["market_chart"] == {"hits": 0, "misses": 1, "size": 0, "ttl_s": 300.0}
    assert "counted as a miss" in caplog.text and "value not cached" in caplog.text
    cache.close()
