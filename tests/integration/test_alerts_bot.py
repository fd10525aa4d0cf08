"""The bot stopping on an error tells the channels before it goes, and ``status`` shows the
alert figures in its tables as in its JSON."""

from __future__ import annotations

import pytest
from rich.console import Console

from finbot.config import load_settings
from finbot.i18n import translate
from finbot.ops.foreground import run_foreground
from finbot.ops.status import collect_status
from finbot.ops.status_view import render_status
from finbot.paths import Paths
from finbot.services import Services
from tests.fixtures.alerts import Receiver

pytestmark = pytest.mark.integration


def test_the_bot_stopping_on_an_error_sends_its_alert(
    offline_home: Paths, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FINBOT_ALERT_URLS", receiver.url)
    services = Services(offline_home, load_settings(offline_home))

    def broken(_lock: object) -> None:
        raise RuntimeError("database vanished")

    with pytest.raises(RuntimeError, match="database vanished"):
        run_foreground(services, jobs=[], on_ready=broken)
    assert [(m["title"], m["message"]) for m in receiver.messages] == [
        (
            "finbot stopped on an error",
            "The bot stopped on an error: RuntimeError: database vanished",
        )
    ]
    status = collect_status(services)
    assert status.to_json()["alerts"]["sent"] == 1
    for lang, line in (
        ("en", "Alerts: channels: json://**** | sent 1, failed 0, dropped 0"),
        ("fr", "Alertes: canaux : json://**** | envoyées 1, échouées 0, abandonnées 0"),
    ):
        console = Console(record=True, width=200)
        render_status(status, console, lambda m, **kw: translate(lang, m, **kw))  # noqa: B023
        assert line in console.export_text()
