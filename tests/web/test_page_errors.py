"""A failure shown on a dashboard page is the line the command line gives, in the page's
language; the API's JSON keeps the English (its contract: ``{"error": {"type", "message"}}``)."""

from __future__ import annotations

import html

import pytest

from finbot.i18n import in_language
from tests.fixtures.dashboard import Served

pytestmark = pytest.mark.integration


def _page(dashboard: Served, path: str, lang: str) -> str:
    with dashboard.client(cookies={"finbot_lang": lang}) as c:
        response = c.get(path)
    assert response.status_code == 200, response.text
    return html.unescape(response.text)


def test_a_coin_without_a_model_is_said_in_the_pages_language(dashboard: Served) -> None:
    french = _page(dashboard, "/coin?id=SOL", "fr")
    assert "aucun modèle n'a répondu pour solana ; entraînez d'abord ('finbot train')" in french
    assert "no model answered" not in french
    english = _page(dashboard, "/coin?id=SOL", "en")
    assert "no model answered for solana; train first ('finbot train')" in english


def test_the_api_keeps_the_english_line(dashboard: Served) -> None:
    with dashboard.client(cookies={"finbot_lang": "fr"}) as c:
        response = c.get("/api/v1/questions/price?coin=SOL")
    assert response.status_code == 409, response.text
    assert response.json()["error"]["message"].startswith("no model answered for solana")


def test_an_operating_system_error_is_the_clis_line_not_its_text() -> None:
    """``str(exc)`` (``[Errno 13] Permission denied: ...``) no more: what and how to fix it."""
    from finbot.web.pages import _safe

    def denied() -> None:
        raise PermissionError(13, "Permission denied", "/home/u/.finbot/finbot.db")

    answer, error = _safe(denied)
    assert answer is None and error is not None
    assert error.startswith("permission denied: /home/u/.finbot/finbot.db: make it writable")
    assert str(in_language("fr", error)).startswith("accès refusé : /home/u/.finbot/finbot.db")


def test_a_bug_still_reaches_the_applications_handler() -> None:
    from finbot.web.pages import _safe

    def bug() -> None:
        raise ZeroDivisionError("oops")

    with pytest.raises(ZeroDivisionError):
        _safe(bug)
