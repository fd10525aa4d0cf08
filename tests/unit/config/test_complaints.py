"""pydantic's complaints about a configuration value, in the user's language: a validator's
own message keeps its id, pydantic's common ones are matched to finbot's ids, and the English
line is pydantic's text, word for word (an unknown complaint stays as pydantic wrote it)."""

from __future__ import annotations

import json

import pytest

from finbot.config import load_settings
from finbot.config.complaints import complaint
from finbot.errors import ConfigError
from finbot.i18n import in_language, translate
from finbot.paths import Paths

pytestmark = pytest.mark.unit


def _refused(home: Paths, settings: object) -> ConfigError:
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "settings.json").write_text(json.dumps(settings), "utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(home)
    return info.value


@pytest.mark.parametrize(
    ("settings", "english", "french"),
    [
        (
            {"retention_days": {"1h": -1}},
            "retention_days.1h: Input should be greater than 0, got -1",
            "retention_days.1h : valeur supérieure à 0 attendue, lu -1",
        ),
        (
            {"training": {"test_fraction": 1.0}},
            "training.test_fraction: Input should be less than 1, got 1.0",
            "training.test_fraction : valeur inférieure à 1 attendue, lu 1.0",
        ),
        (
            {"lang": "de"},
            "lang: Input should be 'fr' or 'en', got 'de'",
            "lang : 'fr' ou 'en' attendu, lu 'de'",
        ),
        (
            {"no_such_key": 1},
            "no_such_key: Extra inputs are not permitted, got 1",
            "no_such_key : clé inconnue, non permise ici, lu 1",
        ),
        (  # a validator's own message: it names the value itself, once
            {"display": {"timezone": "Mars/Olympus"}},
            "display.timezone: expected an IANA time zone such as Europe/Paris, got 'Mars/Olympus'",
            "display.timezone : fuseau horaire IANA attendu, comme Europe/Paris, lu 'Mars/Olympus'",
        ),
        (
            {"alerts": {"quiet_hours": {"start_hour": 3}}},
            "alerts.quiet_hours: expected both start_hour and end_hour, or neither",
            "alerts.quiet_hours : start_hour et end_hour attendus ensemble, ou aucun des deux",
        ),
    ],
)
def test_a_bad_value_in_both_languages(
    home: Paths, settings: object, english: str, french: str
) -> None:
    exc = _refused(home, settings)
    label = str(home.config_dir / "settings.json")
    assert str(exc) == f"{label}: {english}"
    assert exc.template is not None
    values = {k: in_language("fr", v) for k, v in exc.values.items()}
    assert translate("fr", exc.template, **values) == f"{label} : {french}"


def test_a_complaint_worded_otherwise_reads_as_pydantic_wrote_it() -> None:
    err = {"type": "greater_than", "msg": "Input must exceed 0", "ctx": {"gt": 0}, "input": -1}
    line, names_the_value = complaint(err)
    assert (line, names_the_value) == ("Input must exceed 0", False)
    assert in_language("fr", line) == "Input must exceed 0"  # no id: English, not a wrong one
    unknown = {"type": "url_parsing", "msg": "Input should be a valid URL", "input": "x"}
    assert complaint(unknown) == ("Input should be a valid URL", False)
