"""``finbot.i18n``: French from the catalog, English as written, any other language English."""

from __future__ import annotations

from pathlib import Path

import pytest

from finbot.cli.context import AppContext
from finbot.errors import ConfigError
from finbot.i18n import N_, catalog, describe, localise_number, translate, translate_context
from finbot.paths import Paths
from finbot.prediction.decision import Action
from finbot.prediction.decision.decision_engine import Reason

pytestmark = pytest.mark.unit


def test_french_and_english() -> None:
    assert translate("fr", "Goodbye.") == "Au revoir."
    assert translate("en", "Goodbye.") == "Goodbye."
    assert translate("fr", "finbot stopped (PID {pid}).", pid=42) == "finbot arrêté (PID 42)."
    assert translate("en", "finbot stopped (PID {pid}).", pid=42) == "finbot stopped (PID 42)."


@pytest.mark.parametrize("lang", ["de", "xx", "pt_BR", ""])
def test_an_unknown_language_reads_english(lang: str) -> None:
    assert translate(lang, "Phases: {p} (total {t:.1f} s)", p="x", t=1.25) == (
        "Phases: x (total 1.2 s)"
    )


def test_a_regional_french_reads_french() -> None:
    assert translate("fr_CA", "Goodbye.") == "Au revoir."


def test_a_message_outside_the_catalog_reads_as_written() -> None:
    assert translate("fr", "not a finbot message {n}", n=3) == "not a finbot message 3"


def test_contexts_tell_the_same_word_apart() -> None:
    assert translate_context("fr", "stored span", "newest") == "fin"
    assert translate("fr", "newest") == "plus récent"
    assert translate_context("en", "stored span", "newest") == "newest"
    assert translate_context("fr", "time unit", "d") == "j"


def test_catalogs_load_once() -> None:
    assert catalog("fr") is catalog("fr")
    assert catalog("fr") is not catalog("en")


def test_numbers_take_the_language_separators() -> None:
    assert localise_number("fr", "-1,234,567.89") == "-1\u202f234\u202f567,89"
    assert localise_number("en", "-1,234,567.89") == "-1,234,567.89"
    assert localise_number("de", "+0.50") == "+0.50"  # a language finbot does not speak: English


def test_the_marker_returns_the_message() -> None:
    assert N_("Goodbye.") == "Goodbye."


def test_the_context_translates_in_its_language(tmp_path: Path) -> None:
    fr = AppContext(paths=Paths.resolve(str(tmp_path)), lang="fr")
    en = AppContext(paths=Paths.resolve(str(tmp_path)), lang="en")
    assert fr.tr("rows") == "lignes" and en.tr("rows") == "rows"
    assert fr.tr_context("stored span", "oldest") == "début"
    # a value named like a parameter is still a value
    assert fr.tr("{message}", message="m") == "m"


def test_decisions_and_failures_translate_where_shown() -> None:
    assert Action.BUY.text("fr") == "ACHETER" and Action.BUY.text() == "BUY"
    reason = Reason("disagree", {"vote": "+0.10", "need": "0.50"})
    assert reason.text("fr") == (
        "les horizons ne s'accordent pas (vote pondéré +0,10, il faut ±0,50)"
    )
    failure = describe(PermissionError(13, "Permission denied", "/h/logs"))
    assert failure is not None
    assert failure.text("fr").startswith("accès refusé : /h/logs : ")
    assert failure.text("en").startswith("permission denied: /h/logs: ")
    # finbot's own errors are already worded: shown as they are, braces included
    own = describe(ConfigError("coins.json: bad {key}"))
    assert own is not None and own.text("fr") == own.text("en") == "coins.json: bad {key}"
