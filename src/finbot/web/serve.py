"""Running the dashboard on uvicorn: in the foreground (``finbot dashboard``) or in a thread of
the bot (``finbot start``). While it serves, ``run/dashboard.json`` says where (``status``)."""

from __future__ import annotations

import threading
import time

from finbot.config import DashboardSettings
from finbot.errors import ConfigError
from finbot.i18n import N_
from finbot.ops.dashboard_url import clear_url, write_url
from finbot.services import Services
from finbot.web.security import ensure_token, is_loopback

STARTUP_SEC = 30.0


def dashboard_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


class DashboardServer:
    """A uvicorn server for one home, started in a thread; ``url`` once listening."""

    def __init__(self, services: Services, settings: DashboardSettings, *, lang: str) -> None:
        import uvicorn

        from finbot.web.app import create_app

        if not settings.host:
            raise ConfigError(N_("dashboard.host: expected an address"))
        token = ensure_token(services.paths)
        self.paths = services.paths
        self.loopback = is_loopback(settings.host)
        config = uvicorn.Config(
            create_app(services, settings, token=token, lang=lang),
            host=settings.host,
            port=settings.port,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=2,
            lifespan="on",
        )
        self.server = uvicorn.Server(config)
        self.thread: threading.Thread | None = None
        self.url = dashboard_url(settings.host, settings.port)

    def _bound_port(self) -> int | None:
        for server in getattr(self.server, "servers", []):
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        return None

    def start(self) -> str:
        """Serve in a daemon thread; the URL once it listens (ConfigError when it cannot)."""
        self.thread = threading.Thread(target=self.server.run, name="dashboard", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + STARTUP_SEC
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise ConfigError(N_("dashboard: could not listen on {url}"), url=self.url)
            time.sleep(0.05)
        port = self._bound_port()
        if port is not None:
            host = self.server.config.host
            self.url = dashboard_url(host, port)
        write_url(self.paths, self.url, loopback=self.loopback)
        return self.url

    def wait(self) -> None:
        """Block until the server stops (Ctrl+C in the foreground)."""
        if self.thread is not None:
            while self.thread.is_alive():
                self.thread.join(0.5)

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(10)
        clear_url(self.paths)
