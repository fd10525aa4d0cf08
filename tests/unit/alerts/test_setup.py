"""Alert channels from the secrets file or the environment (never shown), the alerts section
of settings.json, the jobs the scheduler gets, and the bounded queue dropping when full."""

from __future__ import annotations

import json

import pytest

from finbot.alerts import AlertDispatcher, AlertLog, Outgoing, probe_alert, render
from finbot.config import AlertSettings, Secrets, load_settings, save_secrets
from finbot.errors import ConfigError
from finbot.ops.scheduler import job_specs
from finbot.paths import Paths
from finbot.services import Services
from finbot.storage import engine_for
from tests.fixtures.alerts import Receiver

pytestmark = pytest.mark.unit
URL = "tgram://123456:ABCDEF-secret/987"


def test_channels_from_the_secrets_file_or_the_environment(
    home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_secrets(home, Secrets(coingecko_keys=("CG-abcdefabcdef1234",), alert_urls=(URL,)))
    settings = load_settings(home)
    assert settings.secrets.alert_urls == (URL,)
    assert "secret" not in repr(settings.secrets) and "1 channels" in repr(settings.secrets)
    monkeypatch.setenv("FINBOT_ALERT_URLS", "json://127.0.0.1:1/ ntfy://a/b,mailto://u:p@h")
    urls = load_settings(home).secrets.alert_urls
    assert urls == ("json://127.0.0.1:1/", "ntfy://a/b", "mailto://u:p@h")


def test_a_bad_alerts_section_is_one_config_error_line(home: Paths) -> None:
    (home.config_dir / "settings.json").write_text(
        json.dumps({"alerts": {"quiet_hours": {"start_hour": 22}}}), "utf-8"
    )
    with pytest.raises(ConfigError, match=r"alerts\.quiet_hours: expected both start_hour"):
        load_settings(home)
    (home.secrets_file).write_text(json.dumps({"alert_urls": "tgram://x"}), "utf-8")
    (home.config_dir / "settings.json").unlink()
    with pytest.raises(ConfigError, match="alert_urls: expected a list of apprise URLs"):
        load_settings(home)


def test_the_alert_jobs_exist_only_with_a_channel(
    home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not [s for s in job_specs(Services(home)) if s.id.startswith("alerts_")]
    monkeypatch.setenv("FINBOT_ALERT_URLS", "json://127.0.0.1:1/")
    specs = {s.id: s for s in job_specs(Services(home))}
    assert specs["alerts_check"].trigger_args == {"seconds": 60}
    assert specs["alerts_digest"].trigger_args == {"hour": 8, "minute": 0}
    assert specs["alerts_check"].func == "finbot.ops.alert_jobs:check_alerts"


def test_a_full_queue_drops_and_records_instead_of_waiting(home: Paths, receiver: Receiver) -> None:
    receiver.delay_s = 1.0
    settings = AlertSettings.model_validate(
        {"delivery": {"queue_size": 1, "timeout_sec": 5, "max_attempts": 1}}
    )
    log = AlertLog(engine_for(home.db_url))
    sender = AlertDispatcher((receiver.url,), settings, log)
    title, body = render(probe_alert(), "en")
    accepted = [sender.submit(Outgoing(probe_alert(), title, body, i)) for i in range(3)]
    assert accepted.count(False) >= 1 and accepted[0] is True
    assert sender.flush(30)
    sender.close()
    counts = log.counts()
    assert counts["dropped"] == accepted.count(False)
    assert counts["sent"] == accepted.count(True) == len(receiver.messages)


def test_closing_drops_and_records_what_could_not_go_out_in_time(
    home: Paths, receiver: Receiver
) -> None:
    receiver.delay_s = 2.0
    settings = AlertSettings.model_validate({"delivery": {"timeout_sec": 5, "max_attempts": 1}})
    log = AlertLog(engine_for(home.db_url))
    sender = AlertDispatcher((receiver.url,), settings, log)
    title, body = render(probe_alert(), "en")
    assert all(sender.submit(Outgoing(probe_alert(), title, body, i)) for i in range(3))
    sender.close(0.2)
    dropped = [r for r in log.recent(10) if r["status"] == "dropped"]
    assert len(dropped) >= 1 and {r["error"] for r in dropped} == {"not sent before stop"}
