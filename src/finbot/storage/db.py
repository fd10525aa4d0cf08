"""The project database through SQLAlchemy: SQLite by default (one file per home), any
SQLAlchemy URL by ``$FINBOT_DB_URL``. PostgreSQL is first-class: ``postgresql://`` and
``postgres://`` mean the psycopg (v3) driver, and a URL naming a schema
(``?finbot_schema=NAME``, which ``Paths.db_url`` adds for each home) gets that schema, created
on first use and first on every connection's ``search_path``, so every table (tracker, API usage,
job runs, the scheduler's job store) lands in it without a qualified name. Each module that
owns a table declares it on ``Base`` and creates it with ``ensure_tables`` when it first
needs it."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import URL, Engine, Table, create_engine, event, make_url
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from finbot.errors import ConfigError
from finbot.i18n import N_
from finbot.paths import DB_SCHEMA_PARAM

POSTGRESQL_DRIVER = "postgresql+psycopg"
_BARE_POSTGRESQL = ("postgresql", "postgres")
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_CACHE_SIZE = 8


class Base(DeclarativeBase):
    """Declarative base of every finbot table."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def split_url(url: str, schema: str | None = None) -> tuple[URL, str | None]:
    """``url`` as SQLAlchemy will connect to it (bare ``postgresql``/``postgres`` mapped to the
    psycopg driver, ``finbot_schema`` removed) and the schema to use: ``schema``, else the
    URL's ``finbot_schema``; always None off PostgreSQL (SQLite is one file per home)."""
    parsed = make_url(url)
    named = parsed.query.get(DB_SCHEMA_PARAM)
    parsed = parsed.difference_update_query([DB_SCHEMA_PARAM])
    if parsed.drivername in _BARE_POSTGRESQL:
        parsed = parsed.set(drivername=POSTGRESQL_DRIVER)
    if parsed.get_backend_name() != "postgresql":
        return parsed, None
    chosen = schema if schema is not None else (named[-1] if isinstance(named, tuple) else named)
    if chosen is not None and not _SCHEMA_NAME.fullmatch(chosen):
        raise ConfigError(
            N_(
                "database schema {schema!r}: expected 1 to 63 lowercase letters, digits or _, "
                "not starting with a digit"
            ),
            schema=chosen,
        )
    return parsed, chosen


def _schema_on_connect(schema: str) -> Callable[[Any, Any], None]:
    """A ``connect`` listener: create ``schema`` when missing, then make it the connection's
    whole ``search_path`` (``public`` left out: nothing unqualified reaches another home)."""

    def exists(cursor: Any) -> bool:
        cursor.execute("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = %s", (schema,))
        return cursor.fetchone() is not None

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            # Look first: CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege on the
            # database even when the schema exists (a DBA may have made it for us).
            if not exists(cursor):
                try:
                    cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
                    dbapi_connection.commit()
                except Exception:  # another process created it at the same moment
                    dbapi_connection.rollback()
                    if not exists(cursor):
                        raise
            cursor.execute(f'SET search_path TO "{schema}"')
            dbapi_connection.commit()  # a committed SET lasts the whole session
        finally:
            cursor.close()

    return on_connect


def create_db_engine(url: str, *, schema: str | None = None) -> Engine:
    """A new engine for ``url`` (see ``split_url`` for the schema); prefer ``engine_for``."""
    parsed, chosen = split_url(url, schema)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": 10, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(parsed, pool_pre_ping=True)
    if chosen is not None:
        # First of the connect listeners: SQLAlchemy's own first-connect setup then reads the
        # home's schema as the default one.
        event.listen(engine, "connect", _schema_on_connect(chosen), insert=True)
    return engine


_ENGINES: OrderedDict[tuple[str, str | None], Engine] = OrderedDict()
_ENGINES_LOCK = threading.Lock()


def engine_for(url: str, *, schema: str | None = None) -> Engine:
    """One engine per database URL (and schema) per process: engines are pools, meant to be
    shared. The least recently used of more than 8 is disposed of (its idle connections
    closed; it still works if someone holds it)."""
    key = (url, schema)
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is not None:
            _ENGINES.move_to_end(key)
            return engine
        engine = _ENGINES[key] = create_db_engine(url, schema=schema)
        evicted = _ENGINES.popitem(last=False)[1] if len(_ENGINES) > _CACHE_SIZE else None
    if evicted is not None:
        evicted.dispose()
    return engine


def dispose_engines() -> None:
    """Close the idle connections of every engine ``engine_for`` made (before a server the
    process used goes away); the engines themselves stay usable."""
    with _ENGINES_LOCK:
        engines = list(_ENGINES.values())
    for engine in engines:
        engine.dispose()


def _lost_a_creation_race(exc: Exception) -> bool:
    """SQLite and PostgreSQL say "already exists"; PostgreSQL may also fail on its catalog's
    unique index when two sessions create one table at the same moment."""
    text = str(exc).lower()
    return "already exists" in text or "pg_type_typname_nsp_index" in text


def ensure_tables(engine: Engine, *models: type[Base]) -> None:
    """Create the tables of ORM ``models`` when missing. Two threads or processes may race on
    the same table: the loser's error is harmless, so it checks again."""
    for attempt in range(3):
        try:
            tables = [cast(Table, model.__table__) for model in models]
            Base.metadata.create_all(engine, tables=tables)
            return
        except (OperationalError, ProgrammingError, IntegrityError) as exc:
            if not _lost_a_creation_race(exc) or attempt == 2:
                raise


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A transaction: committed on success, rolled back on any error."""
    session = sessionmaker(engine, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
