"""The commands a new user runs against a broken environment: one line, an exit code, no
traceback (and the traceback with -v); ``--help`` and ``--version`` write nothing."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def _finbot(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finbot", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
        env={**os.environ, **env},
    )


def _one_line(result: subprocess.CompletedProcess[str], code: int, needle: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(("error: ", "erreur : ")), result.stderr
    assert needle in lines[0]


def test_home_that_is_a_file(tmp_path: Path) -> None:
    home = tmp_path / "a-file"
    home.write_text("not a folder")
    _one_line(_finbot("--home", str(home), "settings"), 2, "--home must be a folder")


def test_json_errors_are_one_object_on_stdout(tmp_path: Path) -> None:
    home = tmp_path / "a-file"
    home.write_text("not a folder")
    result = _finbot("--home", str(home), "settings", "--json")
    assert json.loads(result.stdout)["error"]["type"] == "NotADirectoryError"


def test_corrupt_database(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "finbot.db").write_bytes(os.urandom(4096))
    _one_line(_finbot("--home", str(home), "tracker"), 1, "move it aside")
    _one_line(_finbot("--home", str(home), "collect", "prices"), 1, "file is not a database")


@pytest.mark.parametrize(
    ("url", "needle"),
    [("garbage", "FINBOT_DB_URL"), ("mysql+pymysql://u@127.0.0.1/x", "pip install 'pymysql'")],
)
def test_bad_database_url(tmp_path: Path, url: str, needle: str) -> None:
    result = _finbot("--home", str(tmp_path / "h"), "tracker", FINBOT_DB_URL=url)
    _one_line(result, 2, needle)


def test_unreachable_database_server(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")  # without it finbot names the driver to install
    url = "postgresql://finbot@127.0.0.1:9/finbot"  # discard port: nothing listens
    result = _finbot("--home", str(tmp_path / "h"), "tracker", FINBOT_DB_URL=url)
    _one_line(result, 1, "check FINBOT_DB_URL")
    assert "finbot.db" not in result.stderr


def test_busy_port(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        result = _finbot("--home", str(tmp_path / "h"), "replay-server", "--port", port)
    _one_line(result, 2, "--port")


def test_french_line_and_verbose_traceback(tmp_path: Path) -> None:
    home = tmp_path / "a-file"
    home.write_text("x")
    _one_line(_finbot("--home", str(home), "--lang", "fr", "settings"), 2, "dossier")
    verbose = _finbot("--home", str(home), "-v", "settings")
    assert verbose.returncode == 2 and "Traceback" in verbose.stderr


@pytest.mark.parametrize("args", [("evaluate", "--help"), ("--help",), ("--version",)])
def test_help_and_version_write_nothing(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = _finbot(*args, cwd=tmp_path, FINBOT_HOME="")
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []
