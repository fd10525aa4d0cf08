"""What one served dashboard holds: the home's services, the guard, the live poller and the
retrain worker (kept on ``app.state``, no module globals)."""

from __future__ import annotations

import logging
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from finbot.i18n import N_, Message, failure_line
from finbot.services import Services
from finbot.web.live import Broadcaster
from finbot.web.security import Guard

log = logging.getLogger(__name__)


@dataclass
class Retrainer:
    """The authenticated "retrain" action: one coin × horizon at a time, in a worker thread."""

    services: Services
    running: tuple[str, str] | None = None
    last: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, coin: str, horizon: str) -> bool:
        """Start retraining; False when one is already running."""
        with self._lock:
            if self.running is not None:
                return False
            self.running = (coin, horizon)
        threading.Thread(target=self._run, args=(coin, horizon), daemon=True).start()
        return True

    def _run(self, coin: str, horizon: str) -> None:
        from finbot.ops.training import train_sets

        result: dict[str, Any] = {"coin": coin, "horizon": horizon}
        try:
            with Services(self.services.paths, self.services.settings) as services:
                result["trained"] = train_sets(services, [(coin, horizon)])
        except Exception as exc:  # noqa: BLE001 - reported on the page, never kills the server
            error = failure_line(exc)
            line = Message(
                N_("retrain {coin} {horizon} failed: {error}"),
                coin=coin,
                horizon=horizon,
                error=error,
            )
            log.warning("%s", line)
            result["error"] = error
        with self._lock:
            self.running, self.last = None, result

    def state(self) -> dict[str, Any]:
        with self._lock:
            running = None if self.running is None else list(self.running)
            return {"running": running, "last": dict(self.last)}


@dataclass
class DashboardState:
    services: Services
    guard: Guard
    live: Broadcaster
    trainer: Retrainer
    lang: str
    _exports: Path | None = None

    def export_dir(self) -> Path:
        """A private folder for the tracker's CSV/Excel exports (created on first use)."""
        if self._exports is None:
            self._exports = Path(tempfile.mkdtemp(prefix="finbot-export-"))
        return self._exports


def state_of(app: FastAPI) -> DashboardState:
    state: DashboardState = app.state.finbot
    return state
