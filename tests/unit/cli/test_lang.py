"""The language: ``--lang`` beats ``$FINBOT_LANG`` beats ``settings.json`` beats the locale."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from finbot.cli.app import app
from finbot.config import detect_lang
from finbot.paths import Paths

pytestmark = pytest.mark.unit


def _settings_lang(home: Paths, lang: str) -> None:
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "settings.json").write_text(json.dumps({"lang": lang}), "utf-8")


def test_precedence(home: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FINBOT_LANG", raising=False)
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert detect_lang(None, home) == "en"  # the system locale, nothing else said
    _settings_lang(home, "fr")
    assert detect_lang(None, home) == "fr"  # settings.json beats the locale
    monkeypatch.setenv("FINBOT_LANG", "en")
    assert detect_lang(None, home) == "en"  # the environment beats settings.json
    assert detect_lang("fr", home) == "fr"  # --lang beats everything


def test_an_unreadable_settings_file_says_nothing(home: Paths, monkeypatch) -> None:
    monkeypatch.delenv("FINBOT_LANG", raising=False)
    monkeypatch.setenv("LC_ALL", "fr_FR.UTF-8")
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "settings.json").write_text("{not json", "utf-8")
    assert detect_lang(None, home) == "fr"


def test_settings_lang_reaches_the_commands(home: Paths, monkeypatch) -> None:
    monkeypatch.delenv("FINBOT_LANG", raising=False)
    monkeypatch.setenv("LC_ALL", "C")
    _settings_lang(home, "fr")
    out = CliRunner().invoke(app, ["--home", str(home.home), "models", "list"]).output
    assert "aucun modèle" in out
    assert (
        "no models yet"
        in CliRunner()
        .invoke(app, ["--home", str(home.home), "--lang", "en", "models", "list"])
        .output
    )


def test_finbot_errors_carry_their_message_id() -> None:
    from finbot.errors import AlreadyRunning
    from finbot.i18n import describe

    exc = AlreadyRunning(42)
    assert str(exc) == "finbot is already running (PID 42); use 'finbot stop' first"
    failure = describe(exc)
    assert failure is not None and failure.exit_code == 1
    assert failure.text("fr") == "finbot tourne déjà (PID 42) ; lancez d'abord 'finbot arreter'"
    assert failure.text("en") == str(exc)
