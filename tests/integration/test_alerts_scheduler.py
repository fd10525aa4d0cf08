"""With the alert receiver down, slow or answering 500, the bot's real scheduler keeps
collecting from the replay server: alerts are queued by their own job and sent from the
sender thread, and their failures are counted in ``status``."""

from __future__ import annotations

import json
import time

import pytest

from finbot.config import load_settings
from finbot.ops import scheduler as sched
from finbot.ops.alert_senders import ALERT_SENDERS
from finbot.ops.status import collect_status
from finbot.paths import Paths
from finbot.services import Services
from finbot.storage.db import engine_for
from tests.fixtures.alerts import Receiver
from tests.fixtures.ops import write_api_config

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ALERTS = {
    "check_every_sec": 5,
    "disk": {"min_free_gb": 1e9, "cooldown_sec": 0},  # a health alert on every pass
    "delivery": {"timeout_sec": 1, "max_attempts": 2, "backoff_sec": 0, "queue_size": 2},
}


def _runs(home: Paths) -> dict[str, dict[str, object]]:
    return {str(j["id"]): dict(j) for j in sched.scheduler_jobs(engine_for(home.db_url))}


@pytest.mark.parametrize("mode", ["down", "slow", "error500"])
def test_collection_goes_on_while_alerts_fail(
    home: Paths,
    replay_server,
    receiver: Receiver,
    down_url: str,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
) -> None:
    receiver.delay_s = 4.0 if mode == "slow" else 0.0
    receiver.status = 500 if mode == "error500" else 200
    monkeypatch.setenv("FINBOT_ALERT_URLS", down_url if mode == "down" else receiver.url)
    write_api_config(home, replay_server.url, replay_server.fx_url, replay_server.exchange_url)
    (home.config_dir / "settings.json").write_text(json.dumps({"alerts": ALERTS}), "utf-8")
    services = Services(home, load_settings(home), base_url=replay_server.url)
    specs = [
        sched.interval_job(s.id, s.func, 1, s.args, run_at_start=True)
        for s in sched.job_specs(services)
        if s.id in ("prices", "alerts_check")
    ]
    assert {s.id for s in specs} == {"prices", "alerts_check"}
    scheduler = sched.start_scheduler(services, specs)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            runs = _runs(home)
            failed = services.alert_log.counts()["failed"]
            if runs.get("prices", {}).get("runs", 0) >= 4 and failed >= 1:
                break
            time.sleep(0.2)
    finally:
        scheduler.shutdown(wait=True)
        ALERT_SENDERS.close_all(timeout_s=1)
    runs = _runs(home)
    assert runs["prices"]["status"] == "ok" and int(runs["prices"]["runs"]) >= 4, runs
    assert runs["prices"]["failures"] == 0
    assert runs["alerts_check"]["status"] == "ok" and int(runs["alerts_check"]["runs"]) >= 1
    alerts = collect_status(services).to_json()["alerts"]
    assert alerts["failed"] >= 1 and alerts["sent"] == 0, alerts
    if mode == "error500":
        assert receiver.hits >= 2 and receiver.messages == []  # tried, retried, refused
