"""Issue 7.6: the bot's real job functions (``finbot.ops.jobs``) run for a simulated week
against the replay server (its FakeClock advanced one hour per cycle): memory stays flat,
file handles and threads constant, and the log files rotate within their size cap."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from finbot.clock import FakeClock
from finbot.ops import jobs
from finbot.ops.job_runs import last_runs
from finbot.ops.logs import LOG_FILE, setup_logging
from finbot.replay import ReplayServer
from finbot.storage.db import engine_for
from finbot.storage.parquet_writer import BarStore
from tests.fixtures.replay import REPLAY_END_MS
from tests.reliability.helpers import make_home, replay_api, report

pytestmark = [pytest.mark.reliability, pytest.mark.load, pytest.mark.slow]
HOURS = 7 * 24
WARM_UP_HOURS = 24
LOG_CAP_BYTES = 16_384
LOG_BACKUPS = 2


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _cycle(home: str, url: str, hour: int) -> list[str]:
    """One simulated hour of the timetable (collectors hourly instead of every 30 s: the
    replay's newest bar moves every 5 minutes, so more polls would only repeat themselves)."""
    statuses = [
        jobs.collect_prices(home, url),
        jobs.collect_markets(home, url),
        jobs.heartbeat(home),
        jobs.check_predictions(home),
    ]
    if hour % 2 == 0:
        statuses.append(jobs.collect_chart_5m(home, url))
    if hour % 24 == 23:
        statuses += [jobs.apply_retention(home), jobs.clean_cache(home)]
    return statuses


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_a_simulated_week_keeps_memory_handles_threads_and_logs_flat(
    tmp_path: Path,
    make_replay_server: Callable[..., ReplayServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FakeClock(REPLAY_END_MS / 1000 - 8 * 86_400)
    server = make_replay_server(clock=clock)
    paths = make_home(
        tmp_path / "home", replay_api(server.url, server.fx_url, server.exchange_url, read_s=5)
    )
    (paths.config_dir / "coins.json").write_text(
        '{"replace": true, "coins": [{"id": "bitcoin", "symbol": "BTC", "name": "Bitcoin"},'
        ' {"id": "ethereum", "symbol": "ETH", "name": "Ethereum"}]}'
    )
    monkeypatch.setenv("FINBOT_HOME", str(paths.home))
    setup_logging(paths, console=False, max_bytes=LOG_CAP_BYTES, backups=LOG_BACKUPS)
    process, home = psutil.Process(), str(paths.home)
    failures: list[str] = []
    baseline: dict[str, int] = {}
    for hour in range(HOURS):
        clock.advance(3600)
        statuses = _cycle(home, server.url, hour)
        failures += [f"hour {hour}" for s in statuses if s.status != "ok"]
        if hour % 24 == 0:
            server.reset_stats()  # the test double's own request log is not the bot's memory
        if hour == WARM_UP_HOURS:
            baseline = {
                "rss": process.memory_info().rss,
                "fds": _fds(),
                "threads": threading.active_count(),
            }
    end = {"rss": process.memory_info().rss, "fds": _fds(), "threads": threading.active_count()}
    growth = (end["rss"] - baseline["rss"]) / baseline["rss"]
    logs = sorted(paths.logs_dir.glob(LOG_FILE + "*"))
    runs = last_runs(engine_for(paths.db_url))
    report(
        "load (simulated week)",
        {
            "cycles": HOURS,
            "rss_warm_mb": round(baseline["rss"] / 2**20, 1),
            "rss_end_mb": round(end["rss"] / 2**20, 1),
            "rss_growth_pct": round(100 * growth, 2),
            "fds": f"{baseline['fds']}->{end['fds']}",
            "threads": f"{baseline['threads']}->{end['threads']}",
            "log_files": len(logs),
            "log_bytes": sum(p.stat().st_size for p in logs),
            "job_failures": len(failures),
            "prices_runs": runs["prices"].runs,
        },
    )
    assert failures == []
    assert growth < 0.10
    assert end["fds"] <= baseline["fds"] and end["threads"] <= baseline["threads"]
    assert len(logs) == LOG_BACKUPS + 1  # it did rotate, and kept no more than its backups
    assert all(p.stat().st_size <= LOG_CAP_BYTES + 4096 for p in logs)
    assert BarStore(paths.parquet_dir).verify().ok
    assert runs["prices"].runs == HOURS
