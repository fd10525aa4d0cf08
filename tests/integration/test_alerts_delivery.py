"""Alerts end to end on loopback: the rules over a real home's records (tracker, API usage,
collector runs, the disk), the gate, apprise's ``json://`` to a small HTTP server, and the
history in the database (SQLite and PostgreSQL). No internet: every channel is 127.0.0.1."""

from __future__ import annotations

import json
import math
from typing import Any

import polars as pl
import pytest

from finbot.alerts import check_alerts, send_digest
from finbot.clock import FakeClock
from finbot.config import load_settings
from finbot.ops.status import collect_status
from finbot.paths import Paths
from finbot.services import Services
from finbot.timeframes import HOUR_MS, MINUTE_MS
from tests.fixtures.alerts import Receiver
from tests.fixtures.tracker import T0, new_prediction

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("db_backend")]
NOW_MS = T0 + 2 * HOUR_MS + 30_000  # just after the 1 h predictions below are due


class Bars:
    """A bar reader holding one 1 h close per coin: what the tracker resolves against."""

    def __init__(self, closes: dict[str, tuple[int, float]]) -> None:
        self.closes = closes

    def read(self, coin: str, timeframe: str, **_window: Any) -> pl.DataFrame:
        if timeframe != "1h":  # no 5-minute bars: the tracker scores on the hourly one
            return pl.DataFrame(schema={"ts": pl.Int64, "close": pl.Float64})
        ts, close = self.closes[coin]
        return pl.DataFrame({"ts": [ts], "close": [close]})


def _configure(home: Paths, monkeypatch: pytest.MonkeyPatch, url: str, **alerts: Any) -> None:
    settings = {"alerts": {"delivery": {"timeout_sec": 1, "max_attempts": 2, "backoff_sec": 0}}}
    for name, value in alerts.items():
        settings["alerts"][name] = value
    (home.config_dir / "settings.json").write_text(json.dumps(settings), "utf-8")
    api = {"coingecko": {"auth": {"monthly_cap_total": 10, "public_rpm": 10}}}
    (home.config_dir / "api_config.json").write_text(json.dumps(api), "utf-8")
    monkeypatch.setenv("FINBOT_ALERT_URLS", url)


def _services(home: Paths, clock: FakeClock) -> Services:
    return Services(home, load_settings(home), clock=clock)


def _record_facts(services: Services) -> None:
    """One fact per rule: a BUY at 90 %, a likely target, a reached target, a collector
    failing three times, 9 requests this minute (RED, 90 % of a cap of 10)."""
    tracker, usage = services.tracker, services.usage
    made = NOW_MS - 20_000
    tracker.record(
        new_prediction(made_at=made, as_of=NOW_MS - HOUR_MS, decision="BUY", confidence=90.0)
    )
    tracker.record(
        new_prediction(
            coin="ethereum", horizon="6h", made_at=made, as_of=NOW_MS - HOUR_MS,
            predicted_price=110.0, predicted_return=math.log(1.1), interval_low=108.0,
        )
    )  # fmt: skip
    tracker.record(new_prediction(coin="solana", made_at=T0 + HOUR_MS))  # due, resolved below
    tracker.resolve_due(Bars({"solana": (T0 + HOUR_MS, 110.0)}), NOW_MS - 10_000)
    for i in range(3):
        usage.record_collector_run("prices", "failed", 5.0, error="HTTP 503", ts_ms=made + i)
    for i in range(9):
        usage.record("/simple/price", 200, 12.0, "public", NOW_MS - 5_000 + i)


EXPECTED = [
    "finbot: BUY bitcoin (1h)",
    "finbot: target likely for ethereum (6h)",
    "finbot: target reached for solana (1h)",
    "finbot: collector prices failing",
    "finbot: CoinGecko usage RED",
    "finbot: 80 % of the monthly cap",
    "finbot: disk space low",
]


def test_each_rule_sends_its_message_once_per_cooldown(
    home: Paths, monkeypatch: pytest.MonkeyPatch, receiver: Receiver
) -> None:
    _configure(home, monkeypatch, receiver.url, disk={"min_free_gb": 1e9})
    clock = FakeClock(NOW_MS / 1000)
    services = _services(home, clock)
    _record_facts(services)
    queued = check_alerts(services.alert_run(), services.tracker, services.usage, home.home)
    assert len(queued) == len(EXPECTED)
    assert services.alert_dispatcher.flush(30)
    assert sorted(receiver.titles()) == sorted(EXPECTED)
    by_title = {m["title"]: m["message"] for m in receiver.messages}
    assert by_title["finbot: BUY bitcoin (1h)"] == (
        "BUY bitcoin at 1h: confidence 90 % (alert level 80 %). "
        "Price 100.00 $, predicted 101.00 $ (+1.00 %)."
    )
    # a second pass a minute later: the health facts still hold, but within their cool-down
    clock.advance(60)
    assert check_alerts(services.alert_run(), services.tracker, services.usage, home.home) == []
    # past the collector's 1 h cool-down (the disk's is 6 h, the 80 % cap once a month, and
    # the minute is GREEN again)
    clock.advance(3600)
    again = check_alerts(services.alert_run(), services.tracker, services.usage, home.home)
    assert sorted(a.key for a in again) == ["collector_failing:prices"]
    assert services.alert_dispatcher.flush(30)
    assert receiver.titles().count("finbot: collector prices failing") == 2
    history = services.alert_log.recent(50)
    assert len(history) == len(EXPECTED) + 1
    assert {r["status"] for r in history} == {"sent"} and {r["channel"] for r in history} == {
        "json://****"
    }
    services.alert_dispatcher.close()


def test_messages_in_french_and_the_daily_digest_once_a_day(
    home: Paths, monkeypatch: pytest.MonkeyPatch, receiver: Receiver
) -> None:
    _configure(home, monkeypatch, receiver.url, lang="fr")
    clock = FakeClock(NOW_MS / 1000)
    services = _services(home, clock)
    services.tracker.record(new_prediction(made_at=T0 + HOUR_MS))
    services.tracker.resolve_due(Bars({"bitcoin": (T0 + HOUR_MS, 102.0)}), NOW_MS)
    assert len(send_digest(services.alert_run(), services.tracker)) == 1
    assert send_digest(services.alert_run(), services.tracker) == []  # same day
    assert services.alert_dispatcher.flush(30)
    assert receiver.messages == [
        {
            "version": "1.0",
            "title": "finbot : résumé du jour",
            "message": "Dernières 24 h : 1 prévisions résolues, taux de réussite 100 %, "
            "couverture 100 % ; 0 en attente.",
            "attachments": [],
            "type": "info",
        }
    ]
    services.alert_dispatcher.close()


@pytest.mark.parametrize("mode", ["down", "slow", "error500"])
def test_a_receiver_down_slow_or_failing_is_counted_and_recorded(
    home: Paths, monkeypatch: pytest.MonkeyPatch, receiver: Receiver, down_url: str, mode: str
) -> None:
    url = down_url if mode == "down" else receiver.url
    receiver.delay_s = 3.0 if mode == "slow" else 0.0
    receiver.status = 500 if mode == "error500" else 200
    _configure(home, monkeypatch, url, disk={"min_free_gb": 1e9})
    services = _services(home, FakeClock(NOW_MS / 1000))
    queued = check_alerts(services.alert_run(), services.tracker, services.usage, home.home)
    assert [a.key for a in queued] == ["disk_low"]
    assert services.alert_dispatcher.flush(30)
    row = services.alert_log.recent(1)[0]
    assert row["status"] == "failed" and row["attempts"] == 2, row
    assert "not delivered" in row["error"] and "127.0.0.1" not in row["error"]
    if mode != "down":
        assert receiver.hits == 2 and receiver.messages == []
    alerts = collect_status(services).to_json()["alerts"]
    assert alerts["failed"] == 1 and alerts["sent"] == 0
    assert alerts["channels"] == ["json://****"] and alerts["last_failure"]
    services.alert_dispatcher.close()


def test_quiet_hours_hold_all_but_critical_alerts(
    home: Paths, monkeypatch: pytest.MonkeyPatch, receiver: Receiver
) -> None:
    hour = (NOW_MS // HOUR_MS) % 24
    quiet = {"start_hour": hour, "end_hour": (hour + 1) % 24}
    _configure(home, monkeypatch, receiver.url, quiet_hours=quiet, disk={"min_free_gb": 1e9})
    services = _services(home, FakeClock(NOW_MS / 1000))
    services.tracker.record(
        new_prediction(made_at=NOW_MS - MINUTE_MS, decision="SELL", confidence=95.0)
    )
    queued = check_alerts(services.alert_run(), services.tracker, services.usage, home.home)
    assert [a.key for a in queued] == ["disk_low"]  # critical; the SELL waits out the night
    services.alert_dispatcher.close()


def test_two_homes_on_one_database_keep_their_own_alert_history(
    home: Paths, tmp_path, monkeypatch: pytest.MonkeyPatch, receiver: Receiver
) -> None:
    _configure(home, monkeypatch, receiver.url, disk={"min_free_gb": 1e9})
    other = Paths.resolve(tmp_path / "other-home").ensure()
    first = _services(home, FakeClock(NOW_MS / 1000))
    assert [a.key for a in check_alerts(first.alert_run(), first.tracker, first.usage, home.home)]
    assert first.alert_dispatcher.flush(30)
    first.alert_dispatcher.close()
    second = Services(other, load_settings(other), clock=FakeClock(NOW_MS / 1000))
    assert second.alert_log.recent() == [] and second.alert_log.mark("fired:disk_low") is None
    assert len(first.alert_log.recent()) == 1
