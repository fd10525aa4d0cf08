"""finbot's messages in the user's language, from gettext catalogs.

The English text is the message id: code writes ``translate(lang, "rows in {n} files", n=3)``
(or ``app_ctx.tr(...)`` in a command) and the French lives in
``locale/fr/LC_MESSAGES/finbot.po``, compiled to the ``finbot.mo`` shipped beside it. A language
without a catalog, or a message the catalog lacks, reads as the English message.

``N_`` marks a message that is translated later than it is written (a table of reasons, menu
entries), so that ``make messages`` (Babel's extractor) still finds it. Messages are formatted
with ``str.format`` after translation, so a literal brace is written ``{{`` in every message.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

DOMAIN = "finbot"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"


@lru_cache(maxsize=16)  # a few languages; bounded all the same
def catalog(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of ``lang``, loaded once; English (no catalog) falls through to the
    message ids."""
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=True)


def translate(lang: str, message: str, /, **values: object) -> str:
    """``message`` (its English text) in ``lang``, formatted with ``values``."""
    return catalog(lang).gettext(message).format(**values)


def translate_context(lang: str, context: str, message: str, /, **values: object) -> str:
    """As ``translate``, for a message whose translation depends on ``context`` (gettext's
    ``msgctxt``): the same English word read two ways."""
    return catalog(lang).pgettext(context, message).format(**values)


def N_(message: str) -> str:
    """Mark ``message`` for extraction (gettext's conventional name); it is translated where
    it is shown."""
    return message
