"""Keep the machine awake while the bot runs (the spec's ``anti_sleep_win``).

On Windows, ``SetThreadExecutionState(ES_CONTINUOUS | ES_SYSTEM_REQUIRED)`` tells the power
manager the system is in use; ``SetThreadExecutionState(ES_CONTINUOUS)`` gives that back on
stop. On Linux, ``systemd-inhibit`` (when present) holds a sleep inhibitor for as long as a
child ``sleep`` lives. Elsewhere it does nothing and says so.
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from finbot.i18n import N_, Message

log = logging.getLogger("finbot.anti_sleep")

ES_CONTINUOUS = 0x80000000
ES_SYSTEM_REQUIRED = 0x00000001


def _kernel32() -> Any | None:
    windll = getattr(ctypes, "windll", None)
    return None if windll is None else windll.kernel32


class AntiSleep:
    """Holds the machine awake between ``acquire()`` and ``release()``; a context manager.

    ``mode`` says what it did: ``windows``, ``systemd-inhibit`` or ``none``.
    """

    def __init__(self, *, use_systemd: bool = True) -> None:
        self.use_systemd = use_systemd
        self.mode = "none"
        self._inhibitor: subprocess.Popen[bytes] | None = None

    def acquire(self) -> AntiSleep:
        kernel32 = _kernel32()
        if kernel32 is not None:
            if not kernel32.SetThreadExecutionState(ES_CONTINUOUS | ES_SYSTEM_REQUIRED):
                log.warning(
                    "%s", Message(N_("SetThreadExecutionState refused; the machine may sleep"))
                )
                return self
            self.mode = "windows"
        elif self.use_systemd and sys.platform.startswith("linux") and self._inhibit():
            self.mode = "systemd-inhibit"
        else:
            log.info("%s", Message(N_("anti-sleep: nothing to do on this platform (no-op)")))
            return self
        log.info("%s", Message(N_("anti-sleep on")), extra={"mode": self.mode})
        return self

    def _inhibit(self) -> bool:
        tool = shutil.which("systemd-inhibit")
        if tool is None:
            return False
        cmd = [
            tool,
            "--what=sleep:idle",
            "--who=finbot",
            "--why=collecting market data",
            "--mode=block",
            "sleep",
            "infinity",
        ]
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            proc.wait(timeout=0.3)  # no bus / no permission: it exits at once
        except subprocess.TimeoutExpired:
            self._inhibitor = proc
            return True
        return False

    def release(self) -> None:
        if self.mode == "windows":
            kernel32 = _kernel32()
            if kernel32 is not None:
                kernel32.SetThreadExecutionState(ES_CONTINUOUS)
        if self._inhibitor is not None:
            self._inhibitor.terminate()
            self._inhibitor.wait(timeout=5)
            self._inhibitor = None
        if self.mode != "none":
            log.info("%s", Message(N_("anti-sleep off")), extra={"mode": self.mode})
        self.mode = "none"

    def __enter__(self) -> AntiSleep:
        return self.acquire()

    def __exit__(self, *_exc: object) -> None:
        self.release()


@contextmanager
def keep_awake(enabled: bool = True) -> Iterator[AntiSleep]:
    """The bot's anti-sleep for the duration of the block (``process.anti_sleep`` setting)."""
    guard = AntiSleep(use_systemd=os.environ.get("FINBOT_NO_INHIBIT") != "1")
    if not enabled:
        yield guard
        return
    with guard:
        yield guard
