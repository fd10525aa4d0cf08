"""The bot as real processes: background start, status from another process, refusal of a
second start, graceful stop (the running job finishes), stale PID files, ``src/main.py``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from finbot.ops.process import probe, read_pid
from finbot.paths import Paths
from tests.fixtures.ops import REPO

pytestmark = [pytest.mark.integration, pytest.mark.slow]
DEAD_PID = 4206942


def _status(run_finbot, paths: Paths) -> dict:
    result = run_finbot(paths, "status", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_start_status_refuse_stop(offline_home: Paths, run_finbot, bot_guard: list) -> None:
    bot_guard.append(offline_home)
    offline_home.pid_file.write_text(str(DEAD_PID))  # a crash left this behind
    started = run_finbot(offline_home, "start", "--no-setup", "--no-menu")
    assert started.returncode == 0, started.stderr
    pid = read_pid(offline_home)
    assert pid and pid != DEAD_PID and f"PID {pid}" in started.stdout

    status = _status(run_finbot, offline_home)
    assert status["running"] is True and status["pid"] == pid
    ids = {job["id"] for job in status["jobs"]}
    assert {"prices", "fx", "train_micro", "retention"} <= ids

    again = run_finbot(offline_home, "demarrer", "--no-setup", "--no-menu")
    assert again.returncode == 1
    assert f"already running (PID {pid})" in again.stderr

    stopped = run_finbot(offline_home, "stop")
    assert stopped.returncode == 0 and f"PID {pid}" in stopped.stdout
    status = _status(run_finbot, offline_home)
    assert status["running"] is False and status["pid"] is None
    assert not offline_home.pid_file.exists()
    log_lines = (offline_home.logs_dir / "finbot.log").read_text("utf-8").splitlines()
    events = [json.loads(line) for line in log_lines]
    assert any(
        e["event"] == "stale PID file cleaned" and e["stale_pid"] == DEAD_PID for e in events
    )
    assert any(e["event"] == "finbot stopped" and e["pid"] == pid for e in events)


def test_a_bot_that_cannot_start_is_reported(offline_home: Paths, run_finbot) -> None:
    (offline_home.config_dir / "coins.json").write_text("[]")
    result = run_finbot(offline_home, "start", "--no-setup", "--no-menu")
    assert result.returncode == 2
    assert "coins" in result.stderr
    assert not probe(offline_home).running


_SLOW_BOT = """
import sys
from finbot.ops.logs import setup_logging
from finbot.ops.foreground import run_foreground
from finbot.ops.scheduler import interval_job
from finbot.paths import Paths
from finbot.services import Services

paths = Paths.resolve(sys.argv[1])
setup_logging(paths, console=False)
job = interval_job("slow", "tests.fixtures.ops_jobs:slow_write", 3600,
                   (sys.argv[2], 20, 0.1), run_at_start=True)
run_foreground(Services(paths), jobs=[job])
"""


def test_sigterm_lets_the_running_job_finish(
    offline_home: Paths, tmp_path: Path, bot_guard: list
) -> None:
    bot_guard.append(offline_home)
    target = tmp_path / "out.txt"
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_BOT, str(offline_home.home), str(target)],
        cwd=REPO,
        env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 60
        while not Path(str(target) + ".started").exists():
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.05)
        assert probe(offline_home).pid == proc.pid
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
    assert target.read_text().count("chunk") == 20  # the write finished, whole
    assert not target.with_suffix(".part").exists()
    assert not offline_home.pid_file.exists() and not probe(offline_home).running


def test_spec_entry_point_works_from_the_repository(offline_home: Paths) -> None:
    result = subprocess.run(
        [sys.executable, "src/main.py", "--home", str(offline_home.home), "etat", "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": ""},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["running"] is False


def test_package_module_is_the_same_cli(offline_home: Paths) -> None:
    # The spec's ``src/ops/cli.py`` is ``finbot.cli`` (README maps spec names to ours).
    result = subprocess.run(
        [sys.executable, "-m", "finbot", "--home", str(offline_home.home), "--lang", "fr", "etat"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "arrêté" in result.stdout


def test_version_prints_the_package_version_and_writes_nothing(tmp_path: Path) -> None:
    import finbot

    home = tmp_path / "never-created"
    result = subprocess.run(
        [sys.executable, "-m", "finbot", "--home", str(home), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"finbot {finbot.__version__}"
    assert not home.exists()
