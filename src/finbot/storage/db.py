"""The project database through SQLAlchemy: SQLite by default, any SQLAlchemy URL (e.g.
PostgreSQL) by ``$FINBOT_DB_URL``. Each module that owns a table declares it on ``Base`` and
creates it with ``ensure_tables`` when it first needs it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Engine, Table, create_engine, event
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Base(DeclarativeBase):
    """Declarative base of every finbot table."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per database URL per process (engines are pools, meant to be shared)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 10, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def ensure_tables(engine: Engine, *models: type[Base]) -> None:
    """Create the tables of ORM ``models`` when missing. Two threads or processes may race on
    the same table: the loser's "already exists" error is harmless, so it checks again."""
    for attempt in range(3):
        try:
            tables = [cast(Table, model.__table__) for model in models]
            Base.metadata.create_all(engine, tables=tables)
            return
        except (OperationalError, ProgrammingError) as exc:
            if "already exists" not in str(exc).lower() or attempt == 2:
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
