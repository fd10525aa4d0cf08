"""``--help`` lists each command with its one-line help in the user's language."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from finbot.cli.app import app
from finbot.cli.command_help import COMMAND_HELP, GROUP_ALIASES

pytestmark = pytest.mark.unit


def _help(tmp_path: Path, *args: str) -> str:
    home = tmp_path / "home"
    result = CliRunner().invoke(app, ["--home", str(home), *args], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert not home.exists()  # --help writes nothing
    return result.output


def test_the_command_list_is_french_under_lang_fr(tmp_path: Path) -> None:
    text = _help(tmp_path, "--lang", "fr", "--help")
    assert "Entraîne les modèles d'une crypto et d'un horizon" in text
    assert "Arrête le bot proprement." in text
    assert "Train models for a coin" not in text


def test_a_groups_command_list_is_french_and_english_stays_english(tmp_path: Path) -> None:
    text = _help(tmp_path, "--lang", "fr", "storage", "--help")
    assert "Vérifie chaque fichier Parquet" in text
    english = _help(tmp_path, "--lang", "en", "storage", "--help")
    assert "Check every Parquet file; quarantine damaged ones" in english


def test_settings_lang_is_honoured_for_help(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "configured"
    (home / "config").mkdir(parents=True)
    (home / "config" / "settings.json").write_text('{"lang": "fr"}', "utf-8")
    monkeypatch.delenv("FINBOT_LANG", raising=False)
    result = CliRunner().invoke(app, ["--home", str(home), "--help"], env={"COLUMNS": "200"})
    assert "Démarre le bot" in result.output, result.output


def test_every_command_but_the_aliases_has_a_one_line_help() -> None:
    group = typer.main.get_command(app)
    missing = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        if not (command.help or "").startswith("Alias") and name not in COMMAND_HELP:
            missing.append(name)
        for sub, inner in getattr(command, "commands", {}).items():
            key = f"{GROUP_ALIASES.get(name, name)} {sub}"
            if not (inner.help or "").startswith("Alias") and key not in COMMAND_HELP:
                missing.append(key)
    assert missing == []


def _pages() -> list[list[str]]:
    """The path of every command (aliases included) under finbot."""
    found: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        for name, inner in getattr(command, "commands", {}).items():
            found.append([*path, name])
            walk(inner, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def test_every_help_page_is_french_and_fits_80_columns(tmp_path: Path) -> None:
    from finbot.cli.command_help import help_messages
    from finbot.i18n import catalog

    french = catalog("fr")
    english = {
        text
        for text, _ in help_messages(typer.main.get_command(app), "finbot/cli/app.py")
        if french.gettext(text) != text and len(text) > 12
    }
    assert len(english) > 80  # the pages' texts were found and translated
    left: list[str] = []
    for path in [[], *_pages()]:
        result = CliRunner().invoke(
            app,
            ["--home", str(tmp_path / "h"), "--lang", "fr", *path, "--help"],
            env={"COLUMNS": "80"},
        )
        assert result.exit_code == 0, (path, result.output)
        page = " ".join(result.output.split())
        left += [f"{' '.join(path)}: {t!r}" for t in english if " ".join(t.split()) in page]
        assert "Show this message and exit." not in result.output, path
        assert "Affiche ce message et quitte." in result.output, path
        assert max(map(len, result.output.splitlines())) <= 80, (path, result.output)
    assert left == []
    assert not (tmp_path / "h").exists()


def test_a_french_page_then_an_english_one_in_the_same_process(tmp_path: Path) -> None:
    french = _help(tmp_path, "--lang", "fr", "predict", "--help")
    assert "Identifiant, symbole ou nom de la crypto." in french
    assert "[par défaut : price]" in " ".join(french.split())
    english = _help(tmp_path, "--lang", "en", "predict", "--help")
    assert "Coin id, symbol or name." in english
    assert "[default: price]" in english
    assert "Show this message and exit." in english
    assert "Identifiant" not in english
