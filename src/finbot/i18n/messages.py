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
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from finbot.errors import FinbotError

DOMAIN = "finbot"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"


@lru_cache(maxsize=16)  # a few languages; bounded all the same
def catalog(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of ``lang``, loaded once; English (no catalog) falls through to the
    message ids."""
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=True)


def translate(lang: str, message: str, /, **values: object) -> str:
    """``message`` (its English text) in ``lang``, formatted with ``values``; a value that
    says itself in a language (a ``Message``, a ``Number``) is written in ``lang`` too."""
    return catalog(lang).gettext(message).format(**_said(lang, values))


def translate_context(lang: str, context: str, message: str, /, **values: object) -> str:
    """As ``translate``, for a message whose translation depends on ``context`` (gettext's
    ``msgctxt``): the same English word read two ways."""
    return catalog(lang).pgettext(context, message).format(**_said(lang, values))


class Message(str):
    """An English line that keeps its message id and values, so that it is shown in the
    user's language: library code writes ``Message(N_("{coin}: clamped"), coin="bitcoin")``
    where it builds a note or a problem; the object is the English text (JSON, logs and stored
    texts stay English) and ``in_language`` gives it in another language."""

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, /, **values: object) -> Message:
        line = super().__new__(cls, template.format(**values))
        line.template = template
        line.values = values
        return line

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, object]]:
        """Pickled as its message id and values (an error crossing a process pool), not as
        its text, which ``__new__`` would format again (a brace in a value would break it)."""
        return (self.template,), dict(self.values)

    @classmethod
    def joined(cls, separator: str, lines: Sequence[str]) -> Message:
        """``lines`` joined by ``separator``, each still translated where it is shown (a
        template of placeholders only, which no catalog holds, so it reads as it is)."""
        names = [f"line{i}" for i in range(len(lines))]
        template = separator.join("{" + name + "}" for name in names)
        return cls(template, **dict(zip(names, lines, strict=True)))

    def in_language(self, lang: str) -> str:
        """The line in ``lang``; values that are Messages themselves are translated too."""
        return translate(lang, self.template, **self.values)


def in_language(lang: str, line: object) -> object:
    """``line`` in ``lang`` when it can say itself in a language (a Message, or any object
    with ``in_language(lang)``, such as a CSV row's error); anything else as it is (a plain
    line has no message id to translate)."""
    say = getattr(line, "in_language", None)
    return say(lang) if callable(say) else line


def _said(lang: str, values: dict[str, object]) -> dict[str, object]:
    return {k: in_language(lang, v) for k, v in values.items()}


def error_message(exc: BaseException) -> str:
    """``exc``'s line, kept translatable when it is a finbot error raised with a message id
    (``FinbotError(N_("no model for {coin}"), coin=...)``); any other error's text as it is."""
    if isinstance(exc, FinbotError) and exc.template is not None:
        return Message(exc.template, **exc.values)
    return str(exc)


def N_(message: str) -> str:
    """Mark ``message`` for extraction (gettext's conventional name); it is translated where
    it is shown."""
    return message
