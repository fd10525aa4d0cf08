"""``alerts list`` and ``alerts history`` for people: rules and statuses in the user's words,
numbers per locale, tables within 80 columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from finbot.cli.app import app

pytestmark = pytest.mark.unit


def _run(tmp_path: Path, lang: str, *args: str) -> str:
    result = CliRunner().invoke(
        app, ["--home", str(tmp_path / "home"), "--lang", lang, *args], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_the_rules_are_a_french_table_without_setting_names(tmp_path: Path) -> None:
    text = _run(tmp_path, "fr", "alerts", "list")
    assert "Canaux : aucun configuré" in text
    assert "échecs de collecteur" in text and "après 3 échecs de suite" in text
    assert "confiance ≥ 80 %" in text and "moins de 2 Go libres" in text
    for english in ("cooldown_sec", "enabled", "after_failures", "True", "None"):
        assert english not in text
    assert max(map(len, text.splitlines())) <= 80


def test_the_rules_in_english(tmp_path: Path) -> None:
    text = _run(tmp_path, "en", "alerts", "list")
    assert "collector failures" in text and "after 3 failures in a row" in text
    assert "1 h" in text and "30 min" in text  # cool-downs as durations, not seconds


def test_the_history_says_kind_and_status_in_french(tmp_path: Path) -> None:
    from finbot.alerts.history import AlertStatus, Delivery
    from finbot.paths import Paths
    from finbot.services import Services

    with Services(Paths.resolve(str(tmp_path / "home")).ensure()) as services:
        services.alert_log.record(
            Delivery(
                ts_ms=1_764_590_400_000,  # 2025-12-01 12:00 UTC
                kind="collector_failing",
                key="collector:prices",
                channel="json://****",
                status=AlertStatus.FAILED,
                attempts=3,
                title="finbot",
                body="",
                error="connection refused",
            )
        )
    text = _run(tmp_path, "fr", "alerts", "history")
    row = next(line for line in text.splitlines() if "12-01 12:00" in line)
    assert "collecteur en" in row and "échec" in row and "connection refused" in row
    assert "collector_failing" not in text and "failed" not in text
    assert max(map(len, text.splitlines())) <= 80
