"""Every failure a user can meet, as one line and an exit code.

finbot's own errors already carry their message and code (``finbot.errors``). This module
maps the others a user can cause or meet (the operating system's and the database's) to the
same shape: what went wrong, where, and what to do. Exit codes follow the README: 2 for bad
input or configuration (a home that is not writable, a busy port, a bad database URL, a
missing driver), 1 for failures at run time (a full disk, a corrupt database file).
"""

from __future__ import annotations

import errno
from dataclasses import dataclass

from finbot.errors import FinbotError

DRIVERS = {"psycopg": "psycopg[binary]", "psycopg2": "psycopg2-binary", "pymysql": "pymysql"}


@dataclass(frozen=True)
class Failure:
    """One line for the user: ``kind`` names the error class in ``--json``."""

    kind: str
    en: str
    fr: str
    exit_code: int


def describe(exc: BaseException) -> Failure | None:
    """The user-facing line for ``exc``, or None for a bug (shown with its traceback)."""
    if isinstance(exc, FinbotError):
        text = str(exc)
        return Failure(type(exc).__name__, text, text, exc.exit_code)
    if isinstance(exc, ModuleNotFoundError) and exc.name in DRIVERS:
        return _missing_driver(exc.name)
    if isinstance(exc, OSError):
        return _os_failure(exc)
    return _database_failure(exc)


def _missing_driver(name: str) -> Failure:
    package = DRIVERS[name]
    return Failure(
        "MissingDriver",
        f"the database driver '{name}' is not installed: pip install '{package}' "
        "(or unset FINBOT_DB_URL to use the home's SQLite file)",
        f"le pilote de base de données '{name}' n'est pas installé : pip install '{package}' "
        "(ou retirez FINBOT_DB_URL pour utiliser le fichier SQLite du dossier)",
        2,
    )


def _where(exc: OSError) -> str:
    return str(exc.filename) if exc.filename else "?"


def _os_failure(exc: OSError) -> Failure:
    where = _where(exc)
    kind = type(exc).__name__
    if isinstance(exc, PermissionError):
        return Failure(
            kind,
            f"permission denied: {where}: make it writable by this user or choose another --home",
            f"accès refusé : {where} : rendez-le accessible en écriture ou choisissez un autre "
            "--home",
            2,
        )
    if isinstance(exc, NotADirectoryError | FileExistsError) or exc.errno == errno.ENOTDIR:
        return Failure(
            kind,
            f"not a directory: {where}: --home must be a folder (or a path that does not exist "
            "yet)",
            f"ce n'est pas un dossier : {where} : --home doit être un dossier (ou un chemin qui "
            "n'existe pas encore)",
            2,
        )
    if exc.errno == errno.EADDRINUSE:
        return Failure(
            kind,
            "address already in use: another program listens on that port; choose another "
            "--port (0 picks a free one)",
            "adresse déjà utilisée : un autre programme écoute sur ce port ; choisissez un autre "
            "--port (0 en choisit un libre)",
            2,
        )
    if exc.errno == errno.ENOSPC:
        return Failure(
            kind,
            f"no space left on the device holding {where}: free some space, nothing stored was "
            "changed",
            f"plus de place sur le disque de {where} : libérez de l'espace, rien de ce qui est "
            "stocké n'a changé",
            1,
        )
    reason = exc.strerror or str(exc)
    return Failure(
        kind, f"system error: {reason}: {where}", f"erreur système : {reason} : {where}", 1
    )


def _database_failure(exc: BaseException) -> Failure | None:
    try:
        from sqlalchemy import exc as sa
    except ImportError:  # pragma: no cover - sqlalchemy is a dependency
        return None
    if isinstance(exc, sa.ArgumentError | sa.NoSuchModuleError):
        return Failure(
            "DatabaseURL",
            f"FINBOT_DB_URL is not a usable database URL ({exc}); expected e.g. "
            "sqlite:////path/finbot.db or postgresql+psycopg://user@host/db",
            f"FINBOT_DB_URL n'est pas une URL de base de données utilisable ({exc}) ; attendu "
            "par ex. sqlite:////chemin/finbot.db ou postgresql+psycopg://user@hote/base",
            2,
        )
    if isinstance(exc, sa.DBAPIError):
        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else type(exc).__name__
        if exc.orig is not None and not type(exc.orig).__module__.startswith("sqlite3"):
            return Failure(  # a database server (PostgreSQL): no finbot.db to move aside
                "DatabaseError",
                f"the database failed: {reason}; check FINBOT_DB_URL (host, port, user, "
                "password, database) and that the database server is up",
                f"la base de données a échoué : {reason} ; vérifiez FINBOT_DB_URL (hôte, port, "
                "utilisateur, mot de passe, base) et que le serveur de base de données tourne",
                1,
            )
        return Failure(
            "DatabaseError",
            f"the database failed: {reason}; if the home's finbot.db is corrupt, move it aside "
            "(finbot creates a new one) or restore a backup",
            f"la base de données a échoué : {reason} ; si le finbot.db du dossier est corrompu, "
            "déplacez-le (finbot en crée un nouveau) ou restaurez une sauvegarde",
            1,
        )
    return None
