"""A mistake on the command line is one line in the user's language, exit code 2, and with
``--json`` one error object on stdout; the help it names is the command's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finbot.cli.app import app

pytestmark = pytest.mark.unit

CASES = [
    (["predict", "--bogus"], "option inconnue : --bogus (aide : finbot predict -h)"),
    (["--bogus"], "option inconnue : --bogus (vouliez-vous dire --verbose ?) (aide : finbot -h)"),
    (
        ["predict", "--value", "abc"],
        "valeur invalide pour '--value' / '--valeur' : 'abc' n'est pas un nombre "
        "(aide : finbot predict -h)",
    ),
    (
        ["predict", "--kind", "nope"],
        "valeur invalide pour '--kind' : 'nope' ne fait pas partie de : 'price', 'amount', "
        "'profit', 'when', 'best' (aide : finbot predict -h)",
    ),
    (["coins", "add"], "argument manquant : 'coin_id' (aide : finbot coins add -h)"),
    (["train", "--coin"], "l'option --coin demande une valeur"),
    (["nosuch"], "Commande inconnue : 'nosuch'. (aide : finbot -h)"),
]


def _run(tmp_path: Path, *args: str, lang: str = "fr") -> tuple[int, str, str]:
    runner = CliRunner()
    prefix = [] if "--lang" in args else ["--lang", lang]
    result = runner.invoke(
        app, ["--home", str(tmp_path / "home"), *prefix, *args], prog_name="finbot"
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("args", "line"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_a_usage_error_is_one_french_line_and_exit_code_2(
    tmp_path: Path, args: list[str], line: str
) -> None:
    code, out, err = _run(tmp_path, *args)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("erreur : ") and line in err, err
    assert "Usage:" not in err and "Try '" not in err


def test_with_json_the_usage_error_is_also_one_object_on_stdout(tmp_path: Path) -> None:
    code, out, _ = _run(tmp_path, "predict", "--kind", "nope", "--json", lang="en")
    assert code == 2
    error = json.loads(out)["error"]
    assert error["type"] == "UsageError"
    assert error["message"] == (
        "invalid value for '--kind': 'nope' is not one of 'price', 'amount', 'profit', "
        "'when', 'best' (help: finbot predict -h)"
    )


def test_a_group_called_bare_still_shows_its_help(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--home", str(tmp_path / "h"), "--lang", "fr", "models"])
    assert "Commandes:" in result.output and "Modèles enregistrés." in result.output
    assert "erreur" not in result.output


def test_a_bad_lang_is_said_in_the_language_finbot_falls_back_to(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["--home", str(tmp_path / "h"), "--lang", "xx", "settings"],
        env={"FINBOT_LANG": "fr"},
        prog_name="finbot",
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "erreur : valeur invalide pour --lang : attendu : fr ou en (aide : finbot -h)\n"
    )
