"""The in-memory TTL cache (FakeClock) and make_cache's backend choice."""

from __future__ import annotations

import logging
import socket
import threading

import pytest

from finbot.clock import FakeClock
from finbot.errors import DataError, UsageError
from finbot.storage.cache_store import MemoryCache, _safe_url, make_cache

pytestmark = pytest.mark.unit

TTLS = {"simple_price": 10.0, "market_chart": 300.0, "off": 0.0}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_700_000_000.0)


@pytest.fixture
def cache(clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> MemoryCache:
    monkeypatch.delenv("REDIS_URL", raising=False)
    made = make_cache(TTLS, clock)
    assert isinstance(made, MemoryCache) and made.backend == "memory"
    return made


@pytest.mark.parametrize(
    ("kind", "advance", "hit"),
    [
        ("simple_price", 0, True),
        ("simple_price", 9.9, True),
        ("simple_price", 10, False),
        ("market_chart", 299, True),
        ("market_chart", 301, False),
        ("off", 0, False),
    ],
)
def test_entries_expire_after_their_kind_ttl(
    cache: MemoryCache, clock: FakeClock, kind: str, advance: float, hit: bool
) -> None:
    cache.set(kind, "bitcoin", {"usd": 42_000.5})
    clock.advance(advance)
    assert cache.get(kind, "bitcoin") == ({"usd": 42_000.5} if hit else None)
    expected_left = pytest.approx(TTLS[kind] - advance) if hit else None
    assert cache.ttl_left(kind, "bitcoin") == expected_left


def test_hit_and_miss_counters_per_kind(cache: MemoryCache, clock: FakeClock) -> None:
    cache.get("simple_price", "a")  # miss
    cache.set("simple_price", "a", [1, 2])
    cache.get("simple_price", "a")  # hit
    cache.get("simple_price", "a")  # hit
    cache.set("market_chart", "b", 1)
    clock.advance(11)
    cache.get("simple_price", "a")  # miss: expired
    assert cache.stats() == {
        "simple_price": {"hits": 2, "misses": 2, "size": 0, "ttl_s": 10.0},
        "market_chart": {"hits": 0, "misses": 0, "size": 1, "ttl_s": 300.0},
        "off": {"hits": 0, "misses": 0, "size": 0, "ttl_s": 0.0},
    }


def test_purge_and_clear(cache: MemoryCache, clock: FakeClock) -> None:
    for key in "abc":
        cache.set("simple_price", key, key)
    cache.set("market_chart", "x", 1)
    clock.advance(10)
    assert cache.purge_expired() == 3
    assert cache.purge_expired() == 0
    assert cache.clear("market_chart") == 1
    cache.set("simple_price", "d", 1)
    assert cache.clear() == 1 and cache.get("simple_price", "d", "gone") == "gone"


def test_values_are_copies(cache: MemoryCache) -> None:
    value = {"prices": [[1, 2.0]]}
    cache.set("market_chart", "k", value)
    value["prices"].append([3, 4.0])
    got = cache.get("market_chart", "k")
    got["prices"].clear()
    assert cache.get("market_chart", "k") == {"prices": [[1, 2.0]]}


@pytest.mark.parametrize("value", [object(), {1, 2}, float("nan")])
def test_non_json_values_are_refused(cache: MemoryCache, value: object) -> None:
    with pytest.raises(DataError, match="JSON-serialisable"):
        cache.set("simple_price", "k", value)


@pytest.mark.parametrize("call", ["get", "set", "ttl_left", "clear"])
def test_unknown_kind_is_a_usage_error(cache: MemoryCache, call: str) -> None:
    args = {
        "get": ("nope", "k"),
        "set": ("nope", "k", 1),
        "ttl_left": ("nope", "k"),
        "clear": ("nope",),
    }[call]
    with pytest.raises(UsageError, match="cache kind: unknown 'nope'"):
        getattr(cache, call)(*args)


def test_negative_ttl_is_refused(clock: FakeClock) -> None:
    with pytest.raises(UsageError, match="cache_ttl_sec.bad"):
        make_cache({"bad": -1}, clock, redis_url="")


def test_thread_safe_counters(cache: MemoryCache) -> None:
    cache.set("market_chart", "k", 1)

    def hammer() -> None:
        for _ in range(500):
            cache.get("market_chart", "k")
            cache.get("market_chart", "missing")

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats = cache.stats()["market_chart"]
    assert (stats["hits"], stats["misses"]) == (2000, 2000)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("from_env", [False, True])
def test_unreachable_redis_falls_back_to_memory(
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    from_env: bool,
) -> None:
    url = f"redis://:secretpw@127.0.0.1:{_closed_port()}/0"
    if from_env:
        monkeypatch.setenv("REDIS_URL", url)
    with caplog.at_level(logging.WARNING, logger="finbot.storage"):
        cache = make_cache(TTLS, clock, None if from_env else url)
    assert cache.backend == "memory"
    assert "unreachable" in caplog.text and "secretpw" not in caplog.text


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://localhost:6379/0", "redis://localhost:6379/0"),
        ("redis://user:pw@host:1/0", "redis://****@host:1/0"),
    ],
)
def test_urls_are_logged_without_passwords(url: str, shown: str) -> None:
    assert _safe_url(url) == shown
