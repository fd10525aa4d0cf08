"""Fast paths: cold ``finbot predict --json`` with and without each numpy fast path.

A cold predict computes the features of ~600 bars and evaluates one model. Two choices keep
its imports small, each behind an explicit interface with the library as the reference:

* indicators: ``NUMPY_INDICATORS`` (the pipeline's default) against ``TALIB_INDICATORS``
  (importing ``talib`` imports pandas when pandas is installed);
* trees: the store's ``NUMPY_TREES`` (the default) against ``LIBRARY_TREES`` (lightgbm, which
  imports scikit-learn, scipy and pandas).

Each run is a fresh process running the CLI's ``main`` (as ``finbot`` does) after choosing
the variant's paths, so every variant pays the same start-up; ``finbot`` itself is timed too
("as shipped"). The variant "TA-Lib, no pandas" hides pandas from the import system of that
one process, to show what TA-Lib would cost once pandas is not installed. Two homes: the demo
home (its bitcoin 1 h model is usually ``naive``: features, no tree) and a copy of its bitcoin
bars with a LightGBM model served for 1 h (``bench_prediction.prepare_home``). Runs are
interleaved across variants, 7 each; the rows give medians of wall time (and of CPU time,
steadier on a shared machine).

    python -m benchmarks.bench_fast_paths            # FINBOT_BENCH_HOME=<home> to reuse one
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import FINBOT, ROOT, load_avg, python, quiet_env, row, trained_home

RUNS = 7
ARGS = ["predict", "--coin", "bitcoin", "--horizon", "1h", "--json"]
# The child: choose the variant's paths, then run the CLI as the ``finbot`` script does.
CHILD = """
import functools, importlib.abc, sys
variant = sys.argv[1]
if "nopandas" in variant:
    class NoPandas(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "pandas":
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None
    sys.meta_path.insert(0, NoPandas())
if "talib" in variant:
    from finbot.prediction import pipeline
    from finbot.prediction.features import TALIB_INDICATORS
    pipeline.predict = functools.partial(pipeline.predict, indicators=TALIB_INDICATORS)
if "library" in variant:
    from finbot.prediction.models import LIBRARY_TREES, ModelStore
    ModelStore.__init__ = functools.partialmethod(ModelStore.__init__, trees=LIBRARY_TREES)
sys.argv = ["finbot", *sys.argv[2:]]
from finbot.cli.app import main
sys.exit(main())
"""
VARIANTS = {
    "as shipped (finbot)": None,
    "numpy indicators + numpy trees": "fast",
    "TA-Lib indicators": "talib",
    "TA-Lib indicators, no pandas": "talib-nopandas",
    "library trees": "library",
    "TA-Lib + library trees": "talib-library",
}


def _command(variant: str | None, home: Path) -> list[str]:
    if variant is None:
        return [str(FINBOT), "--home", str(home), *ARGS]
    return [python(), "-c", CHILD, variant, "--home", str(home), *ARGS]


def _timed(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system) and stdout of one run. CPU time is the
    steadier measure on a shared machine: waiting for a core does not count."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"finbot predict failed ({done.returncode}): {done.stderr[-1500:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return seconds, cpu, done.stdout


def cold_medians(home: Path, runs: int = RUNS) -> tuple[dict[str, float], dict[str, float]]:
    """Median wall and CPU seconds of a cold predict per variant (runs interleaved)."""
    env = {**os.environ, **quiet_env(home)}
    wall: dict[str, list[float]] = {name: [] for name in VARIANTS}
    cpu: dict[str, list[float]] = {name: [] for name in VARIANTS}
    answers: dict[str, str] = {}
    for _ in range(runs):
        for name, variant in VARIANTS.items():
            seconds, cpu_seconds, answers[name] = _timed(_command(variant, home), env)
            wall[name].append(seconds)
            cpu[name].append(cpu_seconds)
    if len(set(answers.values())) > 1:
        sys.stderr.write("note: the variants' answers differ (float noise in the last digits)\n")
    return (
        {name: round(statistics.median(v), 3) for name, v in wall.items()},
        {name: round(statistics.median(v), 3) for name, v in cpu.items()},
    )


def _rows(
    label: str,
    medians: tuple[dict[str, float], dict[str, float]],
    pairs: list[tuple[str, str, str]],
) -> list[Any]:
    wall, cpu = medians
    extra = {"runs": RUNS, "load_avg": load_avg(), "wall_medians_s": wall, "cpu_medians_s": cpu}
    return [
        row(
            f"fast paths: cold predict, {label}: {ours} vs {base}",
            wall[ours],
            wall[base],
            "s",
            target,
            wall[ours] <= wall[base],
            baseline_is=base,
            cpu_s=cpu[ours],
            cpu_baseline_s=cpu[base],
            **extra,
        )
        for ours, base, target in pairs
    ]


def run() -> list[dict[str, Any]]:
    from benchmarks.bench_prediction import prepare_home

    source = trained_home()
    demo = _rows(
        "demo home (naive model)",
        cold_medians(source),
        [
            ("numpy indicators + numpy trees", "TA-Lib indicators", "<= TA-Lib"),
            ("numpy indicators + numpy trees", "TA-Lib indicators, no pandas", "reference only"),
        ],
    )
    tmp = Path(tempfile.mkdtemp(prefix="finbot-bench-fast-"))
    try:
        home = tmp / "home"
        prepare_home(source, home)
        trees = _rows(
            "LightGBM model",
            cold_medians(home),
            [
                ("numpy indicators + numpy trees", "library trees", "<= library trees"),
                ("numpy indicators + numpy trees", "TA-Lib + library trees", "<= library paths"),
            ],
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [*demo, *trees]


if __name__ == "__main__":
    for result in run():
        print(result)
