"""Lines built by library code (notes, problems) keep their message id: English as text and
in JSON, the user's language where they are shown."""

from __future__ import annotations

import json

import pytest

from finbot.errors import DataError
from finbot.i18n import N_, Message, Number, error_message, in_language, translate

pytestmark = pytest.mark.unit


def test_a_message_is_its_english_text_and_translates_where_shown() -> None:
    line = Message(N_("{tf}: quarantined month(s) refilled"), tf="1h")
    assert line == "1h: quarantined month(s) refilled"
    assert json.dumps({"notes": [line]}) == '{"notes": ["1h: quarantined month(s) refilled"]}'
    assert line.in_language("fr") == "1h : mois en quarantaine rechargé(s)"
    assert line.in_language("en") == line


def test_values_that_are_messages_translate_with_it() -> None:
    stored = Message(N_("nothing stored"))
    line = Message(
        N_("{clamp}; {stored}"), clamp=Message(N_("{coin}: no points"), coin="x"), stored=stored
    )
    assert line == "x: no points; nothing stored"
    assert in_language("fr", line) == "x : aucun point ; rien d'enregistré"


def test_joined_lines_each_translate() -> None:
    lines = [Message(N_("{coin}: no points"), coin=c) for c in ("a", "b")]
    joined = Message.joined("; ", lines)
    assert joined == "a: no points; b: no points"
    assert joined.in_language("fr") == "a : aucun point; b : aucun point"


def test_an_error_raised_with_a_template_stays_translatable() -> None:
    exc = DataError(N_("ts: {n} null timestamps"), n=3)
    assert in_language("fr", error_message(exc)) == "ts : 3 horodatages vides"
    plain = DataError("already in some language")
    assert error_message(plain) == "already in some language"
    assert in_language("fr", "a plain line") == "a plain line"


def test_a_message_survives_pickling_with_a_brace_in_its_values() -> None:
    import pickle

    from finbot.errors import DataError

    line = Message(N_("{path}: unreadable ({exc})"), path="a{b}.parquet", exc="bad {x}")
    again = pickle.loads(pickle.dumps(line))
    assert again == line and again.template == line.template and again.values == line.values
    error = pickle.loads(pickle.dumps(DataError(line)))
    assert str(error) == "a{b}.parquet: unreadable (bad {x})"


def test_a_number_in_a_message_shows_the_languages_decimal_mark() -> None:
    line = Message(N_("job {job} done in {s} s"), job="collect_prices", s=Number(1.254, 2))
    assert line == "job collect_prices done in 1.25 s"
    assert line.in_language("fr") == "tâche collect_prices terminée en 1,25 s"
    shown = translate("fr", "job {job} done in {s} s", job="x", s=Number(0.5, 2))
    assert shown == "tâche x terminée en 0,50 s"


def test_a_number_keeps_its_digits_sign_and_unit() -> None:
    assert str(Number(1.00071, 4)) == "1.0007" and f"{Number(1.00071, 4)}" == "1.0007"
    assert Number(1.00071, 4).in_language("fr") == "1,0007"
    assert Number(0.5, 2, signed=True, unit=" %").in_language("fr") == "+0,50 %"
    assert Number(-3.57, 2).in_language("fr") == "-3,57"
    assert Number(12345.6, 1).in_language("fr") == "12\u202f345,6"  # a narrow no-break space
    assert str(Number(12345.6, 1)) == "12,345.6"
    assert str(Number(float("nan"), 2)) == "nan"
    assert Number(2, 1) == Number(2.04, 1) and Number(2, 1) != Number(2.1, 1)
