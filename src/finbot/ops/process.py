"""One bot per home: a PID file, an exclusive lock, background start, graceful stop.

The lock (``run/finbot.lock``, an OS file lock through ``filelock``: ``fcntl`` on Unix,
``msvcrt`` on Windows) is the truth: the OS drops it when its holder dies, however it dies.
The PID file (``run/finbot.pid``) only says *who* holds it; a PID file next to a free lock was
left by a crash and is cleaned. The foreground bot turns SIGTERM/SIGINT (CTRL_BREAK on Windows)
into an orderly stop: the scheduler waits for the running job (the current write finishes),
logs are flushed, the lock released and the PID file removed.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout

from finbot.clock import Clock, SystemClock
from finbot.errors import AlreadyRunning, FinbotError
from finbot.i18n import N_, Message
from finbot.paths import Paths

if TYPE_CHECKING:
    from finbot.ops.scheduler import JobSpec
    from finbot.services import Services

log = logging.getLogger("finbot.process")
STALE_PID = N_("stale PID file cleaned")
DAEMON_OUT = "daemon.out"


def read_pid(paths: Paths) -> int | None:
    """The PID written in the PID file, or None (absent or unreadable)."""
    try:
        return int(paths.pid_file.read_text("ascii").strip())
    except (OSError, ValueError):
        return None


def pid_alive(pid: int) -> bool:
    import psutil

    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


@dataclass(frozen=True)
class LockState:
    running: bool
    pid: int | None
    stale_pid: int | None = None  # a PID file with a free lock: a crash left it


def probe(paths: Paths) -> LockState:
    """Is a bot running for this home? Takes the lock for an instant to find out."""
    if not paths.lock_file.exists():
        pid = read_pid(paths)
        return LockState(False, None, pid)
    lock = FileLock(str(paths.lock_file), thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return LockState(True, read_pid(paths))
    try:
        return LockState(False, None, read_pid(paths))
    finally:
        lock.release()


class InstanceLock:
    """The exclusive lock and PID file of one home, held by the running bot."""

    def __init__(self, paths: Paths, *, timeout: float = 2.0) -> None:
        self.paths = paths
        self.timeout = timeout
        self._lock: FileLock | None = None
        self.stale_pid: int | None = None

    def acquire(self) -> InstanceLock:
        """Take the lock or raise AlreadyRunning(pid); clean a stale PID file on the way."""
        self.paths.run_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.paths.lock_file), thread_local=False)
        try:
            lock.acquire(timeout=self.timeout)
        except Timeout:
            raise AlreadyRunning(read_pid(self.paths)) from None
        previous = read_pid(self.paths)
        if previous is not None and previous != os.getpid():
            self.stale_pid = previous
            log.warning("%s", Message(STALE_PID), extra={"stale_pid": previous})
        tmp = self.paths.pid_file.with_suffix(".tmp")
        tmp.write_text(str(os.getpid()), "ascii")
        os.replace(tmp, self.paths.pid_file)
        self._lock = lock
        return self

    def release(self) -> None:
        """Remove our PID file, then free the lock (in that order: no window with a stale file)."""
        if self._lock is None:
            return
        if read_pid(self.paths) == os.getpid():
            self.paths.pid_file.unlink(missing_ok=True)
        self._lock.release()
        self._lock = None

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, *_exc: object) -> None:
        self.release()


def clean_stale(paths: Paths) -> int | None:
    """Remove a PID file whose lock is free; returns the stale PID it named."""
    state = probe(paths)
    if state.running or not paths.pid_file.exists():
        return None
    paths.pid_file.unlink(missing_ok=True)
    log.warning("%s", Message(STALE_PID), extra={"stale_pid": state.stale_pid})
    return state.stale_pid


# ------------------------------------------------------------------ stop
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
        raise FinbotError(f"the lock {paths.lock_file} is held but no PID file names its holder")
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
        f"finbot (PID {state.pid}) did not stop within {timeout:.0f} s (a job is still "
        "finishing); wait and retry, or use --force"
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


# ------------------------------------------------------------------ background start
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
        f"the bot (PID {proc.pid}) did not take the lock within {timeout:.0f} s; see {out_path}"
    )


def _startup_failure(code: int, out_path: Path, state: LockState) -> str:
    if state.running:
        return str(AlreadyRunning(state.pid))
    tail = out_path.read_text("utf-8", errors="replace").strip().splitlines()[-1:] or [""]
    return f"the bot exited at start (code {code}): {tail[0]} (see {out_path})"


# ------------------------------------------------------------------ foreground run
@contextmanager
def stop_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM, SIGINT (and SIGBREAK on Windows) set ``stop`` instead of killing mid-write."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = ("SIGTERM", "SIGINT", "SIGBREAK")
    wanted = [getattr(signal, n) for n in names if hasattr(signal, n)]

    def handler(signum: int, _frame: FrameType | None) -> None:
        log.info("%s", Message(N_("stop requested")), extra={"signal": signal.Signals(signum).name})
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in wanted}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_foreground(
    services: Services,
    *,
    extra_jobs: Sequence[JobSpec] = (),
    jobs: Sequence[JobSpec] | None = None,
    stop: threading.Event | None = None,
    on_ready: Callable[[InstanceLock], None] | None = None,
) -> None:
    """Run the bot here until a stop signal: lock, anti-sleep, scheduler; all undone on exit.

    ``jobs`` replaces the bot's own job list (library use, tests); ``extra_jobs`` adds to it.
    The jobs build their own services from the home path; ``services`` (its settings, base
    URL and database) sets up this process.

    The lock is always taken (whatever ``process.single_instance_lock`` says): it is how
    ``status`` and ``stop`` find the bot, and two schedulers on one database would run every
    job twice.
    """
    from finbot.ops.alert_senders import close_senders, tell_stopped
    from finbot.ops.anti_sleep_win import keep_awake
    from finbot.ops.scheduler import job_specs

    stop = stop or threading.Event()
    lock = InstanceLock(services.paths)
    with stop_signals(stop), lock:
        with keep_awake(enabled=services.settings.general.process.anti_sleep):
            base = job_specs(services) if jobs is None else jobs
            try:
                _schedule(services, [*base, *extra_jobs], stop, lambda: _ready(on_ready, lock))
            except Exception as exc:  # the bot stops on an error: say so on the channels
                tell_stopped(services, f"{type(exc).__name__}: {exc}")
                raise
            finally:
                close_senders(services)
        log.info("%s", Message(N_("finbot stopped")), extra={"pid": os.getpid()})
    for handler in logging.getLogger().handlers:
        handler.flush()


def _ready(on_ready: Callable[[InstanceLock], None] | None, lock: InstanceLock) -> None:
    if on_ready is not None:
        on_ready(lock)


def _schedule(
    services: Services, specs: list[JobSpec], stop: threading.Event, ready: Callable[[], None]
) -> None:
    """Run the scheduler with ``specs`` until ``stop``; the running jobs finish on the way out."""
    from finbot.ops.scheduler import start_scheduler

    scheduler = start_scheduler(services, specs)
    log.info("%s", Message(N_("finbot started")), extra={"pid": os.getpid(), "jobs": len(specs)})
    try:
        ready()
        while not stop.wait(0.5):
            continue
    finally:
        log.info("%s", Message(N_("stopping: waiting for running jobs to finish")))
        scheduler.shutdown(wait=True)
