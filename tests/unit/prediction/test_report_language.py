"""The evaluation report speaks the command's language: French headings, table headers,
verdicts, skipped horizons and chart texts (titles, axes, legends, tick numbers) with a
decimal comma under ``lang="fr"``, and ``<html lang="fr">``; English stays English; the
embedded JSON keeps its English keys and raw numbers either way."""

from __future__ import annotations

import json
import re

import pytest

from finbot.config.models import Costs, Thresholds
from finbot.prediction.tracking import evaluation as ev
from finbot.prediction.tracking import report
from finbot.prediction.tracking import report_charts as charts
from tests.fixtures.bars import planted_signal
from tests.fixtures.report_text import (
    DECIMAL_COMMA,
    DECIMAL_POINT,
    english_in,
    figure_text,
    page_text,
)

pytestmark = pytest.mark.unit
INPUTS = ev.DecisionInputs(Costs(), Thresholds(), {"1h": 0.5, "2h": 0.5})


@pytest.fixture(scope="module")
def evaluation() -> ev.Evaluation:
    """bitcoin 1h with a planted signal; 10m is skipped (not a whole number of 1h bars)."""
    return ev.evaluate(
        planted_signal(2500, seed=11, phi=0.5),
        coin="bitcoin",
        timeframe="1h",
        horizons=["10m", "1h", "2h"],
        inputs=INPUTS,
        config=ev.EvalConfig(n_folds=4, algorithms=("linear",)),
    )


def _embedded(page: str) -> object:
    found = re.search(r'<script id="finbot-evaluation"[^>]*>(.*?)</script>', page)
    assert found
    return json.loads(found.group(1))


def test_the_french_report_is_french(evaluation: ev.Evaluation) -> None:
    page = report.render(evaluation, lang="fr")
    lang, text = page_text(page)
    assert lang == "fr"
    for heading in (
        "évaluation finbot — bitcoin 1h",
        "Modèle servi face à la référence naïve, par horizon",
        "Stratégie après coûts face à l'achat-conservation et aux liquidités",
        "Couverture des intervalles par horizon",
    ):
        assert heading in text
    assert "Rendement total" in text and "achat-conservation" in text  # equity table
    assert "10m: pas un nombre entier de barres 1h" in text  # the skipped horizon
    assert english_in(text, {"bitcoin"}) == [], text
    assert DECIMAL_POINT.findall(text) == [] and DECIMAL_COMMA.search(text), text
    assert _embedded(page) == json.loads(json.dumps(evaluation.to_json()))  # JSON: English


def test_the_english_report_stays_english(evaluation: ev.Evaluation) -> None:
    page = report.render(evaluation, lang="en")
    lang, text = page_text(page)
    assert lang == "en"
    assert "finbot evaluation — bitcoin 1h" in text
    assert "Served model vs the naive baseline, per horizon" in text
    assert "10m: not a whole number of 1h bars" in text
    assert {"served", "strategy", "coverage"} <= set(english_in(text, {"bitcoin"}))
    assert DECIMAL_POINT.search(text) and "évaluation" not in text


def test_the_charts_draw_french_words_and_decimal_commas(evaluation: ev.Evaluation) -> None:
    drawn = [
        charts.predicted_vs_realised(evaluation, "fr"),
        charts.equity(evaluation, "fr"),
        charts.coverage(evaluation, "fr"),
        charts.reliability(evaluation, "fr"),
        charts.volatility(evaluation, "fr"),
    ]
    text = "\n".join(figure_text(fig) + "\n" + alt for fig, alt in drawn)
    for words in ("capital (départ = 1)", "achat-conservation", "fréquence observée", "réalisé"):
        assert words in text
    assert "nominal 80 %" in text or "nominal 90 %" in text
    assert english_in(text, {"bitcoin"}) == [], text
    assert DECIMAL_POINT.findall(text) == [] and DECIMAL_COMMA.search(text), text
    english = "\n".join(figure_text(fig) for fig, _ in [charts.equity(evaluation, "en")])
    assert "buy and hold" in english and "equity (start = 1)" in english
