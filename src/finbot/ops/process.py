"""One bot per home: a PID file and an exclusive lock.

The lock (``run/finbot.lock``, an OS file lock through ``filelock``: ``fcntl`` on Unix,
``msvcrt`` on Windows) is the truth: the OS drops it when its holder dies, however it dies.
The PID file (``run/finbot.pid``) only says *who* holds it; a PID file next to a free lock was
left by a crash and is cleaned. The foreground bot (``ops.foreground``) turns SIGTERM/SIGINT
(CTRL_BREAK on Windows) into an orderly stop: the scheduler waits for the running job (the
current write finishes), logs are flushed, the lock released and the PID file removed. The
background start and the stop from another process are ``ops.bot_control``'s.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from filelock import FileLock, Timeout

from finbot.errors import AlreadyRunning
from finbot.i18n import N_, Message
from finbot.paths import Paths

log = logging.getLogger("finbot.process")
STALE_PID = N_("stale PID file cleaned")


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
