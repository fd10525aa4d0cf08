"""``make bench``: run every ``benchmarks/bench_*.py`` (each exposes ``run() -> list[row]``),
print one table, and write ``benchmarks/results.json`` with machine info and versions."""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent
LIBRARIES = (
    "numpy",
    "polars",
    "pyarrow",
    "scikit-learn",
    "lightgbm",
    "xgboost",
    "ta-lib",
    "httpx",
    "apscheduler",
    "sqlalchemy",
)


def _machine() -> dict[str, Any]:
    import psutil

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
    }


def _versions() -> dict[str, str]:
    from finbot.prediction.models.model_store import library_versions

    return library_versions(LIBRARIES)


def _modules(selected: list[str]) -> list[str]:
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    return [n for n in names if not selected or any(s in n for s in selected)]


def main(argv: list[str]) -> int:
    console = Console(stderr=True)
    rows: list[dict[str, Any]] = []
    failures: list[str] = []
    for name in _modules(argv):
        console.print(f"[bold]running {name}[/bold]")
        start = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.{name}")
            rows.extend(module.run())
        except Exception as exc:  # a broken benchmark is reported, the others still run
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
            console.print(f"[red]{name} failed: {exc}[/red]")
        console.print(f"  {name} took {time.perf_counter() - start:.1f} s")
    result = {
        "machine": _machine(),
        "versions": _versions(),
        "benchmarks": rows,
        "failures": failures,
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if not argv:
        (HERE / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    table = Table(title="finbot benchmarks (median of >= 5 runs)")
    for col in ("benchmark", "ours", "baseline", "unit", "ratio", "target", "met"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["name"],
            f"{r['ours']:g}",
            "-" if r["baseline"] is None else f"{r['baseline']:g}",
            r["unit"],
            "-" if r["ratio"] is None else f"{r['ratio']:.3g}",
            r["target"],
            "yes" if r["met"] else "NO",
        )
    Console(width=max(Console().width, 150)).print(table)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
