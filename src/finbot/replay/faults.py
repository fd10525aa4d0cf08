"""Fault injection for the replay server: queued faults and seeded random ones.

Kinds (``FAULT_KINDS``):

- ``429``: CoinGecko's rate-limit reply with ``x-ratelimit-limit``, ``x-ratelimit-remaining: 0``
  and ``x-ratelimit-reset`` (a date-time string, see ``responses.reset_header``); options
  ``limit``, ``reset_in`` (seconds from now instead of the next minute), ``retry_after``
  (adds a ``retry-after`` header, which CoinGecko itself does not send).
- ``429_1015``: the CDN's keyless throttle, plain text ``error code: 1015``, no JSON.
- ``401_10012``: the past-365-days history limit.
- ``500``, ``502``, ``503``: server errors (502/503 with an HTML body, as a proxy sends).
- ``slow``: sleep ``delay`` seconds (default 2) before the normal reply.
- ``truncated``: status 200 with the JSON cut in the middle; option ``mode``: ``"body"``
  (default, Content-Length matches the cut body: the JSON parser fails) or ``"transport"``
  (Content-Length of the whole body, then the connection closes: the HTTP layer fails).
- ``wrong_types``: status 200, every float of the payload alternately a string or null.
- ``reset``: the connection is closed (RST) without any reply.
- ``nan``: status 200, floats replaced by NaN, negative or absurd values in turn (option
  ``variant``: ``"nan"``, ``"negative"``, ``"absurd"`` or ``"mixed"``, the default).

A fault with a ``path`` applies only to requests whose path contains that text.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from finbot.errors import UsageError
from finbot.i18n import N_

FAULT_KINDS: tuple[str, ...] = (
    "429",
    "429_1015",
    "401_10012",
    "500",
    "502",
    "503",
    "slow",
    "truncated",
    "wrong_types",
    "reset",
    "nan",
)
BODY_FAULTS = frozenset({"truncated", "wrong_types", "nan"})
_NAN_VARIANTS = ("nan", "negative", "absurd")


@dataclass
class Fault:
    kind: str
    path: str | None = None
    opts: dict[str, Any] = field(default_factory=dict)

    def matches(self, path: str) -> bool:
        return self.path is None or self.path in path


@dataclass
class _Queued:
    fault: Fault
    remaining: int


def _check_kind(kind: str) -> str:
    kind = str(kind)
    if kind not in FAULT_KINDS:
        raise UsageError(
            N_("fault kind: expected one of {kinds}, got {kind!r}"),
            kinds=", ".join(FAULT_KINDS),
            kind=kind,
        )
    return kind


class FaultPlan:
    """Which faults the next requests get. Thread-safe; counts every fault it hands out."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[_Queued] = []
        self._random: tuple[float, tuple[str, ...], random.Random, str | None] | None = None
        self._random_opts: dict[str, Any] = {}
        self.injected: Counter[str] = Counter()

    def inject(self, kind: str, count: int = 1, path: str | None = None, **opts: Any) -> None:
        """Queue ``count`` faults of ``kind`` for the next requests matching ``path``."""
        if count < 1:
            raise UsageError(
                N_("count: expected a positive number of faults, got {count}"), count=count
            )
        with self._lock:
            self._queue.append(_Queued(Fault(_check_kind(kind), path, dict(opts)), count))

    def set_random(
        self,
        rate: float,
        kinds: Iterable[str] | None = None,
        seed: int = 0,
        path: str | None = None,
        **opts: Any,
    ) -> None:
        """Fail a fraction ``rate`` of matching requests with a kind drawn from ``kinds``
        (``opts`` go to every fault drawn, e.g. ``delay`` for ``slow``)."""
        if not 0.0 <= rate <= 1.0:
            raise UsageError(N_("rate: expected a fraction between 0 and 1, got {rate}"), rate=rate)
        chosen = tuple(_check_kind(k) for k in (kinds or FAULT_KINDS))
        with self._lock:
            self._random = (rate, chosen, random.Random(seed), path) if rate > 0 else None
            self._random_opts = dict(opts)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self._random = None

    def pending(self) -> int:
        with self._lock:
            return sum(entry.remaining for entry in self._queue)

    def take(self, path: str) -> Fault | None:
        """The fault for a request to ``path`` (queued first, then random), or None."""
        with self._lock:
            fault = self._take_queued(path) or self._draw_random(path)
            if fault is not None:
                self.injected[fault.kind] += 1
            return fault

    def _take_queued(self, path: str) -> Fault | None:
        for entry in self._queue:
            if entry.fault.matches(path):
                entry.remaining -= 1
                if entry.remaining == 0:
                    self._queue.remove(entry)
                fault = entry.fault
                return Fault(fault.kind, fault.path, dict(fault.opts))
        return None

    def _draw_random(self, path: str) -> Fault | None:
        if self._random is None:
            return None
        rate, kinds, rng, only = self._random
        if only is not None and only not in path:
            return None
        if rng.random() >= rate:
            return None
        return Fault(rng.choice(kinds), only, dict(self._random_opts))


def spoil(obj: Any, kind: str, opts: dict[str, Any]) -> Any:
    """A copy of ``obj`` with its floats spoiled for ``wrong_types`` or ``nan``."""
    counter = [0]
    variant = str(opts.get("variant", "mixed"))

    def bad(value: float) -> Any:
        i = counter[0]
        counter[0] += 1
        if kind == "wrong_types":
            return None if i % 2 else str(value)
        pick = _NAN_VARIANTS[i % 3] if variant == "mixed" else variant
        return {
            "nan": float("nan"),
            "negative": -abs(value) - 1.0,
            "absurd": abs(value) * 1e12 + 1e12,
        }[pick]

    def walk(node: Any) -> Any:
        if isinstance(node, bool):
            return node
        if isinstance(node, float):
            return bad(node)
        if isinstance(node, list):
            return [walk(v) for v in node]
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        return node

    return walk(obj)
