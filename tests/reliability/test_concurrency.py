"""Issue 7.3: two ``finbot start`` at once (real processes) → exactly one bot; reads while
another process rewrites the same partition → always a whole snapshot; a job that overruns its
interval never runs twice at once."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from finbot.ops.process import probe, read_pid
from finbot.ops.scheduler import build_scheduler
from finbot.paths import Paths
from finbot.storage.db import engine_for
from finbot.storage.parquet_writer import BarStore
from tests.fixtures import ops_jobs
from tests.fixtures.ops import REPO, finbot_cmd
from tests.fixtures.storage import make_bars
from tests.reliability.helpers import report

pytestmark = [pytest.mark.reliability, pytest.mark.slow]


def test_two_starts_at_once_make_exactly_one_bot(
    offline_home: Paths, bot_guard: list, run_finbot
) -> None:
    bot_guard.append(offline_home)
    cmd = finbot_cmd(offline_home, "start", "--no-setup", "--no-menu")
    procs = [
        subprocess.Popen(
            cmd,
            cwd=REPO,
            env=os.environ.copy(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [proc.communicate(timeout=120) for proc in procs]
    codes = sorted(proc.returncode for proc in procs)
    pid = read_pid(offline_home)
    try:
        assert codes == [0, 1], outs
        winner, loser = (outs[0], outs[1]) if procs[0].returncode == 0 else (outs[1], outs[0])
        assert pid is not None and f"PID {pid}" in winner[0]
        error_lines = [line for line in loser[1].splitlines() if line.strip()]
        assert len(error_lines) == 1 and f"already running (PID {pid})" in error_lines[0]
        assert probe(offline_home).running and probe(offline_home).pid == pid
    finally:
        stopped = run_finbot(offline_home, "stop")
    assert stopped.returncode == 0 and not probe(offline_home).running
    report("concurrency (two starts)", {"exit_codes": codes, "running_pid": pid})


WRITER = textwrap.dedent("""
    import os
    import sys
    from pathlib import Path
    from finbot.storage.parquet_writer import BarStore
    from tests.fixtures.storage import make_bars
    store = BarStore(Path(sys.argv[1]))
    versions = [make_bars(600, seed=1), make_bars(600, seed=2)]
    print("ready", flush=True)
    i = 0
    while True:
        store.upsert("bitcoin", "1h", versions[i % 2])
        i += 1
        Path(sys.argv[2] + ".tmp").write_text(str(i))  # atomic: the kill may come any time
        os.replace(sys.argv[2] + ".tmp", sys.argv[2])
""")


def _writes(counter: Path) -> int:
    """The writer's count so far (it replaces the file atomically)."""
    return int(counter.read_text()) if counter.exists() else 0


def test_reads_during_rewrites_are_whole_snapshots(tmp_path: Path) -> None:
    root, counter = tmp_path / "parquet", tmp_path / "writes"
    versions = [make_bars(600, seed=1), make_bars(600, seed=2)]  # same ts, other values
    BarStore(root).upsert("bitcoin", "1h", versions[0])
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(root), str(counter)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    reads, seen = 0, set()
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        store = BarStore(root)
        deadline = time.monotonic() + 60
        while (reads < 150 or len(seen) < 2 or _writes(counter) < 3) and (
            time.monotonic() < deadline
        ):
            frame = store.read("bitcoin", "1h")
            matches = [i for i, v in enumerate(versions) if frame.equals(v)]
            assert len(matches) == 1, "a read mixed two writes or saw a partial file"
            seen.add(matches[0])
            reads += 1
    finally:
        writer.kill()
        writer.wait(timeout=30)
    writes = _writes(counter)
    report(
        "concurrency (reads during rewrites)",
        {"reads": reads, "writes": writes, "versions_seen": sorted(seen)},
    )
    assert seen == {0, 1} and writes > 2 and not list(root.parent.glob("quarantine/**/*.parquet"))
    assert BarStore(root).verify().ok


def test_overrunning_job_never_piles_up(home: Paths, tmp_path: Path) -> None:
    marker = tmp_path / "runs.txt"
    ops_jobs.ACTIVE.update(now=0, max=0)
    scheduler = build_scheduler(engine_for(home.db_url), workers=4)
    scheduler.start(paused=True)
    scheduler.add_job(
        "tests.fixtures.ops_jobs:overrun",
        "interval",
        seconds=0.2,
        args=[str(marker), 0.9],
        id="overrun",
        coalesce=True,
        max_instances=1,
    )
    scheduler.resume()
    time.sleep(3.5)
    scheduler.shutdown(wait=True)
    runs = len(marker.read_text().splitlines()) if marker.exists() else 0
    report(
        "concurrency (overrun)",
        {"interval_s": 0.2, "job_s": 0.9, "runs": runs, "max_parallel": ops_jobs.ACTIVE["max"]},
    )
    assert ops_jobs.ACTIVE["max"] == 1 and 2 <= runs <= 4
