"""Where a home's database is: its SQLite file, or its own schema of a shared PostgreSQL."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from finbot.errors import ConfigError
from finbot.paths import Paths, is_postgresql_url, url_schema

pytestmark = pytest.mark.unit


def test_sqlite_by_default_and_no_home_id_written(home: Paths) -> None:
    assert home.db_url == f"sqlite:///{home.db_file}"
    assert not home.home_id_file.exists()


@pytest.mark.parametrize(
    "url",
    ["sqlite:////tmp/other.db", "mysql+pymysql://u@h/db"],
)
def test_other_urls_are_used_as_they_are(
    home: Paths, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setenv("FINBOT_DB_URL", url)
    assert home.db_url == url


@pytest.mark.parametrize(
    ("url", "joined"),
    [
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db?finbot_schema="),
        ("postgres://u@h/db?sslmode=require", "postgres://u@h/db?sslmode=require&finbot_schema="),
        ("postgresql://u@h/db?", "postgresql://u@h/db?finbot_schema="),
    ],
)
def test_a_postgresql_url_gets_the_homes_schema(
    home: Paths, monkeypatch: pytest.MonkeyPatch, url: str, joined: str
) -> None:
    monkeypatch.setenv("FINBOT_DB_URL", url)
    resolved = home.db_url
    assert resolved == joined + home.db_schema
    assert url_schema(resolved) == home.db_schema
    assert home.db_schema.startswith("finbot_") and len(home.db_schema) == len("finbot_") + 12


def test_a_url_that_names_a_schema_keeps_it(home: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINBOT_DB_URL", "postgresql://u@h/db?finbot_schema=public")
    assert home.db_url == "postgresql://u@h/db?finbot_schema=public"


def test_the_home_id_is_stable_per_home_and_moves_with_it(tmp_path: Path) -> None:
    first, second = Paths.resolve(tmp_path / "a"), Paths.resolve(tmp_path / "b")
    assert first.home_id == first.home_id == Paths.resolve(tmp_path / "a").home_id
    assert first.home_id != second.home_id
    kept = first.home_id
    shutil.move(first.home, tmp_path / "moved")
    assert Paths.resolve(tmp_path / "moved").home_id == kept


def test_processes_racing_to_make_the_id_agree(tmp_path: Path) -> None:
    paths = Paths.resolve(tmp_path / "race")
    seen: list[str] = []
    threads = [threading.Thread(target=lambda: seen.append(paths.home_id)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 8 and len(set(seen)) == 1
    assert sorted(p.name for p in paths.home.iterdir()) == ["home_id"]  # no temporary left


@pytest.mark.parametrize("content", ["", "Not-An-Id", "x" * 51, "a b"])
def test_a_damaged_home_id_is_a_config_error(tmp_path: Path, content: str) -> None:
    paths = Paths.resolve(tmp_path / "h")
    paths.home.mkdir()
    paths.home_id_file.write_text(content)
    with pytest.raises(ConfigError, match="home_id"):
        _ = paths.db_schema


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://h/db", True),
        ("postgres://h/db", True),
        ("postgresql+psycopg2://h/db", True),
        ("POSTGRESQL+psycopg://h/db", True),
        ("sqlite:///x.db", False),
        ("postgresql", False),
        ("mysql://h/db", False),
    ],
)
def test_postgresql_urls_are_recognised(url: str, expected: bool) -> None:
    assert is_postgresql_url(url) is expected
