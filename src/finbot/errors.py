"""The one error hierarchy of finbot.

Every message says what was wrong and what was expected, on one line, so the CLI can print it
as is. Exit codes: ConfigError and UsageError map to 2, everything else to 1.

Raise with an English message id and its values, never an f-string, so that the line is shown
in the user's language: ``UsageError(N_("coin: unknown {text!r}"), text=text)`` (a text from
the operating system or a library goes in as a value; ``tests/unit/i18n/test_error_templates_*``
check every raise).
"""

from __future__ import annotations


def N_(message: str) -> str:  # finbot.i18n's marker (errors sits below i18n in the layers)
    return message


class FinbotError(Exception):
    """Base of every error finbot raises on purpose.

    ``FinbotError(N_("no model for {coin}"), coin="bitcoin")`` carries its English message id
    and values, so the CLI shows it in the user's language; ``str(exc)`` is the English line.
    A message without values is a message id too (``N_("...")``, a literal brace written
    ``{{``); so is a ``finbot.i18n.Message`` given as the message (its id and values are
    taken). A line that is no ``str.format`` template (text that embedded braces) is kept as
    it is and shown untranslated (``template`` is None)."""

    exit_code = 1

    def __init__(self, message: str = "", /, **values: object):
        carried = getattr(message, "template", None)  # a Message: its id and its values
        if isinstance(carried, str) and not values:
            message, values = carried, dict(getattr(message, "values", {}))
        template, line = _template_and_line(message, values)
        super().__init__(line)
        self.template: str | None = template
        self.values: dict[str, object] = values


def _template_and_line(message: str, values: dict[str, object]) -> tuple[str | None, str]:
    """The message id (None when ``message`` is no template) and the English line."""
    if values:
        return message, message.format(**values)
    try:
        return message, message.format()
    except (KeyError, IndexError, ValueError, AttributeError):
        return None, message


class ConfigError(FinbotError):
    """A configuration file or value is malformed (file, field and expectation in the text)."""

    exit_code = 2


class UsageError(FinbotError):
    """The user asked for something impossible: unknown coin, bad horizon, bad option."""

    exit_code = 2


class ApiError(FinbotError):
    """An API answered with an error we could not recover from (``status``: the HTTP status,
    ``code``: the API's own error code; the message's values follow as for every error)."""

    def __init__(
        self,
        message: str,
        /,
        *,
        status: int | None = None,
        code: int | None = None,
        **values: object,
    ):
        super().__init__(message, **values)
        self.status = status
        self.code = code


class RateLimited(ApiError):
    """Every key is rate-limited; ``retry_after`` seconds until one is free."""

    def __init__(
        self, message: str, /, *, retry_after: float, status: int | None = 429, **values: object
    ):
        super().__init__(message, status=status, code=None, **values)
        self.retry_after = retry_after


class QuotaExhausted(ApiError):
    """The monthly request cap would be exceeded."""


class HistoryLimit(ApiError):
    """The plan cannot reach that far back (CoinGecko error 10012: past 365 days)."""


class DataError(FinbotError):
    """Stored or received data is malformed (corrupt Parquet, bad CSV row, absurd price)."""


class ModelError(FinbotError):
    """A model is missing, incompatible with the feature builder, or failed to load."""


class JobFailed(FinbotError):
    """A scheduler job's library call reported a failure it did not raise (a collector run
    whose source failed is recorded, not raised); the job runner records the text as is, and
    the ``rows`` stored before it failed."""

    def __init__(self, message: str, /, *, rows: int | None = None, **values: object):
        super().__init__(message, **values)
        self.rows = rows


class AlreadyRunning(FinbotError):
    """Another finbot process holds the lock of this home."""

    def __init__(self, pid: int | None):
        message = (
            N_("finbot is already running (PID {pid}); use 'finbot stop' first")
            if pid
            else N_("finbot is already running (another process); use 'finbot stop' first")
        )
        super().__init__(message, pid=pid or None)
        self.pid = pid
