"""TTL cache per data kind (simple_price, coins_markets, market_chart, ...) with hit/miss
counters: in memory by default, in Redis when a URL is given or ``$REDIS_URL`` is set.

Values must be JSON-serialisable; both backends store JSON, so a cached value is always a
fresh copy (a caller mutating what it got never changes the cache) and the two backends
behave alike. A TTL of 0 disables caching for that kind. Counters are per process. When Redis
cannot be reached the cache falls back to memory (logged), and a Redis failure later counts as
a miss (logged) rather than breaking collection.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Mapping
from typing import Any, Protocol

from finbot.clock import Clock
from finbot.errors import DataError, UsageError
from finbot.i18n import N_, Message, failure_line

log = logging.getLogger(__name__)

REDIS_ENV = "REDIS_URL"
DEFAULT_PREFIX = "finbot"


class Cache(Protocol):
    """What collectors use; both backends implement it."""

    backend: str

    def get(self, kind: str, key: str, default: Any = None) -> Any: ...
    def set(self, kind: str, key: str, value: Any) -> None: ...
    def ttl_left(self, kind: str, key: str) -> float | None: ...
    def stats(self) -> dict[str, dict[str, float]]: ...
    def purge_expired(self) -> int: ...
    def clear(self, kind: str | None = None) -> int: ...


def _redis_failed(template: str, kind: str, key: str, exc: BaseException) -> Message:
    """A failed Redis call's warning line (the cache goes on without it)."""
    return Message(template, kind=kind, key=key, error=failure_line(exc))


def _encode(kind: str, key: str, value: Any) -> str:
    try:
        return json.dumps(value, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise DataError(
            N_("cache {kind}/{key}: expected a JSON-serialisable value ({error})"),
            kind=kind,
            key=key,
            error=str(exc),
        ) from exc


class _Base:
    """TTLs per kind and the hit/miss counters shared by both backends."""

    def __init__(self, ttls: Mapping[str, float]):
        for kind, ttl in ttls.items():
            if ttl < 0:
                raise UsageError(
                    N_("cache_ttl_sec.{kind}: expected a TTL >= 0 seconds, got {ttl}"),
                    kind=kind,
                    ttl=ttl,
                )
        self._ttls = dict(ttls)
        self._counts = {kind: [0, 0] for kind in ttls}  # [hits, misses]
        self._count_lock = threading.Lock()

    def ttl(self, kind: str) -> float:
        if kind not in self._ttls:
            raise UsageError(
                N_("cache kind: unknown {kind!r}; expected one of {kinds}"),
                kind=kind,
                kinds=", ".join(sorted(self._ttls)),
            )
        return self._ttls[kind]

    def _count(self, kind: str, hit: bool) -> None:
        with self._count_lock:
            self._counts[kind][0 if hit else 1] += 1

    def _stats(self, sizes: Mapping[str, int]) -> dict[str, dict[str, float]]:
        with self._count_lock:
            return {
                kind: {
                    "hits": hits,
                    "misses": misses,
                    "size": sizes.get(kind, 0),
                    "ttl_s": self._ttls[kind],
                }
                for kind, (hits, misses) in self._counts.items()
            }


class MemoryCache(_Base):
    """Thread-safe in-process cache; time comes from the clock passed in."""

    backend = "memory"

    def __init__(self, ttls: Mapping[str, float], clock: Clock):
        super().__init__(ttls)
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, tuple[float, str]]] = {kind: {} for kind in ttls}

    def get(self, kind: str, key: str, default: Any = None) -> Any:
        self.ttl(kind)
        now = self._clock.now()
        with self._lock:
            entry = self._entries[kind].get(key)
            if entry is not None and entry[0] <= now:
                del self._entries[kind][key]
                entry = None
        self._count(kind, entry is not None)
        return default if entry is None else json.loads(entry[1])

    def set(self, kind: str, key: str, value: Any) -> None:
        ttl = self.ttl(kind)
        encoded = _encode(kind, key, value)
        if ttl <= 0:
            return
        with self._lock:
            self._entries[kind][key] = (self._clock.now() + ttl, encoded)

    def ttl_left(self, kind: str, key: str) -> float | None:
        """Seconds until the entry expires, None when absent or expired."""
        self.ttl(kind)
        with self._lock:
            entry = self._entries[kind].get(key)
        left = None if entry is None else entry[0] - self._clock.now()
        return left if left is not None and left > 0 else None

    def purge_expired(self) -> int:
        """Drop expired entries; how many were dropped."""
        now = self._clock.now()
        dropped = 0
        with self._lock:
            for entries in self._entries.values():
                for key in [k for k, (expires, _) in entries.items() if expires <= now]:
                    del entries[key]
                    dropped += 1
        return dropped

    def clear(self, kind: str | None = None) -> int:
        """Drop every entry (of ``kind`` when given); how many were dropped."""
        kinds = [kind] if kind is not None else list(self._entries)
        dropped = 0
        with self._lock:
            for name in kinds:
                self.ttl(name)
                dropped += len(self._entries[name])
                self._entries[name].clear()
        return dropped

    def stats(self) -> dict[str, dict[str, float]]:
        """``{kind: {hits, misses, size, ttl_s}}``; size counts live (unexpired) entries."""
        now = self._clock.now()
        with self._lock:
            sizes = {
                kind: sum(1 for expires, _ in entries.values() if expires > now)
                for kind, entries in self._entries.items()
            }
        return self._stats(sizes)


class RedisCache(_Base):
    """Redis backend: ``<prefix>:<kind>:<key>`` → JSON, expiry by SETEX (Redis's clock)."""

    backend = "redis"

    def __init__(self, ttls: Mapping[str, float], client: Any, *, prefix: str = DEFAULT_PREFIX):
        from redis import RedisError

        super().__init__(ttls)
        self._client = client
        self._prefix = prefix
        #: What a Redis call raises when the server is gone or refuses: logged, never raised.
        self._down: tuple[type[Exception], ...] = (RedisError, OSError)

    def _key(self, kind: str, key: str) -> str:
        return f"{self._prefix}:{kind}:{key}"

    def get(self, kind: str, key: str, default: Any = None) -> Any:
        self.ttl(kind)
        try:
            raw = self._client.get(self._key(kind, key))
        except self._down as exc:
            log.warning(
                "%s",
                _redis_failed(
                    N_("cache: Redis get {kind}/{key} failed ({error}); counted as a miss"),
                    kind,
                    key,
                    exc,
                ),
            )
            raw = None
        self._count(kind, raw is not None)
        return default if raw is None else json.loads(raw)

    def set(self, kind: str, key: str, value: Any) -> None:
        ttl = self.ttl(kind)
        encoded = _encode(kind, key, value)
        if ttl <= 0:
            return
        try:
            self._client.psetex(self._key(kind, key), max(1, int(ttl * 1000)), encoded)
        except self._down as exc:
            log.warning(
                "%s",
                _redis_failed(
                    N_("cache: Redis set {kind}/{key} failed ({error}); value not cached"),
                    kind,
                    key,
                    exc,
                ),
            )

    def ttl_left(self, kind: str, key: str) -> float | None:
        self.ttl(kind)
        try:
            left_ms = int(self._client.pttl(self._key(kind, key)))
        except self._down as exc:
            log.warning(
                "%s",
                _redis_failed(
                    N_("cache: Redis pttl {kind}/{key} failed ({error})"), kind, key, exc
                ),
            )
            return None
        return left_ms / 1000 if left_ms > 0 else None

    def purge_expired(self) -> int:
        """Redis expires keys itself: nothing to do."""
        return 0

    def _keys(self, kind: str) -> list[str]:
        try:
            return list(self._client.scan_iter(match=f"{self._prefix}:{kind}:*", count=500))
        except self._down as exc:
            log.warning(
                "%s",
                Message(
                    N_("cache: Redis scan of {kind} failed ({error})"),
                    kind=kind,
                    error=failure_line(exc),
                ),
            )
            return []

    def clear(self, kind: str | None = None) -> int:
        dropped = 0
        for name in [kind] if kind is not None else list(self._ttls):
            self.ttl(name)
            keys = self._keys(name)
            if keys:
                dropped += int(self._client.delete(*keys))
        return dropped

    def stats(self) -> dict[str, dict[str, float]]:
        return self._stats({kind: len(self._keys(kind)) for kind in self._ttls})

    def close(self) -> None:
        self._client.close()


def make_cache(
    ttls: Mapping[str, float],
    clock: Clock,
    redis_url: str | None = None,
    *,
    prefix: str = DEFAULT_PREFIX,
) -> MemoryCache | RedisCache:
    """A Redis cache when ``redis_url`` (default ``$REDIS_URL``) is set and answers, else an
    in-memory one (with a warning when Redis was asked for but unreachable)."""
    url = redis_url if redis_url is not None else os.environ.get(REDIS_ENV, "")
    if not url:
        return MemoryCache(ttls, clock)
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # one immediate retry (a dropped idle connection), never seconds of backoff per call:
    # a cache that is down must cost a miss, not stall collection
    client = redis.Redis.from_url(
        url,
        socket_timeout=2.0,
        socket_connect_timeout=2.0,
        decode_responses=True,
        retry=Retry(NoBackoff(), 1),
    )
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        client.close()
        log.warning(
            "%s",
            Message(
                N_("cache: Redis at {url} unreachable ({error}); using the in-memory cache"),
                url=_safe_url(url),
                error=str(exc),
            ),
        )
        return MemoryCache(ttls, clock)
    return RedisCache(ttls, client, prefix=prefix)


def _safe_url(url: str) -> str:
    """The URL without its password (never log secrets)."""
    if "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://****@{rest.rsplit('@', 1)[1]}"
