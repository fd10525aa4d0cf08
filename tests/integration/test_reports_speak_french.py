"""The HTML reports speak the command's language: the demo's report (headings, paragraphs,
table, legend, decisions ACHETER / VENDRE / CONSERVER, chart texts) and the one ``finbot
evaluate --report`` writes, French under ``--lang fr`` (``<html lang="fr">``, decimal commas,
no English-only word of the catalog), English otherwise; ``--json`` stays English."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finbot.cli.app import app
from finbot.ops.demo_charts import coin_figure, ratio_figure
from finbot.ops.demo_report import write_demo_report
from finbot.paths import Paths
from tests.fixtures.report_text import (
    DECIMAL_COMMA,
    DECIMAL_POINT,
    english_in,
    figure_text,
    page_text,
)
from tests.integration.test_demo_report import _result
from tests.integration.test_french_everywhere import neutral_words

pytestmark = pytest.mark.integration

FRENCH_ACTIONS = {"ACHETER", "VENDRE", "CONSERVER"}
ENGLISH_ACTIONS = {"BUY", "SELL", "HOLD"}


def _demo_page(home: Paths, lang: str) -> tuple[str | None, str]:
    result = _result(home)
    page = write_demo_report(result, 0.8, home.reports_dir, lang=lang).read_text("utf-8")
    return page_text(page)


def test_the_french_demo_report_is_french(trained_home: Paths) -> None:
    lang, text = _demo_page(trained_home, "fr")
    assert lang == "fr"
    for heading in (
        "démo finbot (données synthétiques)",
        "Modèles face à la référence naïve",
        "Chaque crypto : prix récent, prévision et intervalle à 80 % en avant",
        "Réponses",
        "dernier prix ($)",
        "MAE / naïf : sous 1",
    ):
        assert heading in text, heading
    words = set(text.split())
    assert words & FRENCH_ACTIONS and not words & ENGLISH_ACTIONS
    assert "59\u202f673,3 s" in text  # a narrow no-break space groups, a comma marks decimals
    assert english_in(text, neutral_words(trained_home)) == [], text
    assert DECIMAL_POINT.findall(text) == [] and DECIMAL_COMMA.search(text)


def test_the_english_demo_report_stays_english(trained_home: Paths) -> None:
    lang, text = _demo_page(trained_home, "en")
    assert lang == "en"
    assert "finbot demo (synthetic data)" in text and "Models against the naive baseline" in text
    words = set(text.split())
    assert words & ENGLISH_ACTIONS and not words & FRENCH_ACTIONS
    assert "59,673.3 s" in text and "données" not in text
    assert {"answers", "predictions"} <= set(english_in(text, neutral_words(trained_home)))


def test_the_demo_charts_draw_french(trained_home: Paths) -> None:
    result = _result(trained_home)
    bitcoin = [a for a in result.answers if a.prediction.coin == "bitcoin"]
    history = result.history["bitcoin"]
    drawn = figure_text(ratio_figure(result.trained, "fr"))
    drawn += "\n" + figure_text(coin_figure("bitcoin", history, bitcoin, 0.8, "fr"))
    for words in ("modèle (vert : bat la référence)", "MAE de test / MAE naïf", "prix (USD)"):
        assert words in drawn
    assert "intervalle à 80 %" in drawn and "prévision" in drawn
    assert english_in(drawn, neutral_words(trained_home)) == [], drawn
    assert DECIMAL_POINT.findall(drawn) == [] and DECIMAL_COMMA.search(drawn), drawn
    english = figure_text(coin_figure("bitcoin", history, bitcoin, 0.8, "en"))
    assert "price (USD)" in english and "80 % interval" in english


def _evaluate(home: Paths, target: Path, lang: str) -> tuple[str | None, str, str]:
    args = ["--home", str(home.home), "--lang", lang, "evaluate", "--coin", "BTC"]
    args += ["--horizon", "1h", "--folds", "2", "--report", str(target), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    lang_attr, text = page_text(target.read_text("utf-8"))
    return lang_attr, text, result.stdout


def test_evaluate_writes_its_report_in_the_command_language(
    trained_home: Paths, tmp_path: Path
) -> None:
    lang, text, out = _evaluate(trained_home, tmp_path / "fr.html", "fr")
    assert lang == "fr"
    assert "Modèle servi face à la référence naïve, par horizon" in text
    assert "Rendement total" in text and "Prévu face au réalisé" in text
    assert english_in(text, neutral_words(trained_home)) == [], text
    assert DECIMAL_POINT.findall(text) == [] and DECIMAL_COMMA.search(text)
    assert {"horizons", "strategy"} <= set(json.loads(out))  # --json keeps its English keys
    lang, text, _ = _evaluate(trained_home, tmp_path / "en.html", "en")
    assert lang == "en" and "Served model vs the naive baseline, per horizon" in text
