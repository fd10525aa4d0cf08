"""``finbot evaluate --coin all`` at 1h, 6h and 12h on the shared real hourly data, as a user
runs it: the CSV files imported into a fresh home (``finbot import-csv``), then one real
process, wall time measured (one run: it is minutes long, and deterministic). Target: 10
minutes on 2 cores (issue 11's speed goal).

    python -m benchmarks.run bench_evaluate
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import load_avg, row
from benchmarks.quality import COINS, DATA, HORIZONS, TIMEFRAME

TARGET_S = 600.0


def _finbot(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "finbot", "--home", str(home), "--lang", "en", *args]
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=3600)


def _import(home: Path) -> None:
    for coin in COINS:
        path = DATA / f"{coin}_{TIMEFRAME}.csv"
        _finbot(
            home,
            "import-csv",
            str(path),
            "--coin",
            coin,
            "--timeframe",
            TIMEFRAME,
            "--volume-unit",
            "base",
            "--source",
            "binance",
        )


def run() -> list[dict[str, Any]]:
    if not all((DATA / f"{c}_{TIMEFRAME}.csv").is_file() for c in COINS):
        raise FileNotFoundError(f"{DATA}: the shared real hourly data is needed")
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        _import(home)
        horizons = [arg for h in HORIZONS for arg in ("--horizon", h)]
        load = load_avg()
        start = time.perf_counter()
        _finbot(home, "evaluate", "--coin", "all", "--timeframe", TIMEFRAME, *horizons, "--json")
        seconds = time.perf_counter() - start
    return [
        row(
            f"evaluate --coin all ({len(COINS)} coins × {len(HORIZONS)} horizons, 1h bars)",
            round(seconds, 1),
            None,
            "s",
            f"<= {TARGET_S:.0f} s on 2 cores",
            seconds <= TARGET_S,
            load_before=load,
            load_after=load_avg(),
        )
    ]
