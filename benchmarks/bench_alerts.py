"""Alerts: what queuing an alert costs the job that raises it, against sending it in place,
with a receiver that takes 2 s to answer; and one alert's end-to-end delivery to a loopback
``json://`` receiver (apprise, one HTTP POST, the history row).

    python -m benchmarks.run alerts
"""

from __future__ import annotations

import json
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from benchmarks.common import row

SUBMITS = 200
DELIVERIES = 30
SLOW_S = 2.0


def _server(delay_s: float) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            time.sleep(delay_s)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _sender(url: str, folder: Path, **delivery: Any) -> Any:
    from finbot.alerts import AlertDispatcher, AlertLog
    from finbot.config import AlertSettings
    from finbot.storage import engine_for

    settings = AlertSettings.model_validate({"delivery": delivery})
    log = AlertLog(engine_for(f"sqlite:///{folder / 'finbot.db'}"))
    return AlertDispatcher((url,), settings, log)


def _outgoing(i: int) -> Any:
    from finbot.alerts import Outgoing, probe_alert, render

    title, body = render(probe_alert(), "en")
    return Outgoing(probe_alert(), title, body, i)


def _submit_row(folder: Path) -> dict[str, Any]:
    from finbot.alerts import deliver

    slow = _server(SLOW_S)
    url = f"json://127.0.0.1:{slow.server_address[1]}/"
    sender = _sender(url, folder, queue_size=SUBMITS, timeout_sec=10, max_attempts=1)
    waits = []
    for i in range(SUBMITS):
        start = time.perf_counter()
        sender.submit(_outgoing(i))
        waits.append(time.perf_counter() - start)
    start = time.perf_counter()
    deliver(url, "finbot: test alert", "in place", timeout_s=10)
    in_place = time.perf_counter() - start
    sender.close(0.1)
    slow.shutdown()
    ours = statistics.median(waits) * 1e6
    return row(
        "alerts: a job queues an alert (receiver answering in 2 s)",
        ours,
        in_place * 1e6,
        "µs",
        "<= 1000 µs",
        ours <= 1000,
        runs=SUBMITS,
        baseline_is="sending the same alert in place through apprise",
    )


def _delivery_row(folder: Path) -> dict[str, Any]:
    fast = _server(0.0)
    url = f"json://127.0.0.1:{fast.server_address[1]}/"
    sender = _sender(url, folder, timeout_sec=10, max_attempts=1)
    times = []
    for i in range(DELIVERIES + 1):
        start = time.perf_counter()
        sender.submit(_outgoing(i))
        sender.flush(30)
        times.append(time.perf_counter() - start)
    sender.close()
    fast.shutdown()
    ours = statistics.median(times[1:]) * 1000  # the first pays apprise's import
    return row(
        "alerts: one alert delivered to a loopback json:// receiver, recorded",
        ours,
        None,
        "ms",
        "<= 100 ms",
        ours <= 100,
        runs=DELIVERIES,
    )


def run() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="finbot-bench-alerts-") as tmp:
        folder = Path(tmp)
        (folder / "a").mkdir()
        (folder / "b").mkdir()
        return [_submit_row(folder / "a"), _delivery_row(folder / "b")]
