from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, inspect, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Mapped, mapped_column

from finbot.errors import ConfigError
from finbot.storage.db import (
    Base,
    create_db_engine,
    engine_for,
    ensure_tables,
    session_scope,
    split_url,
)

pytestmark = pytest.mark.unit


class _Race(Base):
    __tablename__ = "race_probe"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


def test_concurrent_ensure_tables_never_fails(db_url: str) -> None:
    engine = engine_for(db_url)
    errors: list[BaseException] = []

    def create() -> None:
        try:
            ensure_tables(engine, _Race)
        except BaseException as exc:  # collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert "race_probe" in inspect(engine).get_table_names()


def test_session_scope_rolls_back_on_error(db_url: str) -> None:
    engine = engine_for(db_url)
    table = Table("tx_probe", MetaData(), Column("id", Integer, primary_key=True))
    table.metadata.create_all(engine)
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        session.execute(table.insert().values(id=1))
        raise RuntimeError("boom")
    with session_scope(engine) as session:
        assert session.execute(table.select()).all() == []
        session.execute(table.insert().values(id=2))
    with session_scope(engine) as session:
        assert session.execute(table.select()).all() == [(2,)]


def test_one_engine_per_url_and_schema(db_url: str) -> None:
    assert engine_for(db_url) is engine_for(db_url)
    assert create_db_engine(db_url) is not engine_for(db_url)


@pytest.mark.parametrize(
    ("url", "driver", "schema"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg", None),
        ("postgres://u:p@h:5433/db", "postgresql+psycopg", None),
        ("postgresql+psycopg://u@h/db?finbot_schema=f_ab12", "postgresql+psycopg", "f_ab12"),
        ("postgresql+psycopg2://u@h/db?finbot_schema=x", "postgresql+psycopg2", "x"),
        ("postgresql://u@h/db?sslmode=require&finbot_schema=s_1", "postgresql+psycopg", "s_1"),
        ("sqlite:////tmp/f.db?finbot_schema=ignored", "sqlite", None),
    ],
)
def test_urls_map_to_psycopg_and_carry_their_schema(url: str, driver: str, schema: str) -> None:
    parsed, chosen = split_url(url)
    assert parsed.drivername == driver and chosen == schema
    assert "finbot_schema" not in parsed.query
    if "sslmode" in url:
        assert parsed.query["sslmode"] == "require"


def test_an_explicit_schema_beats_the_urls() -> None:
    assert split_url("postgresql://u@h/db?finbot_schema=a", "b")[1] == "b"
    assert split_url("sqlite:////tmp/f.db", "b")[1] is None


@pytest.mark.parametrize("schema", ["Upper", "1digit", 'qu"ote', "a;drop", "x" * 64, ""])
def test_a_bad_schema_name_is_refused(schema: str) -> None:
    with pytest.raises(ConfigError, match="schema"):
        split_url("postgresql://u@h/db", schema)


def test_a_schema_is_created_once_and_is_the_whole_search_path(postgres_server: str) -> None:
    url = f"{postgres_server}?finbot_schema=probe_search_path"
    engines = [create_db_engine(url) for _ in range(4)]
    errors: list[BaseException] = []

    def connect(engine: object) -> None:
        try:
            with engine.connect() as conn:  # type: ignore[attr-defined]
                conn.execute(text("SELECT 1"))
        except BaseException as exc:  # collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=connect, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with engines[0].connect() as conn:
        assert conn.execute(text("SHOW search_path")).scalar() == "probe_search_path"
        assert conn.execute(text("SELECT current_schema()")).scalar() == "probe_search_path"
        conn.execute(text("CREATE TABLE lands_here (id integer)"))
        conn.commit()
        where = conn.execute(
            text("SELECT table_schema FROM information_schema.tables WHERE table_name = :t"),
            {"t": "lands_here"},
        ).scalar()
    assert where == "probe_search_path"
    assert inspect(engines[1]).get_table_names() == ["lands_here"]
    for engine in engines:
        engine.dispose()


def test_more_engines_than_the_cache_holds_all_stay_usable(tmp_path) -> None:
    urls = [f"sqlite:///{tmp_path / f'{i}.db'}" for i in range(10)]
    engines = [engine_for(url) for url in urls]
    assert engine_for(urls[-1]) is engines[-1]
    assert engine_for(urls[0]) is not engines[0]  # the oldest was let go (and disposed of)
    for engine in engines:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1


def test_a_schema_made_by_a_dba_needs_no_create_privilege(postgres_server: str) -> None:
    """A user allowed nothing but its own schema (no CREATE on the database) still works."""
    role, schema = f"bot_{uuid.uuid4().hex[:8]}", f"made_{uuid.uuid4().hex[:8]}"
    admin = create_db_engine(postgres_server)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        conn.execute(text(f"CREATE SCHEMA {schema} AUTHORIZATION {role}"))
    as_role = postgres_server.replace("//finbot@", f"//{role}@", 1)
    allowed = create_db_engine(f"{as_role}?finbot_schema={schema}")
    ensure_tables(allowed, _Race)
    assert inspect(allowed).get_table_names() == ["race_probe"]
    stranger = create_db_engine(f"{as_role}?finbot_schema=not_made_{role}")
    with pytest.raises(sa_exc.ProgrammingError, match="permission denied"):
        stranger.connect()
    for engine in (admin, allowed, stranger):
        engine.dispose()
