"""Shared pieces of the reliability suite: homes pointed at a replay server, a simulated
scheduler over a FakeClock, file snapshots, and the figures each test prints (``-s``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from finbot.clock import FakeClock
from finbot.paths import Paths

KEYS = ("CG-reliabilityKeyAAAA1111", "CG-reliabilityKeyBBBB2222")
FX_KEY = "fxSecretReliability9876"


def make_home(root: Path, api: Mapping[str, Any] | None = None) -> Paths:
    """A home under ``root`` with ``api`` written as its ``config/api_config.json``."""
    paths = Paths.resolve(root).ensure()
    if api is not None:
        (paths.config_dir / "api_config.json").write_text(json.dumps(api), "utf-8")
    return paths


def replay_api(
    server_url: str,
    fx_url: str,
    exchange_url: str,
    *,
    read_s: float = 0.25,
    rpm: int = 500,
    attempts: int = 3,
) -> dict[str, Any]:
    """An ``api_config.json`` aiming every API at the replay server, with short timeouts."""
    return {
        "coingecko": {
            "base_url": server_url,
            "pro_base_url": server_url,
            "auth": {"rpm_per_key": rpm, "public_rpm": rpm},
            "timeouts_sec": {"connect": 2, "read": read_s},
            "retries": {"max_attempts": attempts},
        },
        "exchangerate": {
            "base_url": fx_url,
            "keyed_base_url": fx_url,
            "timeouts_sec": {"connect": 2, "read": read_s},
        },
        "exchange": {"base_url": exchange_url},
    }


def simulate(
    clock: FakeClock,
    jobs: Mapping[str, tuple[float, Callable[[], Any]]],
    start_s: float,
    end_s: float,
) -> dict[str, list[Any]]:
    """Run ``{name: (interval_s, job)}`` from ``start_s`` to ``end_s`` on ``clock`` the way
    APScheduler does with ``coalesce`` and ``max_instances=1``: every job runs at start, then
    each interval; a run that makes the clock overshoot (retries, rate-limit waits) collapses
    the missed runs into one. Returns each job's results in order."""
    due = {name: start_s for name in jobs}
    results: dict[str, list[Any]] = {name: [] for name in jobs}
    while True:
        name = min(due, key=lambda n: (due[n], n))
        at = due[name]
        if at > end_s:
            return results
        if clock.now() < at:
            clock.advance(at - clock.now())
        interval, job = jobs[name]
        results[name].append(job())
        nxt = at + interval
        while nxt + interval <= clock.now():  # coalesce the runs missed meanwhile
            nxt += interval
        due[name] = nxt


def tree_hashes(root: Path, *, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """``{relative path: sha256}`` of every file under ``root`` (``skip``: name prefixes)."""
    out = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = str(path.relative_to(root))
        if any(part.startswith(skip) for part in Path(rel).parts) if skip else False:
            continue
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def report(title: str, figures: Mapping[str, Any]) -> None:
    """Print the figures of a reliability test (visible with ``pytest -s``)."""
    text = ", ".join(f"{k}={v}" for k, v in figures.items())
    print(f"\n[reliability] {title}: {text}")
