"""Scheduler jobs registered the bot's way fire on a short interval against the replay server,
and their data lands in the store and in ``status``."""

from __future__ import annotations

import time

import pytest

from finbot.config import load_settings
from finbot.ops import scheduler as sched
from finbot.ops.status import collect_status
from finbot.paths import Paths
from finbot.services import Services
from finbot.storage.db import engine_for
from finbot.storage.parquet_writer import BarStore
from tests.fixtures.ops import write_api_config

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_collector_jobs_fire_and_their_data_lands(home: Paths, replay_server) -> None:
    write_api_config(home, replay_server.url, replay_server.fx_url, replay_server.exchange_url)
    services = Services(home, load_settings(home), base_url=replay_server.url)
    wanted = {"prices", "chart_5m", "fx"}
    specs = [
        sched.interval_job(s.id, s.func, 1 if s.id == "prices" else 3600, s.args, run_at_start=True)
        for s in sched.job_specs(services)
        if s.id in wanted
    ]
    scheduler = sched.start_scheduler(services, specs)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            runs = {j["id"]: j for j in sched.scheduler_jobs(engine_for(home.db_url))}
            if (
                all(runs.get(i, {}).get("runs", 0) >= 1 for i in wanted)
                and runs["prices"]["runs"] >= 2
            ):
                break
            time.sleep(0.2)
    finally:
        scheduler.shutdown(wait=True)
    runs = {j["id"]: j for j in sched.scheduler_jobs(engine_for(home.db_url))}
    for job_id in wanted:
        assert runs[job_id]["status"] == "ok", runs[job_id]
    assert runs["prices"]["runs"] >= 2  # the short interval fired again
    assert BarStore(home.parquet_dir).last_ts("bitcoin", "5m") is not None
    status = collect_status(services).to_json()
    assert status["data"]["bitcoin"]["5m"]["rows"] > 0
    assert status["collectors"]["prices"]["last_status"] == "ok"
    assert status["api_usage"]["day"]["requests"] > 0
