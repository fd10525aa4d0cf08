"""finbot's own errors, end to end, in French: one line on stderr in the user's language and the
README's exit code, for each upper package (prediction, ops, cli, alerts, web); the English
line is unchanged."""

from __future__ import annotations

from html import unescape

import pytest
from typer.testing import CliRunner

from finbot.cli.app import app
from finbot.config import load_settings
from finbot.paths import Paths
from tests.fixtures.dashboard import serve

pytestmark = pytest.mark.integration

CASES = [
    pytest.param(  # prediction (tracking): the export's file kind
        ("tracker", "--export", "{home}/out.json"),
        "erreur : export : fichier .csv ou .xlsx attendu, lu 'out.json'",
        "error: export: expected a .csv or .xlsx file, got 'out.json'",
        id="prediction",
    ),
    pytest.param(  # ops (answers) -> prediction (questions): the amount refused
        ("predict", "--coin", "btc", "--kind", "amount", "--horizon", "1h", "--amount-eur", "0"),
        "erreur : amount-eur : montant > 0 attendu, lu 0.0",
        "error: amount-eur: expected an amount > 0, got 0.0",
        id="ops",
    ),
    pytest.param(  # cli: a command's own option check
        ("replay-server", "--data", "a", "--csv-dir", "b"),
        "erreur : --data et --csv-dir : l'un ou l'autre attendu, pas les deux",
        "error: --data and --csv-dir: expected one of them, not both",
        id="cli",
    ),
    pytest.param(  # alerts: a channel URL apprise does not know (masked)
        ("alerts", "test", "--url", "nosuch://secret-token"),
        "erreur : canal d'alerte nosuch://**** : URL inconnue d'apprise",
        "error: alert channel nosuch://****: not an apprise URL apprise knows",
        id="alerts",
    ),
]


@pytest.mark.parametrize(("args", "french", "english"), CASES)
def test_the_error_line_is_french_under_lang_fr(
    home: Paths, args: tuple[str, ...], french: str, english: str
) -> None:
    argv = [a.format(home=home.home) for a in args]
    for lang, line in (("fr", french), ("en", english)):
        result = CliRunner().invoke(app, ["--home", str(home.home), "--lang", lang, *argv])
        assert result.exit_code == 2, result.output
        assert result.stderr.strip().splitlines() == [line]
        assert "Traceback" not in result.output


def test_the_dashboard_says_why_a_question_failed_in_the_visitors_language(home: Paths) -> None:
    served = serve(home, lang="fr")
    try:
        with served.client() as c:
            french = c.get("/questions", params={"kind": "price"})
            english = c.get("/questions", params={"kind": "price"}, cookies={"finbot_lang": "en"})
    finally:
        served.server.stop()
    assert french.status_code == english.status_code == 200
    assert '<p class="warn" id="answer-error">crypto : une crypto attendue</p>' in french.text
    assert '<p class="warn" id="answer-error">coin: expected a coin</p>' in english.text


def test_a_wrong_horizon_on_the_dashboard_is_french_too(home: Paths) -> None:
    """A question's horizon outside the settings: the page's line (web's own check)."""
    served = serve(home, lang="fr")
    try:
        with served.client() as c:
            page = c.get("/questions", params={"kind": "price", "coin": "bitcoin", "horizon": "2h"})
    finally:
        served.server.stop()
    assert page.status_code == 200
    known = ", ".join(load_settings(home).general.horizons)
    line = f"horizon : l'un de {known} attendu, lu '2h'"
    assert f'<p class="warn" id="answer-error">{line}</p>' in unescape(page.text)
