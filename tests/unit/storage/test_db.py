from __future__ import annotations

import threading

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, inspect
from sqlalchemy.orm import Mapped, mapped_column

from finbot.storage.db import Base, engine_for, ensure_tables, session_scope

pytestmark = pytest.mark.unit


class _Race(Base):
    __tablename__ = "race_probe"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


def test_concurrent_ensure_tables_never_fails(tmp_path):
    engine = engine_for(f"sqlite:///{tmp_path / 'race.db'}")
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


def test_session_scope_rolls_back_on_error(tmp_path):
    engine = engine_for(f"sqlite:///{tmp_path / 'tx.db'}")
    table = Table("tx_probe", MetaData(), Column("id", Integer, primary_key=True))
    table.metadata.create_all(engine)
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        session.execute(table.insert().values(id=1))
        raise RuntimeError("boom")
    with session_scope(engine) as session:
        assert session.execute(table.select()).all() == []
