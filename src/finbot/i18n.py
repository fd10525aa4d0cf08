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
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


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


def localise_number(lang: str, text: str) -> str:
    """A number as Python formats it (``1,234.56``: ``,`` groups, ``.`` decimals) written
    with ``lang``'s separators (French: ``1 234,56`` with a narrow no-break space)."""
    # TRANSLATORS: the decimal separator of numbers.
    point = translate_context(lang, "decimal separator", ".")
    # TRANSLATORS: the thousands separator of numbers (French: U+202F NARROW NO-BREAK SPACE).
    group = translate_context(lang, "thousands separator", ",")
    return "".join(point if ch == "." else group if ch == "," else ch for ch in text)
