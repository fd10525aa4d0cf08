"""The one error hierarchy of finbot.

Every message says what was wrong and what was expected, on one line, so the CLI can print it
as is. Exit codes: ConfigError and UsageError map to 2, everything else to 1.
"""

from __future__ import annotations


def N_(message: str) -> str:  # finbot.i18n's marker (errors sits below i18n in the layers)
    return message


class FinbotError(Exception):
    """Base of every error finbot raises on purpose.

    ``FinbotError(N_("no model for {coin}"), coin="bitcoin")`` carries its English message id
    and values, so the CLI shows it in the user's language; ``str(exc)`` is the English line.
    A plain message (no values) is shown as it is."""

    exit_code = 1

    def __init__(self, message: str = "", /, **values: object):
        super().__init__(message.format(**values) if values else message)
        self.template: str | None = message if values else None
        self.values: dict[str, object] = values


class ConfigError(FinbotError):
    """A configuration file or value is malformed (file, field and expectation in the text)."""

    exit_code = 2


class UsageError(FinbotError):
    """The user asked for something impossible: unknown coin, bad horizon, bad option."""

    exit_code = 2


class ApiError(FinbotError):
    """An API answered with an error we could not recover from (a message id and its values,
    as every FinbotError, with the HTTP status and the API's error code)."""

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
        FinbotError.__init__(self, message, **values)
        self.status, self.code = status, None
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

    def __init__(self, message: str, *, rows: int | None = None):
        super().__init__(message)
        self.rows = rows


class AlreadyRunning(FinbotError):
    """Another finbot process holds the lock of this home."""

    def __init__(self, pid: int | None):
        if pid:
            super().__init__(
                N_("finbot is already running (PID {pid}); use 'finbot stop' first"), pid=pid
            )
        else:
            super().__init__(
                N_("finbot is already running (another process); use 'finbot stop' first"),
                pid=None,
            )
        self.pid = pid
