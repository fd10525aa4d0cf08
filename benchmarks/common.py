"""Shared helpers of the benchmarks: timing medians and the result row format."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def median_seconds(fn: Callable[[], Any], *, repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn`` over ``repeat`` runs after ``warmup`` untimed runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def row(
    name: str,
    ours: float,
    baseline: float | None,
    unit: str,
    target: str,
    met: bool,
    **extra: Any,
) -> dict[str, Any]:
    """One result row: ``ratio`` is ours / baseline (lower is better for times and sizes)."""
    ratio = (ours / baseline) if baseline not in (None, 0) else None
    return {
        "name": name,
        "ours": round(ours, 6),
        "baseline": None if baseline is None else round(baseline, 6),
        "unit": unit,
        "ratio": None if ratio is None else round(ratio, 4),
        "target": target,
        "met": bool(met),
        **extra,
    }
