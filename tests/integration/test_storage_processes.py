"""Writers in separate processes: the partition lock serialises them, and SIGKILL at random
moments during writes never leaves a partial, unreadable or duplicated file."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import polars as pl
import pytest

from finbot.storage.parquet_writer import BarStore
from tests.fixtures.storage import HOUR_MS, JAN_2024_MS, make_bars

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from finbot.storage.parquet_writer import BarStore
    from tests.fixtures.storage import make_bars, HOUR_MS, JAN_2024_MS
    root = Path(sys.argv[1])
    offset, count, seed = (int(a) for a in sys.argv[2:5])
    store = BarStore(root)
    bars = make_bars(count, start_ms=JAN_2024_MS + offset * HOUR_MS, seed=seed)
    print("ready", flush=True)
    for i in range(count):
        store.upsert("bitcoin", "1h", bars.slice(i, 1))
""")


def _writer(root: Path, offset: int, count: int, seed: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(root), str(offset), str(count), str(seed)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


def _expected(offsets: list[tuple[int, int, int]]) -> pl.DataFrame:
    return pl.concat(
        [make_bars(n, start_ms=JAN_2024_MS + off * HOUR_MS, seed=seed) for off, n, seed in offsets]
    ).sort("ts")


def test_two_processes_writing_one_partition_end_with_the_union(tmp_path: Path) -> None:
    root = tmp_path / "parquet"
    plan = [(0, 25, 1), (25, 25, 2)]
    writers = [_writer(root, *job) for job in plan]
    for proc in writers:
        assert proc.wait(timeout=120) == 0
    store = BarStore(root)
    assert store.read("bitcoin", "1h").equals(_expected(plan))
    assert store.verify().ok


@pytest.mark.slow
def test_sigkill_during_writes_never_corrupts(tmp_path: Path) -> None:
    """Kill a writer at random moments (seeded); after each kill every file is readable,
    unique and a prefix of what was being written."""
    root = tmp_path / "parquet"
    rng = random.Random(20240101)
    kills = 0
    for round_ in range(6):
        proc = _writer(root, 0, 200, seed=7)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.4))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        proc.stdout.close()
        store = BarStore(root)
        report = store.verify()
        assert report.ok, (round_, report.problems)
        stored = store.read("bitcoin", "1h")
        expected = make_bars(200, seed=7).head(stored.height)
        assert stored.equals(expected), round_
    assert kills >= 3
    final = BarStore(root)
    final.upsert("bitcoin", "1h", make_bars(200, seed=7))  # the next run cleans up and resumes
    assert final.read("bitcoin", "1h").height == 200
    assert not list(root.rglob("*.tmp"))


def test_reader_process_sees_whole_files_while_another_writes(tmp_path: Path) -> None:
    root = tmp_path / "parquet"
    store = BarStore(root)
    store.upsert("bitcoin", "1h", make_bars(1, seed=3))
    proc = _writer(root, 1, 60, seed=3)
    heights = []
    while proc.poll() is None:
        heights.append(store.read("bitcoin", "1h").height)
    assert proc.wait(timeout=60) == 0
    assert heights == sorted(heights)
    assert store.read("bitcoin", "1h").height == 61
    assert store.last_ts("bitcoin", "1h") == JAN_2024_MS + 60 * HOUR_MS
