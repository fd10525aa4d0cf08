"""Every failure a user can meet, as one line and an exit code.

finbot's own errors already carry their message and code (``finbot.errors``). This module
maps the others a user can cause or meet (the operating system's and the database's) to the
same shape: what went wrong, where, and what to do. Exit codes follow the README: 2 for bad
input or configuration (a home that is not writable, a busy port, a bad database URL, a
missing driver), 1 for failures at run time (a full disk, a corrupt database file).
"""

from __future__ import annotations

import errno
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from finbot.errors import FinbotError
from finbot.i18n.messages import N_, Message, translate

DRIVERS = {"psycopg": "psycopg[binary]", "psycopg2": "psycopg2-binary", "pymysql": "pymysql"}


@dataclass(frozen=True)
class Failure:
    """One line for the user: ``kind`` names the error class in ``--json``; ``message`` is the
    English text with ``{placeholders}`` filled from ``values``, translated where it is shown."""

    kind: str
    message: str
    exit_code: int
    values: Mapping[str, object] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        """The line in ``lang`` (``translate`` says each value in ``lang`` too)."""
        return translate(lang, self.message, **self.values)


def failure_line(exc: BaseException) -> str:
    """``exc`` as the line the command line would give (``describe``), kept translatable: a
    ``Message`` for every failure finbot knows (its own errors, the operating system's, the
    database's), which says itself in the user's language where it is shown (the console, a
    page); any other error (a bug) as its type and text. For a value inside a logged or shown
    line."""
    failure = describe(exc)
    if failure is None:
        return f"{type(exc).__name__}: {exc}"
    return Message(failure.message, **failure.values)


def describe(exc: BaseException) -> Failure | None:
    """The user-facing line for ``exc``, or None for a bug (shown with its traceback)."""
    if isinstance(exc, FinbotError) and exc.template is not None:
        return Failure(type(exc).__name__, exc.template, exc.exit_code, exc.values)
    if isinstance(exc, FinbotError):
        # already in the user's language (or English only): shown as it is ('{error}' is no
        # catalog message)
        return Failure(type(exc).__name__, "{error}", exc.exit_code, {"error": str(exc)})
    if isinstance(exc, ModuleNotFoundError) and exc.name in DRIVERS:
        return _missing_driver(exc.name)
    if isinstance(exc, OSError):
        return _os_failure(exc)
    return _database_failure(exc)


def _missing_driver(name: str) -> Failure:
    package = DRIVERS[name]
    return Failure(
        "MissingDriver",
        N_(
            "the database driver '{name}' is not installed: pip install '{package}' "
            "(or unset FINBOT_DB_URL to use the home's SQLite file)"
        ),
        2,
        {"name": name, "package": package},
    )


def _where(exc: OSError) -> str:
    return str(exc.filename) if exc.filename else "?"


def _is_not_a_directory(exc: OSError) -> bool:
    return isinstance(exc, NotADirectoryError | FileExistsError) or exc.errno == errno.ENOTDIR


# the operating system's errors a user can cause: (matches, message, exit code, names where)
_OS_FAILURES: tuple[tuple[Callable[[OSError], bool], str, int, bool], ...] = (
    (
        lambda exc: isinstance(exc, PermissionError),
        N_("permission denied: {where}: make it writable by this user or choose another --home"),
        2,
        True,
    ),
    (
        _is_not_a_directory,
        N_("not a directory: {where}: --home must be a folder (or a path that does not exist yet)"),
        2,
        True,
    ),
    (
        lambda exc: exc.errno == errno.EADDRINUSE,
        N_(
            "address already in use: another program listens on that port; choose another "
            "--port (0 picks a free one)"
        ),
        2,
        False,
    ),
    (
        lambda exc: exc.errno == errno.ENOSPC,
        N_(
            "no space left on the device holding {where}: free some space, nothing stored was "
            "changed"
        ),
        1,
        True,
    ),
)


def _os_failure(exc: OSError) -> Failure:
    where = _where(exc)
    kind = type(exc).__name__
    for matches, message, exit_code, names_where in _OS_FAILURES:
        if matches(exc):
            return Failure(kind, message, exit_code, {"where": where} if names_where else {})
    reason = exc.strerror or str(exc)
    if not exc.filename:
        return Failure(kind, N_("system error: {reason}"), 1, {"reason": reason})
    return Failure(
        kind, N_("system error: {reason}: {where}"), 1, {"reason": reason, "where": where}
    )


def _database_failure(exc: BaseException) -> Failure | None:
    try:
        from sqlalchemy import exc as sa
    except ImportError:  # pragma: no cover - sqlalchemy is a dependency
        return None
    if isinstance(exc, sa.ArgumentError | sa.NoSuchModuleError):
        return Failure(
            "DatabaseURL",
            N_(
                "FINBOT_DB_URL is not a usable database URL ({exc}); expected e.g. "
                "sqlite:////path/finbot.db or postgresql+psycopg://user@host/db"
            ),
            2,
            {"exc": exc},
        )
    if isinstance(exc, sa.DBAPIError):
        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else type(exc).__name__
        if exc.orig is not None and not type(exc.orig).__module__.startswith("sqlite3"):
            return Failure(  # a database server (PostgreSQL): no finbot.db to move aside
                "DatabaseError",
                N_(
                    "the database failed: {reason}; check FINBOT_DB_URL (host, port, user, "
                    "password, database) and that the database server is up"
                ),
                1,
                {"reason": reason},
            )
        return Failure(
            "DatabaseError",
            N_(
                "the database failed: {reason}; if the home's finbot.db is corrupt, move it aside "
                "(finbot creates a new one) or restore a backup"
            ),
            1,
            {"reason": reason},
        )
    return None
