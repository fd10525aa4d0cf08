"""The rules, from recorded facts to alerts, and their messages in French and English."""

from __future__ import annotations

import math
from typing import Any

import pytest

from finbot.alerts import AlertKind, render
from finbot.alerts.gate import quiet
from finbot.alerts.rules import (
    collector_alerts,
    decision_alerts,
    digest_alert,
    disk_alerts,
    target_likely_alerts,
    target_reached_alerts,
    usage_alerts,
)
from finbot.config import Settings
from finbot.config.alert_settings import QuietHours
from finbot.timeframes import HOUR_MS

pytestmark = pytest.mark.unit


def _row(**over: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "coin": "bitcoin",
        "horizon": "6h",
        "last_price": 60_000.0,
        "predicted_price": 61_200.0,
        "predicted_return": math.log(1.02),
        "interval_low": 59_000.0,
        "interval_high": 63_000.0,
        "level": 0.8,
        "confidence": 85.0,
        "decision": "BUY",
        "status": "pending",
        "realised_price": None,
        "realised_return": None,
    }
    row.update(over)
    return row


def test_a_signal_at_the_alert_level_alerts_and_a_hold_or_a_weak_one_does_not() -> None:
    rows = [
        _row(),
        _row(coin="ethereum", decision="SELL", confidence=80.0, predicted_return=-0.01),
        _row(coin="solana", confidence=79.9),
        _row(coin="ripple", decision="HOLD", confidence=99.0),
        _row(coin="cardano", confidence=None),
    ]
    alerts = decision_alerts(rows, 0.80)
    assert [a.key for a in alerts] == ["decision:bitcoin:6h:BUY", "decision:ethereum:6h:SELL"]
    assert alerts[0].params["confidence"] == 85 and alerts[0].params["level"] == 80


def test_decision_message_in_english_and_french() -> None:
    alert = decision_alerts([_row()], 0.80)[0]
    title, body = render(alert, "en")
    assert title == "finbot: BUY bitcoin (6h)"
    assert body == (
        "BUY bitcoin at 6h: confidence 85 % (alert level 80 %). "
        "Price 60,000 $, predicted 61,200 $ (+2.00 %)."
    )
    title_fr, body_fr = render(alert, "fr")
    assert title_fr == "finbot : BUY bitcoin (6h)"
    assert "confiance 85 %" in body_fr and "+2,00 %" in body_fr and "60\u202f000" in body_fr


def test_target_reached_needs_the_real_move_to_make_the_net_target(settings: Settings) -> None:
    # bitcoin's 6 h target: 50 EUR net on the default 1000 EUR order, costs ~5.5 EUR
    made = _row(status="resolved", realised_return=math.log(1.06), realised_price=63_600.0)
    short = _row(coin="ethereum", status="resolved", realised_return=math.log(1.02))
    alerts = target_reached_alerts([made, short], settings.targets, settings.costs)
    assert [a.key for a in alerts] == ["target_reached:bitcoin:6h"]
    assert alerts[0].params["target"] == 50.0 and alerts[0].params["net"] > 50


def test_target_likely_uses_the_probability_where_given_else_the_interval(
    settings: Settings,
) -> None:
    rule = settings.general.alerts.targets
    wide = _row(predicted_price=64_000.0, interval_low=59_000.0)
    tight = _row(coin="ethereum", predicted_price=3_300.0, last_price=3_000.0, interval_low=3_200.0)
    sure = _row(coin="solana", p_target=0.75, predicted_price=150.0, last_price=150.0)
    unsure = _row(coin="ripple", p_target=0.5, predicted_price=0.6, last_price=0.5)
    alerts = target_likely_alerts(
        [wide, tight, sure, unsure], settings.targets, settings.costs, rule
    )
    assert [(a.key, a.variant) for a in alerts] == [
        ("target_likely:ethereum:6h", "interval"),
        ("target_likely:solana:6h", ""),
    ]
    _title, body = render(alerts[1], "en")
    assert body.endswith("(probability 75 %).")


def test_collector_failing_in_a_row_usage_states_and_the_monthly_cap(settings: Settings) -> None:
    rules = settings.general.alerts
    stats = {"runs": 5, "failures": 3, "last_status": "failed", "last_run_ms": 0}
    summary: Any = {
        "prices": {**stats, "consecutive_failures": 3, "error": "HTTP 503"},
        "fx": {**stats, "consecutive_failures": 2, "error": "timeout"},
    }
    assert [a.key for a in collector_alerts(summary, rules.collector_failures)] == [
        "collector_failing:prices"
    ]
    usage: Any = {
        "minute": {"requests": 460, "limit": 500, "state": "RED"},
        "month": {"requests": 1_700_000, "cap": 2_000_000, "share": 0.85},
    }
    alerts = usage_alerts(usage, rules.api_usage, "2026-12")
    assert [(a.key, a.critical) for a in alerts] == [
        ("api_usage:RED", True),
        ("monthly_cap:80:2026-12", False),
    ]
    usage["month"]["share"] = 0.96
    assert usage_alerts(usage, rules.api_usage, "2026-12")[1].key == "monthly_cap:95:2026-12"
    usage["minute"]["state"] = "GREEN"
    usage["month"]["share"] = 0.5
    assert usage_alerts(usage, rules.api_usage, "2026-12") == []
    _title, body = render(collector_alerts(summary, rules.collector_failures)[0], "fr")
    assert body == "Le collecteur prices a échoué 3 fois de suite. Dernière erreur : HTTP 503"


def test_disk_low_and_the_digest(settings: Settings) -> None:
    rule = settings.general.alerts.disk
    assert disk_alerts(int(5e9), "/data", rule) == []
    low = disk_alerts(int(1.5e9), "/data", rule)
    assert render(low[0], "en")[1] == "Only 1.50 GB free under /data (minimum 2.00 GB)."
    accuracy: Any = {
        "bitcoin": {"1h": {"24h": {"n": 3, "mae": 0.01, "hit_rate": 2 / 3, "coverage": 1.0}}},
        "ethereum": {"1h": {"24h": {"n": 1, "mae": 0.01, "hit_rate": 0.0, "coverage": 0.0}}},
    }
    digest = digest_alert({"pending": 7, "resolved": 4}, accuracy, "2026-12-01")
    assert digest.kind is AlertKind.DIGEST and digest.key == "digest:2026-12-01"
    assert render(digest, "en")[1] == (
        "Last 24 h: 4 predictions resolved, hit rate 50 %, coverage 75 %; 7 pending."
    )
    empty = render(digest_alert({}, {}, "2026-12-01"), "fr")[1]
    assert "taux de réussite n.d." in empty


def test_quiet_hours_wrap_past_midnight() -> None:
    hours = QuietHours(start_hour=22, end_hour=7)
    at = [quiet(hours, h * HOUR_MS) for h in (21, 22, 23, 0, 6, 7, 12)]
    assert at == [False, True, True, True, True, False, False]
    assert not quiet(QuietHours(), 3 * HOUR_MS)
    with pytest.raises(ValueError, match="both start_hour and end_hour"):
        QuietHours(start_hour=1)
