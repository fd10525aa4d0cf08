"""Shared helpers of the benchmarks: timing medians and the result row format."""

from __future__ import annotations

import functools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
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


# ---------------------------------------------------------------- subprocesses
ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
FINBOT = ROOT / ".venv" / "bin" / "finbot"
BENCH_HOME = Path(tempfile.gettempdir()) / "finbot-bench"


def python() -> str:
    """The project's interpreter (the venv's when present, else this one)."""
    return str(PYTHON) if PYTHON.exists() else sys.executable


@dataclass
class Measured:
    """One subprocess run: wall seconds, peak RSS of its whole process tree, its output."""

    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def _tree_rss(proc: Any) -> int:
    import psutil

    total = 0
    try:
        family = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for member in family:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue
    return total


def run_measured(
    args: list[str],
    *,
    env: dict[str, str] | None = None,
    timeout: float = 600,
    interval: float = 0.05,
) -> Measured:
    """Run ``args``, sampling the summed RSS of the process and all its descendants (training
    workers included) every ``interval`` seconds; the peak of that sum is reported."""
    import psutil

    full_env = {**os.environ, **(env or {})}
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(args, stdout=out, stderr=err, env=full_env, cwd=ROOT)
        watched = psutil.Process(proc.pid)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss(watched))
            if time.perf_counter() - start > timeout:
                proc.kill()
            time.sleep(interval)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        return Measured(
            seconds, peak / 2**20, proc.returncode, out.read().decode(), err.read().decode()
        )


def quiet_env(home: Path) -> dict[str, str]:
    """Environment of a CLI subprocess: its own home, no keys from the caller's shell."""
    env = {"FINBOT_HOME": str(home), "COLUMNS": "120"}
    for name in ("FINBOT_COINGECKO_KEYS", "FINBOT_COINGECKO_KEY", "FINBOT_EXCHANGERATE_KEY"):
        env[name] = ""
    return env


@functools.lru_cache(maxsize=1)
def demo_run() -> tuple[Path, Measured, dict[str, Any]]:
    """``finbot demo --json`` once per benchmark process, in a fresh home under the temp dir.

    The demo, memory and prediction benchmarks share it: it is the whole flow (collect 10
    coins, train 10 x 5 models) and leaves a trained home behind.
    """
    home = BENCH_HOME / "demo"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    measured = run_measured(
        [str(FINBOT), "--home", str(home), "demo", "--json"], env=quiet_env(home)
    )
    if measured.returncode != 0:
        raise RuntimeError(f"finbot demo failed ({measured.returncode}): {measured.stderr[-2000:]}")
    return home, measured, json.loads(measured.stdout)


def load_avg() -> float:
    """One-minute load average (the benchmarks share the box; say how busy it was)."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return -1.0


def trained_home() -> Path:
    """A home with 10 coins of data and their 50 models: ``$FINBOT_BENCH_HOME`` when set (to
    re-run one benchmark without the demo), else the demo benchmark's home."""
    given = os.environ.get("FINBOT_BENCH_HOME")
    return Path(given) if given else demo_run()[0]
