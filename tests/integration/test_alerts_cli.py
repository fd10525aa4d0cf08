"""``finbot alerts`` / ``alertes``: test (configured channels or --url), list, history, with
the channels always masked and one-line failures with their exit codes."""

from __future__ import annotations

import json

import pytest

from finbot.paths import Paths
from tests.fixtures.alerts import Receiver
from tests.fixtures.cli import invoke

pytestmark = pytest.mark.integration
TOKEN_URL = "tgram://123456:ABCDEF-secret-token/987654"


@pytest.mark.usefixtures("db_backend")
def test_test_alert_reaches_the_url_given_and_lands_in_the_history(
    home: Paths, receiver: Receiver
) -> None:
    result = invoke(home, "alerts", "test", "--url", receiver.url)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "json://****: sent after 1 attempt(s)"
    assert receiver.wait_for(1) == [
        {
            "version": "1.0",
            "title": "finbot: test alert",
            "message": "This is a test alert from finbot: this channel works.",
            "attachments": [],
            "type": "info",
        }
    ]
    history = json.loads(invoke(home, "alerts", "history", "--json").stdout)["alerts"]
    assert [(h["kind"], h["status"], h["channel"]) for h in history] == [
        ("test", "sent", "json://****")
    ]
    french = invoke(home, "alertes", "historique", lang="fr")
    assert french.exit_code == 0 and "json://****" in french.stdout and "heure" in french.stdout


def test_a_channel_that_fails_the_test_exits_1_in_one_line(
    home: Paths, down_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    (home.config_dir / "settings.json").write_text(
        json.dumps(
            {"alerts": {"delivery": {"timeout_sec": 1, "max_attempts": 2, "backoff_sec": 0}}}
        )
    )
    monkeypatch.setenv("FINBOT_ALERT_URLS", down_url)
    result = invoke(home, "alerts", "test", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout.splitlines()[0])
    assert data["failed"] == 1 and data["deliveries"][0]["attempts"] == 2
    assert "1 of 1 channel(s) did not take the test alert" in result.stderr
    port = down_url.split(":")[2].rstrip("/")
    assert "Traceback" not in result.output and port not in result.output
    assert port not in (home.logs_dir / "finbot.log").read_text("utf-8")  # apprise's lines too


def test_no_channel_is_a_configuration_error(home: Paths) -> None:
    result = invoke(home, "alertes", "test", lang="fr")
    assert result.exit_code == 2
    assert "aucun canal d'alerte" in result.stderr


def test_list_masks_every_channel(home: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINBOT_ALERT_URLS", f"{TOKEN_URL}, ntfy://user:pass@example.org/topic")
    data = json.loads(invoke(home, "alerts", "list", "--json").stdout)
    assert data["channels"] == ["tgram://****", "ntfy://****"]
    assert data["rules"]["decisions"]["alert_level"] == 0.8
    assert data["rules"]["collector_failures"]["after_failures"] == 3
    text = invoke(home, "alertes", "liste", lang="fr").stdout
    assert "Canaux : tgram://****, ntfy://****" in text
    for shown in (text, invoke(home, "settings", "--json").stdout):
        assert "secret-token" not in shown and "pass@" not in shown


def test_a_url_apprise_does_not_know_is_a_configuration_error(home: Paths) -> None:
    result = invoke(home, "alerts", "test", "--url", "nosuchscheme://secret-token@host")
    assert result.exit_code == 2
    assert "alert channel nosuchscheme://****: not an apprise URL" in result.stderr
    assert "secret-token" not in result.output
