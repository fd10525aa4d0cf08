"""A home the user cannot write (issue 12, item 1): ``settings`` on a read-only folder, and
``train`` and ``storage verify`` on a read-only store, are one line and exit code 2, and the
store is left byte for byte as it was.

Permissions only bind a user who is not root, so as root (CI, containers) the commands run as
``nobody`` through util-linux's ``setpriv``, in folders that user may traverse.
"""

from __future__ import annotations

import hashlib
import math
import os
import random
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

AS_NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


def _prefix() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions cannot bind here")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_CORE_", "COVERAGE_"))}
    probe = subprocess.run(
        [*AS_NOBODY, sys.executable, "-c", "import finbot"], check=False, env=env
    )
    if probe.returncode != 0:
        pytest.skip("the user nobody cannot import finbot from this checkout")
    return AS_NOBODY


def _finbot(*args: str) -> subprocess.CompletedProcess[str]:
    """``finbot ARGS`` as the other user; without the test run's coverage, whose data files
    that user may not write."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_CORE_", "COVERAGE_"))}
    return subprocess.run(
        [*_prefix(), sys.executable, "-m", "finbot", "--lang", "en", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env=env,
    )


def _one_line(result: subprocess.CompletedProcess[str], needle: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: permission denied: ") and needle in lines[0], lines[0]
    assert "make it writable by this user or choose another --home" in lines[0]


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A folder under the system's temporary folder that every user may traverse (pytest's own
    is private to its user)."""
    folder = Path(tempfile.mkdtemp(prefix="finbot-ro-"))
    folder.chmod(0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | stat.S_IWUSR | stat.S_IXUSR)
    shutil.rmtree(folder)


def _csv(path: Path, rows: int = 600) -> Path:
    rng = random.Random(7)
    start = 1_730_000_000_000 - 1_730_000_000_000 % 3_600_000
    price, lines = 100.0, ["timestamp,open,high,low,close,volume"]
    for i in range(rows):
        before, price = price, price * math.exp(rng.gauss(0, 0.01))
        high, low = max(before, price) * 1.002, min(before, price) * 0.998
        lines.append(f"{start + i * 3_600_000},{before},{high},{low},{price},{1000 + i}")
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_settings_in_a_home_the_user_cannot_write(open_dir: Path) -> None:
    home = open_dir / "home"
    home.mkdir()
    home.chmod(0o555)
    _one_line(_finbot("--home", str(home), "settings"), f"{home}/logs")
    assert list(home.iterdir()) == []


def test_train_and_verify_on_a_read_only_store(open_dir: Path) -> None:
    home = open_dir / "home"
    imported = subprocess.run(  # as this user: the store is written once
        [sys.executable, "-m", "finbot", "--home", str(home), "import-csv"]
        + [str(_csv(open_dir / "btc.csv")), "--coin", "BTC", "--timeframe", "1h"]
        + ["--volume-unit", "quote"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.returncode == 0, imported.stderr
    (home / "models").mkdir()
    for path in [home / "parquet", *(home / "parquet").rglob("*"), home / "models"]:
        path.chmod(path.stat().st_mode & ~0o222 | 0o555)  # readable, not writable
    for path in [home, home / "logs", *(home / "logs").rglob("*")]:
        path.chmod(0o777 if path.is_dir() else 0o666)  # the logs and the database stay open
    before = _digest(home / "parquet")

    _one_line(
        _finbot("--home", str(home), "train", "--coin", "bitcoin", "--horizon", "1h"),
        f"{home}/models",
    )
    _one_line(_finbot("--home", str(home), "storage", "verify"), f"{home}/parquet/")
    assert _digest(home / "parquet") == before
    assert list((home / "models").iterdir()) == []
