"""The bot's foreground run: the instance lock, anti-sleep and the scheduler until a stop
signal (SIGTERM/SIGINT, CTRL_BREAK on Windows) asks for an orderly stop: the running jobs
finish, the alert channels are told and closed, logs are flushed, the lock is released.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING

from finbot.i18n import N_, Message
from finbot.ops.process import InstanceLock

if TYPE_CHECKING:
    from finbot.ops.scheduler import JobSpec
    from finbot.services import Services

log = logging.getLogger("finbot.process")


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
