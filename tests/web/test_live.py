"""Live updates: one poller notices a store write and every event stream hears it; the heavy
answers are computed once per update, however many clients ask."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx
import pytest

from finbot.web.live import Broadcaster
from tests.fixtures.dashboard import Served, append_bars

pytestmark = pytest.mark.integration


def read_events(served: Served, out: list[dict[str, Any]], want: int) -> None:
    with httpx.Client(base_url=served.url, timeout=60) as c, c.stream("GET", "/api/v1/events") as r:
        name = None
        for line in r.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                out.append({"event": name, **json.loads(line[6:])})
                if len(out) >= want:
                    return


def test_every_stream_hears_a_write(dashboard: Served) -> None:
    streams: list[list[dict[str, Any]]] = [[], [], []]
    threads = [
        threading.Thread(target=read_events, args=(dashboard, s, 2), daemon=True) for s in streams
    ]
    for t in threads:
        t.start()
    for _ in range(100):
        if all(streams):
            break
        time.sleep(0.05)
    before = dashboard.get_json("/api/v1/bars?coin=bitcoin&timeframe=1h&limit=5000")["count"]
    append_bars(dashboard.paths, "bitcoin", 3, 99)
    for t in threads:
        t.join(30)
    for events in streams:
        assert [e["event"] for e in events] == ["hello", "update"]
        assert "bars" in events[1]["changed"] and events[1]["version"] > events[0]["version"]
    after = dashboard.get_json("/api/v1/bars?coin=bitcoin&timeframe=1h&limit=5000")["count"]
    assert after == before + 3  # the cached answer followed the update


def test_one_build_per_update_for_every_client(trained_home: Any) -> None:
    live = Broadcaster(trained_home, poll_sec=1)
    live.poll_once()
    builds: list[int] = []

    def build() -> int:
        builds.append(1)
        return len(builds)

    for _ in range(20):
        assert live.cached("grid", build) == 1
    assert len(builds) == 1
    assert not live.poll_once()  # nothing written: same version, same answer
    append_bars(trained_home, "ethereum", 2, 5)
    assert live.poll_once() and live.changed == ["bars"]
    assert live.cached("grid", build) == 2
