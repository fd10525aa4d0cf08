"""Live updates: one poller per server notices writes, every client hears of them.

The poller reads the home's modification stamps (bar files, model pointers, the SQLite
database) every ``poll_sec`` in a worker thread; when they change it bumps ``version`` and wakes
every server-sent-events stream. Pages then fetch what changed from the API, whose heavy answers
are cached by that same version: one store read per update, however many clients listen.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from finbot.ops.reports import evaluations_dir
from finbot.paths import Paths

T = TypeVar("T")
KEEPALIVE_SEC = 15.0
CACHE_ENTRIES = 256  # answers kept per version (question parameters vary)


def _tree_stamp(root: Path) -> tuple[int, int]:
    """(newest modification in ns, file count) under ``root``; (0, 0) when absent."""
    newest = count = 0
    stack = [root]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
                continue
            try:
                newest = max(newest, entry.stat().st_mtime_ns)
            except OSError:
                continue
            count += 1
    return newest, count


def read_stamps(paths: Paths) -> dict[str, tuple[int, int]]:
    """What the pages show, each with its stamp: bars, models, the database, evaluations."""
    db = paths.db_file
    db_stamp = (0, 0)
    for f in (db, db.with_name(db.name + "-wal")):
        try:
            st = f.stat()
        except OSError:
            continue
        db_stamp = (max(db_stamp[0], st.st_mtime_ns), db_stamp[1] + st.st_size)
    return {
        "bars": _tree_stamp(paths.parquet_dir),
        "models": _tree_stamp(paths.models_dir),
        "db": db_stamp,
        "evaluations": _tree_stamp(evaluations_dir(paths)),
    }


@dataclass
class Broadcaster:
    """The one poller of a served dashboard and the version every answer cache follows."""

    paths: Paths
    poll_sec: float
    version: int = 0
    changed: list[str] = field(default_factory=list)
    stamps: dict[str, tuple[int, int]] = field(default_factory=dict)
    _cache: dict[Any, tuple[int, Any, float]] = field(default_factory=dict)
    _wake: asyncio.Event | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _locks: dict[Any, threading.Lock] = field(default_factory=dict)

    def poll_once(self) -> bool:
        """Read the stamps; True (and a new version) when they moved."""
        stamps = read_stamps(self.paths)
        if stamps == self.stamps:
            return False
        self.changed = sorted(k for k in stamps if stamps[k] != self.stamps.get(k))
        self.stamps = stamps
        self.version += 1
        return True

    async def run(self) -> None:
        """Poll until cancelled, waking every stream after each change."""
        self._wake = asyncio.Event()
        await asyncio.to_thread(self.poll_once)
        while True:
            await asyncio.sleep(self.poll_sec)
            if await asyncio.to_thread(self.poll_once):
                wake, self._wake = self._wake, asyncio.Event()
                wake.set()

    def cached(self, key: Any, build: Callable[[], T], max_age: float | None = None) -> T:
        """``build()``'s answer for this version: computed once per store update, whatever the
        number of clients (those asking meanwhile wait for that one build). With ``max_age``
        (what moves without a write, e.g. uptime) it is rebuilt once that old, and the aged
        answer is served while another request rebuilds it."""
        hit = self._fresh(key, max_age)
        if hit is not None:
            value: T = hit[1]
            return value
        lock = self._key_lock(key)
        current = self._cache.get(key)
        if current is not None and current[0] == self.version and not lock.acquire(blocking=False):
            aged: T = current[1]  # same store version, only older than max_age: serve it
            return aged
        if current is None or current[0] != self.version:
            lock.acquire()
        try:
            hit = self._fresh(key, max_age)
            if hit is not None:
                value = hit[1]
                return value
            version = self.version
            value = build()
            self._store(key, (version, value, time.monotonic()))
            return value
        finally:
            lock.release()

    def _key_lock(self, key: Any) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(key, threading.Lock())

    def _store(self, key: Any, entry: tuple[int, Any, float]) -> None:
        """Keep ``entry``, dropping the answers of older versions (and all when too many)."""
        with self._lock:
            cache = {k: e for k, e in self._cache.items() if e[0] == entry[0]}
            if len(cache) >= CACHE_ENTRIES:
                cache.clear()
            cache[key] = entry
            self._cache = cache
            if len(self._locks) > 4 * CACHE_ENTRIES:
                self._locks = {k: v for k, v in self._locks.items() if v.locked()}

    def _fresh(self, key: Any, max_age: float | None) -> tuple[int, Any, float] | None:
        hit = self._cache.get(key)
        if hit is None or hit[0] != self.version:
            return None
        if max_age is not None and time.monotonic() - hit[2] > max_age:
            return None
        return hit

    async def answer(
        self, key: Any, build: Callable[[], bytes], max_age: float | None = None
    ) -> bytes:
        """As ``cached`` from the event loop: a fresh answer at once, a build in a thread."""
        hit = self._fresh(key, max_age)
        if hit is not None:
            body: bytes = hit[1]
            return body
        return await asyncio.to_thread(self.cached, key, build, max_age)

    async def events(self) -> AsyncIterator[str]:
        """A server-sent-events stream: one ``update`` event per change, keep-alives between."""
        seen = self.version
        yield _event("hello", {"version": seen})
        while True:
            wake = self._wake
            if wake is not None and self.version == seen:
                try:
                    await asyncio.wait_for(wake.wait(), KEEPALIVE_SEC)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
            elif wake is None:
                await asyncio.sleep(self.poll_sec)
            if self.version != seen:
                seen = self.version
                yield _event("update", {"version": seen, "changed": self.changed})


def _event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"
