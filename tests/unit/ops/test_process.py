"""PID file + exclusive lock, stale PID cleaning, background start and stop, stop signals,
foreground run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from finbot.errors import AlreadyRunning, FinbotError
from finbot.ops import bot_control, foreground, process
from finbot.ops.scheduler import interval_job
from finbot.paths import Paths
from finbot.services import Services

pytestmark = pytest.mark.unit
DEAD_PID = 2**22 + 12345  # above the default pid_max: never a live process


def test_acquire_writes_pid_and_release_removes_it(home: Paths) -> None:
    lock = process.InstanceLock(home).acquire()
    assert process.read_pid(home) == os.getpid()
    assert process.probe(home) == process.LockState(True, os.getpid())
    lock.release()
    assert not home.pid_file.exists()
    assert process.probe(home).running is False
    lock.release()  # twice is harmless


def test_second_holder_is_refused_with_the_pid(home: Paths) -> None:
    with process.InstanceLock(home), pytest.raises(AlreadyRunning) as info:
        process.InstanceLock(home, timeout=0.05).acquire()
    assert info.value.pid == os.getpid()
    assert str(os.getpid()) in str(info.value)


def test_stale_pid_file_is_cleaned_and_reported(home: Paths) -> None:
    home.pid_file.write_text(str(DEAD_PID))
    assert process.probe(home) == process.LockState(False, None, DEAD_PID)
    with process.InstanceLock(home) as lock:
        assert lock.stale_pid == DEAD_PID
        assert process.read_pid(home) == os.getpid()


@pytest.mark.parametrize("content, expected", [("123", 123), ("", None), ("abc", None)])
def test_read_pid(home: Paths, content: str, expected: int | None) -> None:
    home.pid_file.write_text(content)
    assert process.read_pid(home) == expected


def test_read_pid_absent(home: Paths) -> None:
    assert process.read_pid(home) is None


def test_pid_alive() -> None:
    assert process.pid_alive(os.getpid())
    assert not process.pid_alive(DEAD_PID)


def test_stop_when_not_running_cleans_a_stale_pid_file(home: Paths) -> None:
    home.pid_file.write_text(str(DEAD_PID))
    home.lock_file.touch()
    result = bot_control.stop_bot(home, timeout=1)
    assert result == bot_control.StopResult(None, DEAD_PID)
    assert not home.pid_file.exists()
    assert bot_control.stop_bot(home, timeout=1) == bot_control.StopResult(None, None)


def test_stop_refuses_a_lock_without_pid_file(home: Paths) -> None:
    with process.InstanceLock(home):
        home.pid_file.unlink()
        with pytest.raises(FinbotError, match="no PID file"):
            bot_control.stop_bot(home, timeout=1)


def _holder(home: Paths, ignore_term: bool) -> subprocess.Popen[str]:
    code = (
        "import signal, sys, time\n"
        "from finbot.ops.process import InstanceLock\nfrom finbot.paths import Paths\n"
        f"{'signal.signal(signal.SIGTERM, signal.SIG_IGN)' if ignore_term else ''}\n"
        f"lock = InstanceLock(Paths.resolve({str(home.home)!r})).acquire()\n"
        "print('ready', flush=True)\ntime.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


@pytest.mark.parametrize("ignore_term", [False, True])
def test_stop_terminates_or_reports_and_force_kills(home: Paths, ignore_term: bool) -> None:
    proc = _holder(home, ignore_term)
    try:
        if ignore_term:
            with pytest.raises(FinbotError, match="did not stop"):
                bot_control.stop_bot(home, timeout=1)
            result = bot_control.stop_bot(home, timeout=1, force=True)
        else:
            result = bot_control.stop_bot(home, timeout=10)
        assert result.stopped_pid == proc.pid
        assert process.probe(home).running is False
        assert not home.pid_file.exists()
    finally:
        proc.kill()
        proc.wait()


def test_startup_failure_message_quotes_the_last_output_line(tmp_path: Path) -> None:
    out = tmp_path / "daemon.out"
    out.write_text("Traceback...\nConfigError: settings.json: bad\n")
    message = bot_control._startup_failure(2, out, process.LockState(False, None))
    assert "code 2" in message and "ConfigError: settings.json: bad" in message
    assert "already running (PID 42)" in bot_control._startup_failure(
        1, out, process.LockState(True, 42)
    )


def test_daemon_command_runs_the_foreground_of_the_same_home(home: Paths) -> None:
    cmd = bot_control.daemon_command(home, "http://127.0.0.1:1/api/v3")
    assert cmd[:3] == [sys.executable, "-m", "finbot"]
    assert cmd[cmd.index("--home") + 1] == str(home.home)
    assert {"start", "--foreground", "--no-setup", "--no-menu"} <= set(cmd)
    assert cmd[-2:] == ["--base-url", "http://127.0.0.1:1/api/v3"]
    assert "--base-url" not in bot_control.daemon_command(home, None)


def test_spawn_refuses_when_already_running(home: Paths) -> None:
    with process.InstanceLock(home), pytest.raises(AlreadyRunning):
        bot_control.spawn_background(home)


def test_stop_signals_set_the_event_and_restore_handlers() -> None:
    stop = threading.Event()
    before = signal.getsignal(signal.SIGTERM)
    with foreground.stop_signals(stop):
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.wait(2)
    assert signal.getsignal(signal.SIGTERM) is before


def test_stop_signals_outside_the_main_thread_do_nothing() -> None:
    seen: list[bool] = []

    def body() -> None:
        with foreground.stop_signals(threading.Event()):
            seen.append(True)

    worker = threading.Thread(target=body)
    worker.start()
    worker.join()
    assert seen == [True]


def test_run_foreground_locks_runs_jobs_and_cleans_up(
    settings, home: Paths, tmp_path: Path
) -> None:
    marker = tmp_path / "runs"
    job = interval_job(
        "tick", "tests.fixtures.ops_jobs:count_run", 60, (str(marker),), run_at_start=True
    )
    stop = threading.Event()
    seen: list[int | None] = []

    def ready(_lock: process.InstanceLock) -> None:
        seen.append(process.read_pid(home))
        threading.Thread(target=_stop_after_first_run, args=(marker, stop)).start()

    services = Services(home, settings)
    foreground.run_foreground(services, jobs=[], extra_jobs=[job], stop=stop, on_ready=ready)
    assert seen == [os.getpid()]
    assert marker.read_text().count("\n") == 1
    assert not home.pid_file.exists() and process.probe(home).running is False


def _stop_after_first_run(marker: Path, stop: threading.Event) -> None:
    for _ in range(100):
        if marker.exists():
            break
        threading.Event().wait(0.05)
    stop.set()
