"""Sizes from the machine: ``profile`` (settings.json) resolved to workers, threads, caches,
history window and batch sizes, never planning more memory than the machine has.

``low``, ``medium`` and ``high`` are fixed figures; ``auto`` derives them from the machine's
cores and memory (``MachineFacts.probe()``, through psutil). Every profile is then fitted to
the machine: while the plan (a base process, each training worker, each cached model, the
training history) exceeds the memory budget (a share of the available memory), workers,
then the history window, then the model cache shrink; a machine too small for the smallest
plan is a ConfigError. Tests give a ``MachineFacts`` of their own instead of psutil's figures.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from finbot.errors import ConfigError
from finbot.i18n import N_

Profile = Literal["auto", "low", "medium", "high"]
PROFILES: tuple[Profile, ...] = ("auto", "low", "medium", "high")

#: Measured in benchmarks (bench_training, bench_memory), rounded up: one process with finbot
#: and its libraries imported, one loky training worker at its peak, one loaded model, one
#: coin's hourly history (features included) in a worker per year of bars.
BASE_MB = 300
WORKER_MB = 350
MODEL_MB = 2
COIN_YEAR_MB = 25
MEMORY_SHARE = 0.6  # of the available memory: the rest stays for the system and other programs
MIN_MODELS = 16
MIN_HISTORY_DAYS = 90


@dataclass(frozen=True)
class MachineFacts:
    """The machine's figures sizing reads: logical cores usable by this process, memory."""

    cores: int
    memory_mb: int
    available_mb: int

    @classmethod
    def probe(cls) -> MachineFacts:
        import psutil

        memory = psutil.virtual_memory()
        try:
            cores = len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            cores = psutil.cpu_count() or 1
        return cls(cores, memory.total // 2**20, memory.available // 2**20)


@dataclass(frozen=True)
class Sizes:
    """What the components are given: training workers and threads per model, models kept in
    memory, days of hourly history, coins per training batch, and the plan's memory."""

    profile: str
    workers: int
    threads_per_model: int
    model_cache_size: int
    history_window_days: int
    train_batch_coins: int
    planned_mb: int = 0
    budget_mb: int = 0
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["notes"] = list(self.notes)
        return data


_FIXED: dict[str, Sizes] = {
    "low": Sizes("low", 1, 1, 64, 365, 1),
    "medium": Sizes("medium", 2, 1, 256, 730, 4),
    "high": Sizes("high", 4, 2, 1024, 730, 16),
}


def planned_mb(sizes: Sizes) -> int:
    """Memory the plan needs at its peak: the base process, each worker training one coin's
    history, the model cache."""
    history = COIN_YEAR_MB * sizes.history_window_days / 365
    per_worker = WORKER_MB + history
    return round(BASE_MB + sizes.workers * per_worker + sizes.model_cache_size * MODEL_MB)


def _auto(machine: MachineFacts) -> Sizes:
    """Figures from the machine: a worker per core (one core left free from 4 up), threads
    sharing the rest, caches and batches growing with memory."""
    cores = max(1, machine.cores)
    workers = cores - 1 if cores >= 4 else cores
    threads = max(1, min(4, cores // workers))
    budget = machine.available_mb * MEMORY_SHARE
    cache = int(min(2048, max(MIN_MODELS, budget * 0.1 / MODEL_MB)))
    history = 730 if budget >= 2048 else 365
    return Sizes("auto", workers, threads, cache, history, max(1, min(16, workers * 2)))


def _fewer_workers(sizes: Sizes) -> Sizes:
    return replace(sizes, workers=sizes.workers - 1)


def _shortest_history(sizes: Sizes) -> Sizes:
    return replace(sizes, history_window_days=MIN_HISTORY_DAYS)


def _smallest_cache(sizes: Sizes) -> Sizes:
    return replace(sizes, model_cache_size=MIN_MODELS)


_SHRINK: tuple[tuple[str, int, Callable[[Sizes], Sizes]], ...] = (
    ("workers", 1, _fewer_workers),
    ("history_window_days", MIN_HISTORY_DAYS, _shortest_history),
    ("model_cache_size", MIN_MODELS, _smallest_cache),
)


def _fit(sizes: Sizes, budget: int) -> Sizes:
    """Shrink workers, then the history window, then the cache, until the plan fits."""
    notes: list[str] = []
    for field, floor, shrink in _SHRINK:
        before = getattr(sizes, field)
        while planned_mb(sizes) > budget and getattr(sizes, field) > floor:
            sizes = shrink(sizes)
        if getattr(sizes, field) != before:
            notes.append(f"{field} lowered from {before} to {getattr(sizes, field)} to fit memory")
    batch = min(sizes.train_batch_coins, max(1, sizes.workers * 2))
    return replace(sizes, train_batch_coins=batch, notes=tuple(notes))


def resolve_sizes(profile: str, machine: MachineFacts) -> Sizes:
    """The sizes of ``profile`` on ``machine``; ConfigError when even the smallest plan needs
    more memory than the machine's budget."""
    if profile not in PROFILES:
        raise ConfigError(
            N_("settings.json: profile: expected one of {profiles}"), profiles=", ".join(PROFILES)
        )
    budget = int(machine.available_mb * MEMORY_SHARE)
    chosen = _auto(machine) if profile == "auto" else _FIXED[profile]
    fitted = _fit(chosen, budget)
    need = planned_mb(fitted)
    if need > budget:
        raise ConfigError(
            N_(
                "settings.json: profile: {profile!r} needs at least {need} MB of memory; this "
                "machine has {available} MB available (finbot plans {budget} MB)"
            ),
            profile=profile,
            need=need,
            available=machine.available_mb,
            budget=budget,
        )
    return replace(fitted, planned_mb=need, budget_mb=budget)
