"""Control of the bot from another process: the background start (detached from the terminal,
its PID returned once it holds the lock) and the graceful stop (SIGTERM, or CTRL_BREAK on
Windows; wait for the lock to be released; ``force`` kills). The lock and PID file are
``finbot.ops.process``'s.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from finbot.clock import Clock, SystemClock
from finbot.errors import AlreadyRunning, FinbotError
from finbot.i18n import N_, Message, error_message
from finbot.ops.process import LockState, clean_stale, probe
from finbot.paths import Paths

DAEMON_OUT = "daemon.out"


@dataclass(frozen=True)
class StopResult:
    stopped_pid: int | None
    stale_pid: int | None


def send_terminate(pid: int) -> None:
    """SIGTERM on Unix; CTRL_BREAK (the bot runs in its own process group) or terminate on
    Windows."""
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        try:
            os.kill(pid, signal.CTRL_BREAK_EVENT)  # type: ignore[attr-defined]
        except OSError:
            import psutil

            psutil.Process(pid).terminate()
        return
    os.kill(pid, signal.SIGTERM)


def stop_bot(
    paths: Paths, *, timeout: float = 60.0, force: bool = False, clock: Clock | None = None
) -> StopResult:
    """Stop the running bot and wait for it to release the lock; clean a stale PID file."""
    clock = clock or SystemClock()
    state = probe(paths)
    if not state.running:
        return StopResult(None, clean_stale(paths))
    if state.pid is None:
        raise FinbotError(
            N_("the lock {lock} is held but no PID file names its holder"), lock=paths.lock_file
        )
    send_terminate(state.pid)
    if _wait_released(paths, timeout, clock):
        clean_stale(paths)  # the bot removes its PID file; a bot killed mid-way cannot
        return StopResult(state.pid, None)
    if force:
        _kill(state.pid)
        if _wait_released(paths, 10.0, clock):
            clean_stale(paths)
            return StopResult(state.pid, None)
    raise FinbotError(
        N_(
            "finbot (PID {pid}) did not stop within {seconds} s (a job is still finishing); "
            "wait and retry, or use --force"
        ),
        pid=state.pid,
        seconds=round(timeout),
    )


def _wait_released(paths: Paths, timeout: float, clock: Clock) -> bool:
    deadline = clock.now() + timeout
    while clock.now() < deadline:
        if not probe(paths).running:
            return True
        clock.sleep(0.1)
    return not probe(paths).running


def _kill(pid: int) -> None:
    import psutil

    with suppress(psutil.NoSuchProcess):
        psutil.Process(pid).kill()


def daemon_command(paths: Paths, base_url: str | None) -> list[str]:
    """The command line of the background bot: this interpreter, this home, the foreground."""
    cmd = [
        sys.executable,
        "-m",
        "finbot",
        "--home",
        str(paths.home),
        "start",
        "--foreground",
        "--no-setup",
        "--no-menu",
    ]
    return cmd + (["--base-url", base_url] if base_url else [])


def spawn_background(
    paths: Paths, base_url: str | None = None, *, timeout: float = 60.0, clock: Clock | None = None
) -> int:
    """Start the bot detached from this terminal; return its PID once it holds the lock."""
    from finbot.ops.logs import DAEMON_ENV

    clock = clock or SystemClock()
    state = probe(paths)
    if state.running:
        raise AlreadyRunning(state.pid)
    paths.logs_dir.mkdir(parents=True, exist_ok=True)
    out_path = paths.logs_dir / DAEMON_OUT
    with open(out_path, "wb") as out:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen(
            daemon_command(paths, base_url),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, DAEMON_ENV: "1"},
            **_detach_kwargs(),
        )
    return _wait_started(paths, proc, out_path, timeout, clock)


def _detach_kwargs() -> dict[str, Any]:
    if os.name == "nt":  # pragma: no cover - Windows only
        group = subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
        flags = group | subprocess.DETACHED_PROCESS  # type: ignore[attr-defined]
        return {"creationflags": flags}
    return {"start_new_session": True}


def _wait_started(
    paths: Paths, proc: subprocess.Popen[bytes], out_path: Path, timeout: float, clock: Clock
) -> int:
    deadline = clock.now() + timeout
    while clock.now() < deadline:
        state = probe(paths)
        if state.running and state.pid == proc.pid:
            return proc.pid
        code = proc.poll()
        if code is not None:
            raise FinbotError(_startup_failure(code, out_path, state))
        clock.sleep(0.1)
    raise FinbotError(
        N_("the bot (PID {pid}) did not take the lock within {seconds} s; see {log}"),
        pid=proc.pid,
        seconds=round(timeout),
        log=out_path,
    )


def _startup_failure(code: int, out_path: Path, state: LockState) -> Message:
    if state.running:  # the line of AlreadyRunning, translated where it is shown
        return Message("{line}", line=error_message(AlreadyRunning(state.pid)))
    tail = out_path.read_text("utf-8", errors="replace").strip().splitlines()[-1:] or [""]
    return Message(
        N_("the bot exited at start (code {code}): {line} (see {log})"),
        code=code,
        line=tail[0],
        log=out_path,
    )
