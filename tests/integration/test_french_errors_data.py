"""finbot's own errors in French, end to end: ``--lang fr``, the exact line on stderr, the exit
code, for each package of the data side (timeframes, config, storage, collectors, replay).

The English line stays what logs, stored texts and ``--json`` in English show."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from finbot.cli.app import app
from finbot.paths import Paths
from finbot.replay import ReplayServer

pytestmark = pytest.mark.integration

COINS = (
    "bitcoin, ethereum, solana, binancecoin, ripple, cardano, avalanche-2, chainlink, dogecoin, "
    "polygon-ecosystem-token"
)

COINGECKO_SAYS = (  # the 10012 answer's text (replay/responses.py), after "time range."
    "Public API users are limited to querying historical data within the past 365 days. "
    "Upgrade to a paid plan to enjoy full historical data access: "
    "https://www.coingecko.com/en/api/pricing. "
)


def invoke(home: Paths, *args: str, lang: str = "fr", **env: str) -> Result:
    return CliRunner().invoke(app, ["--home", str(home.home), "--lang", lang, *args], env=env)


def error_line(result: Result) -> str:
    """The one line the user reads on stderr (no traceback, nothing else)."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_bad_horizon_in_french(home: Paths) -> None:  # finbot.timeframes
    result = invoke(home, "predict", "--coin", "btc", "--horizon", "3x")
    assert result.exit_code == 2
    assert error_line(result) == (
        "erreur : horizon : durée positive attendue, comme 10m, 1h, 6h ou 1d, lu '3x'"
    )


def test_an_unknown_coin_in_french_and_in_english(home: Paths) -> None:  # finbot.config
    result = invoke(home, "predict", "--coin", "nosuch", "--horizon", "1h")
    assert result.exit_code == 2
    assert error_line(result) == (f"erreur : crypto : 'nosuch' inconnue ; attendue parmi {COINS}")
    english = invoke(home, "predict", "--coin", "nosuch", "--horizon", "1h", lang="en")
    assert error_line(english) == f"error: coin: unknown 'nosuch'; expected one of {COINS}"


def write_settings(home: Paths, text: str) -> Path:
    """The home's ``config/settings.json`` holding ``text``."""
    home.config_dir.mkdir(parents=True, exist_ok=True)
    settings = home.config_dir / "settings.json"
    settings.write_text(text, "utf-8")
    return settings


def test_a_settings_file_that_is_no_json_in_french(home: Paths) -> None:  # finbot.config
    settings = write_settings(home, '{"lang": "fr",\n')
    result = invoke(home, "settings")
    assert result.exit_code == 2
    assert error_line(result) == (
        f"erreur : {settings} : ligne 2 colonne 1 : JSON valide attendu (Expecting property "
        "name enclosed in double quotes)"  # json's own words, as a value
    )


def test_a_value_pydantic_refuses_in_french(home: Paths) -> None:  # finbot.config
    settings = write_settings(home, '{"retention_days": {"1h": -1}}')
    result = invoke(home, "settings")
    assert result.exit_code == 2
    assert error_line(result) == (
        f"erreur : {settings} : retention_days.1h : valeur supérieure à 0 attendue, lu -1"
    )
    english = invoke(home, "settings", lang="en")
    assert error_line(english) == (
        f"error: {settings}: retention_days.1h: Input should be greater than 0, got -1"
    )


def test_a_bad_database_schema_in_french(home: Paths) -> None:  # finbot.storage
    url = "postgresql://finbot@127.0.0.1/finbot?finbot_schema=Bad"
    result = invoke(home, "tracker", FINBOT_DB_URL=url)
    assert result.exit_code == 2
    assert error_line(result) == (
        "erreur : schéma de base de données 'Bad' : 1 à 63 minuscules, chiffres ou _ attendus, "
        "sans chiffre en tête"
    )
    as_json = invoke(home, "tracker", "--json", lang="en", FINBOT_DB_URL=url)
    assert json.loads(as_json.stdout)["error"] == {
        "type": "ConfigError",
        "message": "database schema 'Bad': expected 1 to 63 lowercase letters, digits or _, "
        "not starting with a digit",
    }


def test_an_api_error_answer_in_french(  # finbot.collectors: HTTP status, code, its own text
    home: Paths, make_replay_server: Callable[..., ReplayServer]
) -> None:
    server = make_replay_server()
    server.faults.inject("401_10012", path="/coins/list")
    result = invoke(home, "coins", "add", "litecoin", "--base-url", server.url)
    assert result.exit_code == 1
    assert error_line(result) == (
        "erreur : CoinGecko /coins/list : HTTP 401 erreur 10012 : Your request exceeds the "
        f"allowed time range. {COINGECKO_SAYS} (limite des 365 derniers jours des plans "
        "public/demo)"  # CoinGecko's own words, as a value
    )


def test_a_plan_without_keys_in_french(home: Paths) -> None:  # finbot.collectors
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "api_config.json").write_text('{"coingecko": {"plan": "pro"}}', "utf-8")
    result = invoke(home, "coins", "add", "litecoin", COINGECKO_API_KEYS="")
    assert result.exit_code == 2
    assert error_line(result) == (
        "erreur : api_config.json : coingecko.plan : 'pro' demande des clés dans "
        "$COINGECKO_API_KEYS ; fournissez des clés ou choisissez le plan 'auto'/'public'"
    )


def test_a_replay_plan_in_french(home: Paths) -> None:  # finbot.replay
    result = invoke(home, "replay-server", "--days", "2", "--plan", "bogus")
    assert result.exit_code == 2
    assert error_line(result) == "erreur : plan : demo ou pro attendu, lu 'bogus'"
