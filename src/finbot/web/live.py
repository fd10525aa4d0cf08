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
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

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
    """What the pages show, each with its stamp: bars, models, the database."""
    db = paths.db_file
    db_stamp = (0, 0)
    for f in (db, db.with_name(db.name + "-wal")):
        try:
            db_stamp = (max(db_stamp[0], f.stat().st_mtime_ns), db_stamp[1] + f.stat().st_size)
        except OSError:
            continue
    return {
        "bars": _tree_stamp(paths.parquet_dir),
        "models": _tree_stamp(paths.models_dir),
        "db": db_stamp,
    }


@dataclass
class Broadcaster:
    """The one poller of a served dashboard and the version every answer cache follows."""

    paths: Paths
    poll_sec: float
    version: int = 0
    changed: list[str] = field(default_factory=list)
    stamps: dict[str, tuple[int, int]] = field(default_factory=dict)
    _cache: dict[Any, tuple[int, Any]] = field(default_factory=dict)
    _wake: asyncio.Event | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

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

    def cached(self, key: Any, build: Callable[[], T]) -> T:
        """``build()``'s answer for this version (computed once per store update)."""
        with self._lock:  # concurrent requests of one key wait for the one build
            version = self.version
            if len(self._cache) > CACHE_ENTRIES or any(
                v != version for v, _ in self._cache.values()
            ):
                self._cache = {k: e for k, e in self._cache.items() if e[0] == version}
                if len(self._cache) > CACHE_ENTRIES:
                    self._cache.clear()
            hit = self._cache.get(key)
            if hit is not None and hit[0] == version:
                value: T = hit[1]
                return value
            value = build()
            self._cache[key] = (version, value)
            return value

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
