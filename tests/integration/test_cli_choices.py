"""Options with a fixed vocabulary are Typer choices: a bad value exits 2 with Typer's message
naming the option and every allowed value (before the command runs), any case is accepted, and
the French command and option names keep working with them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finbot.cli.app import app
from finbot.paths import Paths
from finbot.storage.parquet_writer import BarStore

pytestmark = pytest.mark.integration

TIMEFRAMES = ("5m", "1h", "4h", "1d", "1w")
GOOD_CSV = (
    "timestamp,open,high,low,close,volume\n"
    "2024-01-01T00:00:00Z,100,110,90,105,2\n"
    "2024-01-01T01:00:00Z,105,106,100,101,3\n"
)


def invoke(home: Paths, *args: str, lang: str = "en"):  # type: ignore[no-untyped-def]
    runner = CliRunner(env={"COLUMNS": "200"})  # wide panels: a choice list is never cut
    return runner.invoke(app, ["--home", str(home.home), "--lang", lang, *args])


def one_line(text: str) -> str:
    """``text`` with its spaces and line breaks made single spaces."""
    return " ".join(text.replace("│", " ").split())


BAD_VALUES = [
    (
        ("predict", "--coin", "btc", "--kind", "nope"),
        "--kind",
        "nope",
        ("price", "amount", "profit", "when", "best"),
    ),
    (
        ("prevoir", "--kind", "montant"),
        "--kind",
        "montant",
        ("price", "amount", "profit", "when", "best"),
    ),
    (("train", "--coin", "btc", "--timeframe", "2h"), "--timeframe", "2h", TIMEFRAMES),
    (("entrainer", "--timeframe", "3d"), "--timeframe", "3d", TIMEFRAMES),
    (("train-incremental", "--mode", "nano"), "--mode", "nano", ("micro", "mini", "schedule")),
    (("evaluate", "--coin", "btc", "--timeframe", "2h"), "--timeframe", "2h", TIMEFRAMES),
    (
        ("evaluer", "--coin", "btc", "--window", "sliding"),
        "--window",
        "sliding",
        ("expanding", "rolling"),
    ),
    (
        ("evaluate", "--coin", "btc", "--algorithm", "svm"),
        "--algorithm",
        "svm",
        ("linear", "random_forest", "lightgbm", "xgboost"),
    ),
    (
        ("evaluate", "--coin", "btc", "--algorithm", "naive"),
        "--algorithm",
        "naive",
        ("linear", "random_forest", "lightgbm", "xgboost"),
    ),
    (
        ("import-csv", "b.csv", "--coin", "btc", "--timeframe", "3h"),
        "--timeframe",
        "3h",
        TIMEFRAMES,
    ),
    (
        ("importer-csv", "b.csv", "--coin", "btc", "--timeframe", "1h", "--volume-unit", "usd"),
        "--volume-unit",
        "usd",
        ("base", "quote"),
    ),
    (("replay-server", "--volume-unit", "kg"), "--volume-unit", "kg", ("auto", "usd", "base")),
]


@pytest.mark.parametrize(("args", "option", "value", "choices"), BAD_VALUES)
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_bad_value_names_the_option_and_its_choices(
    home: Paths, args: tuple[str, ...], option: str, value: str, choices: tuple[str, ...], lang: str
) -> None:
    result = invoke(home, *args, lang=lang)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""  # Typer refused it before the command ran
    assert result.stderr.count("\n") == 1, result.stderr  # one line
    message = one_line(result.stderr)
    allowed = ", ".join(f"'{c}'" for c in choices)
    if lang == "en":
        assert f"invalid value for '{option}': '{value}' is not one of {allowed}" in message
    else:
        french = f"valeur invalide pour '{option}' : '{value}' ne fait pas partie de : {allowed}"
        assert french in message
        assert message.startswith("erreur : ")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (("predict", "--help"), "price|amount|profit|when|best"),
        (("prevoir", "--help"), "price|amount|profit|when|best"),
        (("evaluate", "--help"), "linear|random_forest|lightgbm|xgboost"),
        (("import-csv", "--help"), "5m|1h|4h|1d|1w"),
        (("train-incremental", "--help"), "micro|mini|schedule"),
    ],
)
def test_the_help_lists_the_choices(home: Paths, args: tuple[str, ...], shown: str) -> None:
    result = invoke(home, *args)
    assert result.exit_code == 0 and shown in one_line(result.stdout)


def test_choices_take_any_case_and_the_french_aliases(home: Paths, tmp_path: Path) -> None:
    out = json.loads(invoke(home, "train-incremental", "--mode", "SCHEDULE", "--json").stdout)
    assert out["mode"] == "schedule" and len(out["jobs"]) == 2
    path = tmp_path / "b.csv"
    path.write_text(GOOD_CSV)
    result = invoke(
        home,
        "importer-csv",
        str(path),
        "--coin",
        "BTC",
        "--timeframe",
        "1H",
        "--volume-unit",
        "Base",
        "--json",
        lang="fr",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["timeframe"] == "1h"
    bars = BarStore(home.parquet_dir).read("bitcoin", "1h")
    assert bars["volume"].to_list() == [2 * 105.0, 3 * 101.0]  # base volume × close


def test_french_options_with_the_kind_choice(trained_home: Paths) -> None:
    result = invoke(
        trained_home,
        "prevoir",
        "--coin",
        "BTC",
        "--kind",
        "Profit",
        "--unite",
        "h",
        "--valeur",
        "6",
        "--montant-eur",
        "500",
        "--json",
        lang="fr",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["horizon"] == "6h" and data["amount_eur"] == 500
    assert data["decision"] in ("BUY", "SELL", "HOLD")
    human = invoke(
        trained_home,
        "prevoir",
        "--coin",
        "btc",
        "--unite",
        "h",
        "--valeur",
        "1",
        "--kind",
        "PRICE",
        lang="fr",
    )
    assert human.exit_code == 0 and "Bitcoin dans 1 h :" in human.stdout


def test_evaluate_takes_its_choices_in_any_case(trained_home: Paths) -> None:
    args = ("--coin", "btc", "--horizon", "1h", "--folds", "2", "--bars", "800", "--json")
    result = invoke(trained_home, "evaluer", *args, "--algorithm", "LINEAR", "--window", "Rolling")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["algorithm"] == "linear" and data["timeframe"] == "1h"
