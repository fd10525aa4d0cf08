"""A French user's console: the warnings finbot logs are French there, and the log file keeps
the English (one JSON object a line, for machines and post-mortems)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from finbot.paths import Paths
from tests.integration.test_french_everywhere import english_in, english_words

pytestmark = pytest.mark.integration

KEYS = "CG-keyAAAAAAAAAAAAAAAAAA1,CG-keyBBBBBBBBBBBBBBBBBB2"


def _finbot(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finbot", "--home", str(home), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "COINGECKO_API_KEYS": KEYS},
    )


def _events(home: Path) -> list[str]:
    lines = (home / "logs" / "finbot.log").read_text("utf-8").splitlines()
    return [json.loads(line)["event"] for line in lines]


def test_a_429_is_french_on_the_console_and_english_in_the_log(
    replay_server: object, tmp_path: Path
) -> None:
    """Two keys: the first meets a 429 and rests, the second answers at once (no wait)."""
    replay_server.inject("429", 1, "/simple/price")  # type: ignore[attr-defined]
    url = replay_server.url  # type: ignore[attr-defined]
    done = _finbot(tmp_path, "--lang", "fr", "collect", "prices", "--base-url", url)
    assert done.returncode == 0, done.stderr
    console = " ".join(done.stderr.split())  # Rich folds long lines at the terminal's width
    assert "ATTENTION CoinGecko /simple/price : 429 pour la clé ****AAA1 ; remise à" in console
    assert "zéro dans 1,0 s" in console  # a decimal comma, as French writes it
    assert "for key" not in console and "WARNING" not in console
    assert english_in(done.stderr, Paths(tmp_path), english_words()) == [], done.stderr
    events = _events(tmp_path)
    assert "CoinGecko /simple/price: 429 for key ****AAA1; resets in 1.0 s" in events
    assert not [e for e in events if "clé" in e]


def test_the_same_run_in_english_says_it_in_english(replay_server: object, tmp_path: Path) -> None:
    replay_server.inject("429", 1, "/simple/price")  # type: ignore[attr-defined]
    url = replay_server.url  # type: ignore[attr-defined]
    done = _finbot(tmp_path, "collect", "prices", "--base-url", url)
    console = " ".join(done.stderr.split())
    assert "WARNING CoinGecko /simple/price: 429 for key ****AAA1; resets in 1.0 s" in console
