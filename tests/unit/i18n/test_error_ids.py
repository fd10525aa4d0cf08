"""What a finbot error carries to be shown in the user's language (``finbot.errors``): its
message id and values, whatever the class (with values, without, from a Message, an ApiError
with its status), while ``str(exc)`` stays the English line."""

from __future__ import annotations

import pytest

from finbot.errors import ApiError, DataError, FinbotError, JobFailed, RateLimited, UsageError
from finbot.i18n import N_, Message, describe, error_message

pytestmark = pytest.mark.unit


def shown(exc: FinbotError, lang: str) -> str:
    failure = describe(exc)
    assert failure is not None
    return failure.text(lang)


def test_a_message_without_values_is_a_message_id_too() -> None:
    exc = DataError(N_("fx: expected a JSON object"))
    assert str(exc) == "fx: expected a JSON object" and exc.template == str(exc)
    assert shown(exc, "fr") == "change : objet JSON attendu"


def test_a_literal_brace_reads_as_one_brace_in_both_languages() -> None:
    exc = FinbotError(
        N_('{path}: expected {{"coins": [...]}} to add a coin to'), path="config/coins.json"
    )
    assert str(exc) == 'config/coins.json: expected {"coins": [...]} to add a coin to'
    assert (
        shown(exc, "fr") == 'config/coins.json : {"coins": [...]} attendu pour y ajouter une crypto'
    )


@pytest.mark.parametrize("line", ["row {'ts': 1} is bad", "a } alone", "{0} positional"])
def test_a_line_that_is_no_template_is_shown_as_it_is(line: str) -> None:
    exc = UsageError(line)  # text that embedded braces (an f-string of a dict): no message id
    assert str(exc) == line and exc.template is None
    assert shown(exc, "fr") == line


def test_a_message_given_as_the_message_keeps_its_id_and_values() -> None:
    detail = Message(N_("CoinGecko {endpoint}: HTTP {status}"), endpoint="/ping", status=401)
    exc = ApiError(detail, status=401, code=10002)
    assert str(exc) == "CoinGecko /ping: HTTP 401"
    assert (exc.status, exc.code, exc.template) == (401, 10002, detail.template)
    assert shown(exc, "fr") == "CoinGecko /ping : HTTP 401"


def test_api_errors_take_values_beside_their_own_keywords() -> None:
    limited = RateLimited(
        N_("CoinGecko {path}: HTTP 429 rate limited"), retry_after=2.5, path="/ping"
    )
    assert (limited.retry_after, limited.status, limited.values) == (2.5, 429, {"path": "/ping"})
    assert shown(limited, "fr") == "CoinGecko /ping : HTTP 429, limite de débit atteinte"
    failed = JobFailed(N_("payload: invalid JSON ({error})"), rows=3, error="eof")
    assert (str(failed), failed.rows) == ("payload: invalid JSON (eof)", 3)


def test_an_error_inside_an_error_translates_with_it() -> None:
    inner = DataError(N_("payload: {name} is not a number"), name="NaN")
    outer = ApiError(
        N_("CoinGecko {path}: malformed answer ({error})"),
        path="/simple/price",
        error=error_message(inner),
    )
    assert str(outer) == "CoinGecko /simple/price: malformed answer (payload: NaN is not a number)"
    assert shown(outer, "fr") == (
        "CoinGecko /simple/price : réponse mal formée (réponse : NaN n'est pas un nombre)"
    )
