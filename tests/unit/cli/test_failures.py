"""Each failure a user can meet maps to one line and the README's exit code."""

from __future__ import annotations

import errno
import sqlite3

import pytest
from sqlalchemy import exc as sa

from finbot.errors import ConfigError, DataError
from finbot.i18n import describe

pytestmark = pytest.mark.unit


class _ServerError(Exception):
    """Stands for a database server's driver error (psycopg's), not SQLite's."""


@pytest.mark.parametrize(
    ("exc", "code", "needle"),
    [
        (ConfigError("coins.json: bad"), 2, "coins.json: bad"),
        (DataError("corrupt month"), 1, "corrupt month"),
        (PermissionError(errno.EACCES, "Permission denied", "/h/logs"), 2, "/h/logs"),
        (NotADirectoryError(errno.ENOTDIR, "Not a directory", "/f/logs"), 2, "--home"),
        (OSError(errno.EADDRINUSE, "Address already in use"), 2, "--port"),
        (OSError(errno.ENOSPC, "No space left on device", "/d/x"), 1, "free some space"),
        (OSError(errno.EIO, "Input/output error", "/d/y"), 1, "Input/output error"),
        (ModuleNotFoundError("No module named 'psycopg'", name="psycopg"), 2, "psycopg[binary]"),
        (sa.ArgumentError("Could not parse SQLAlchemy URL"), 2, "FINBOT_DB_URL"),
        (
            sa.DatabaseError("SELECT 1", {}, sqlite3.DatabaseError("file is not a database")),
            1,
            "move it",
        ),
        (
            sa.OperationalError("connect", {}, _ServerError("connection refused")),
            1,
            "FINBOT_DB_URL",
        ),
    ],
)
def test_known_failures_are_one_line(exc: BaseException, code: int, needle: str) -> None:
    failure = describe(exc)
    assert failure is not None and failure.exit_code == code
    for text in (failure.text("en"), failure.text("fr")):
        assert "\n" not in text
    assert needle in failure.text("en")


def test_french_lines_are_french() -> None:
    failure = describe(PermissionError(errno.EACCES, "Permission denied", "/h/logs"))
    assert failure is not None and failure.text("fr").startswith("accès refusé")


@pytest.mark.parametrize(
    "exc", [KeyError("x"), ZeroDivisionError(), ModuleNotFoundError("no", name="numpyy")]
)
def test_bugs_are_not_disguised(exc: BaseException) -> None:
    assert describe(exc) is None
