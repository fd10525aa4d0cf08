"""Every command's output under ``--lang fr`` is French, and every table fits 80 columns.

The English words come from the catalog itself: a word of an English message (a msgid) that no
French translation uses is English only (``running``, ``pending``, ``predictions``), so finding
it in French output means a string skipped the catalog. Words the French also writes (command
names such as ``finbot train``, ``horizon``, ``ratio``) are not on the list; coin ids and names,
units, paths and JSON are taken out of the output first.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import read_mo
from typer.testing import CliRunner

from finbot.cli.app import app
from finbot.clock import FakeClock
from finbot.config import load_settings
from finbot.i18n import LOCALE_DIR
from finbot.paths import Paths
from finbot.replay import generate_history
from finbot.timeframes import DAY_MS

pytestmark = pytest.mark.integration

WORD = re.compile(r"[A-Za-zÀ-ÿ]{3,}")
PLACEHOLDER = re.compile(r"\{[^}]*\}|\[[a-z /]+\]")  # {values} and Rich markup ([red], [/])
# what a French line may hold besides French: names, units, algorithm and column codes
NEUTRAL = {"finbot", "coingecko", "parquet", "sqlite", "json", "csv", "utc", "mae", "cpu", "ram"}
NEUTRAL |= {"gpu", "api", "pid", "naive", "linear", "random", "forest", "lightgbm", "xgboost"}
NEUTRAL |= {"min", "usd", "eur", "ohlcv", "exchangerate", "ccxt"}

COMMANDS: tuple[tuple[str, ...], ...] = (
    ("settings",),
    ("storage", "summary"),
    ("storage", "verify"),
    ("storage", "retention"),
    ("models", "list"),
    ("models", "cleanup", "--dry-run"),
    ("coins", "list"),
    ("cleanup-models", "--dry-run"),
    ("train", "--coin", "BTC", "--horizon", "1h", "--algorithms", "linear"),
    ("train-incremental", "--mode", "micro", "--coin", "bitcoin"),
    ("evaluate", "--coin", "BTC", "--horizon", "1h", "--folds", "2"),
    ("stop",),
    ("predict", "--coin", "BTC", "--horizon", "1h"),
    ("predict", "--coin", "ETH", "--horizon", "1h", "--kind", "amount", "--amount-eur", "500"),
    ("predict", "--coin", "BTC", "--kind", "when", "--gain", "2"),
    ("predict", "--kind", "best"),
    ("predict", "--coin", "SOL", "--horizon", "1h"),  # no model: the error line
    ("tracker",),
    ("confidence-metrics",),
    ("status",),
)


def _ids(args: object) -> str:
    return " ".join(args) if isinstance(args, tuple) else str(args)


def english_words() -> set[str]:
    """Words of the English messages that no French translation writes."""
    with (LOCALE_DIR / "fr" / "LC_MESSAGES" / "finbot.mo").open("rb") as fh:
        catalog = read_mo(fh)
    english: set[str] = set()
    french: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        english |= {w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", str(message.id)))}
        french |= {w.lower() for w in WORD.findall(PLACEHOLDER.sub(" ", str(message.string)))}
    return english - french - NEUTRAL


def neutral_words(home: Paths) -> set[str]:
    """Coin ids, names, symbols and aliases, and the home's path: not language."""
    coins = load_settings(home).coins.coins
    words = {w.lower() for c in coins for name in c.names() for w in WORD.findall(name)}
    return words | {w.lower() for w in WORD.findall(str(home.home))}


def run(home: Path, *args: str, lang: str = "fr") -> str:
    result = CliRunner().invoke(app, ["--home", str(home), "--lang", lang, *args])
    return result.output


JSON_LINE = re.compile(r'^\s*("|[{}\[\]])|^\s+(-?[\d.]+|true|false|null),?$')
DECIMAL_POINT = re.compile(r"(?<![\w.:/-])[+\-−]?\d+\.\d+(?![\w.:/-])")  # 1.0007, not v1.2.3


def english_in(text: str, home: Paths, words: set[str]) -> list[str]:
    text = "\n".join(line for line in text.splitlines() if not JSON_LINE.match(line))
    text = re.sub(r"\S*\.json\b", " ", text)  # file names
    text = re.sub(r"\S*/\S*", " ", text)  # paths and 'finbot x/y' routes
    text = re.sub(r"'finbot [^']*'", " ", text)  # a command to run is written as typed
    found = {w.lower() for w in WORD.findall(text)} - neutral_words(home)
    return sorted(found & words)


def test_the_word_list_holds_english_only_words() -> None:
    words = english_words()
    assert {"running", "predictions", "pending", "interval"} <= words
    assert not {"horizon", "finbot", "bitcoin", "ratio"} & words


@pytest.mark.parametrize("args", COMMANDS, ids=_ids)
def test_every_command_speaks_french(trained_home: Paths, args: tuple[str, ...]) -> None:
    text = run(trained_home.home, *args)
    assert text.strip(), args
    assert english_in(text, trained_home, english_words()) == [], text[-3000:]


def test_the_same_commands_in_english_are_caught_by_the_list(trained_home: Paths) -> None:
    """The check can fail: English output is full of the listed words."""
    text = run(trained_home.home, "status", lang="en")
    assert len(english_in(text, trained_home, english_words())) >= 5


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("args", COMMANDS, ids=_ids)
def test_every_table_fits_80_columns_uncut(
    trained_home: Paths, args: tuple[str, ...], lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    text = run(trained_home.home, *args, lang=lang)
    assert "…" not in text
    tables = [line for line in text.splitlines() if "──" in line or "━" in line]
    wide = [line for line in text.splitlines() if len(line) > 80]
    assert [line for line in wide if _tabular(line, tables)] == []


def _tabular(line: str, rules: list[str]) -> bool:
    """A table line (cells separated by two spaces or more), not one long sentence that the
    terminal wraps as it likes."""
    return bool(rules) and len(re.findall(r"\S  +\S", line)) >= 2


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_tracker_rows_stay_on_one_line_at_80_columns(
    trained_home: Paths, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No cell is folded either: each recorded prediction is one line of the table."""
    monkeypatch.setenv("COLUMNS", "80")
    for coin in ("BTC", "ETH"):
        run(trained_home.home, "predict", "--coin", coin, "--horizon", "1h")
    text = run(trained_home.home, "tracker", "--no-resolve", lang=lang)
    lines = text.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("──"))
    rest = [line for line in lines[rule + 1 :] if line.strip()]
    legend = next(i for i, line in enumerate(rest) if line.startswith(("dir.", "sens")))
    body = rest[:legend]  # the legend (and the reliability line) end it
    assert len(body) >= 2
    assert all(re.match(r"\d\d-\d\d \d\d:\d\d  +(BTC|ETH) ", line) for line in body), text
    assert max(len(line) for line in lines) <= 80


def test_tables_print_whole_through_a_pipe(trained_home: Paths) -> None:
    """A real process whose stdout is a pipe (no terminal, no $COLUMNS): whole tables."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    for args in (("models", "list"), ("confidence-metrics",), ("status",)):
        out = subprocess.run(
            [sys.executable, "-m", "finbot", "--lang", "fr", *args],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "…" not in out and "BTC" in out
        rules = [line for line in out.splitlines() if "──" in line]
        assert rules and max(len(line) for line in rules) <= 80, out
        assert [line for line in out.splitlines() if len(line) > 80 and _tabular(line, rules)] == []


@pytest.mark.parametrize(
    "args",
    [
        ("collect-historical", "--coins", "bitcoin", "--days", "3"),
        ("collect", "prices"),
        ("collect", "fx"),
        ("coins", "add", "bitcoin"),  # already followed: the error line
    ],
    ids=_ids,
)
def test_the_collecting_commands_speak_french(
    trained_home: Paths, replay_server: object, args: tuple[str, ...]
) -> None:
    """Against the replay server (the network paths), in French."""
    url = replay_server.url  # type: ignore[attr-defined]
    text = run(trained_home.home, *args, "--base-url", url)
    assert text.strip()
    typed = {w.lower() for a in args for w in WORD.findall(a)}  # the collector named, echoed
    assert english_in(text, trained_home, english_words() - typed) == [], text[-3000:]
    assert DECIMAL_POINT.findall(_no_json(text)) == [], text[-3000:]


def test_import_csv_speaks_french(trained_home: Paths, tmp_path: Path) -> None:
    """The import's own lines; the rejected rows' problems are the CSV reader's (storage)."""
    csv = tmp_path / "bars.csv"
    csv.write_text(
        "timestamp,open,high,low,close,volume\n"
        "2024-01-01T00:00:00Z,100,101,99,100.5,10\n"
        "2024-01-01T01:00:00Z,100.5,102,100,101,0\n",
        "utf-8",
    )
    text = run(trained_home.home, "import-csv", str(csv), "--coin", "BTC", "--timeframe", "1h")
    assert text.strip()
    assert english_in(text, trained_home, english_words()) == [], text


def test_json_keeps_english_under_french(trained_home: Paths) -> None:
    out = run(trained_home.home, "predict", "--coin", "BTC", "--horizon", "1h", "--json")
    data = json.loads(out)
    assert data["decision"] in ("BUY", "SELL", "HOLD")
    assert "CONSERVER" not in out and "ACHETER" not in out


# ------------------------------------------------ lines built by library code (notes, problems)
def test_collect_historical_clamp_notes_and_warning_speak_french(
    trained_home: Paths, make_replay_server: Any
) -> None:
    """A fresh coin over more than the plan's 365 days: the 5-minute note, the clamp note and
    the console WARNING the range fetch logs are French (the numbers and dates are neutral)."""
    now = int(time.time() * 1000)
    history = generate_history(["solana"], now - 400 * DAY_MS, now, 5)
    server = make_replay_server(clock=FakeClock(now / 1000), history=history)
    api = trained_home.config_dir / "api_config.json"
    api.write_text(json.dumps({"exchange": {"enabled": False}}), "utf-8")
    args = ("collect-historical", "--coins", "solana", "--days", "400", "--base-url", server.url)
    text = run(trained_home.home, *args)
    assert "365" in text and "ramenée" in text, text
    assert "ATTENTION" in text and "WARNING" not in text, text
    assert english_in(text, trained_home, english_words()) == [], text
    english = run(trained_home.home, *args, lang="en")
    assert "CoinGecko gives 5-minute points for the last day only" in english


LIBRARY_DETAIL = re.compile(r"\((?:parquet|Parquet)[^()]*\)")  # pyarrow's or polars' own words


def test_verify_with_a_quarantined_file_speaks_french(
    trained_home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The quarantine (the console ERROR line and the problem), then the month awaiting its
    refill; the Parquet reader's own detail in parentheses is the library's, not finbot's."""
    monkeypatch.setenv("COLUMNS", "400")  # one log line per record, its detail unbroken
    damaged = next((trained_home.parquet_dir / "timeframe=1h" / "coin=ethereum").rglob("*.parquet"))
    damaged.write_bytes(b"\0" * 100)
    first = run(trained_home.home, "storage", "verify")
    second = run(trained_home.home, "storage", "verify")  # awaiting its refill
    assert "fichier Parquet illisible" in first and "en quarantaine" in second, first + second
    assert "ERREUR" in first and "mis en quarantaine" in first, first
    for text in (first, second):
        assert english_in(LIBRARY_DETAIL.sub(" ", text), trained_home, english_words()) == [], text
    data = json.loads(run(trained_home.home, "storage", "verify", "--json"))
    assert "quarantined, not refilled yet" in data["problems"][0]["problem"]  # JSON: English


def test_import_csv_with_a_bad_row_speaks_french(trained_home: Paths, tmp_path: Path) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text(
        "timestamp,open,high,low,close,volume\n"
        "2024-01-01T00:00:00Z,100,101,99,100.5,10\n"
        "2024-01-01T01:00:00Z,abc,102,100,101,5\n"
        "2024-01-01T02:00:00Z,100,101,99,100.5,10,7\n",
        "utf-8",
    )
    text = run(trained_home.home, "import-csv", str(csv), "--coin", "BTC", "--timeframe", "1h")
    assert "ligne 3" in text and "nombre attendu" in text and "champs attendus" in text, text
    header = {"timestamp", "open", "high", "low", "close", "volume"}  # the file's columns, named
    assert english_in(text, trained_home, english_words() - header) == [], text


def test_train_with_too_few_rows_speaks_french(trained_home: Paths) -> None:
    from finbot.storage import BarStore
    from tests.fixtures.bars import random_walk

    BarStore(trained_home.parquet_dir).upsert("solana", "1h", random_walk(60, 3, timeframe="1h"))
    text = run(trained_home.home, "train", "--coin", "SOL", "--horizon", "1h")
    assert "lignes étiquetées" in text, text
    assert english_in(text, trained_home, english_words()) == [], text


def test_when_skipped_horizons_speak_french_and_json_keeps_english(trained_home: Paths) -> None:
    args = ("predict", "--coin", "BTC", "--kind", "when", "--gain", "2")
    text = run(trained_home.home, *args)
    assert "8h : aucun modèle pour bitcoin" in text, text
    out = run(trained_home.home, *args, "--json")  # the skipped horizons on stderr, then JSON
    data = json.loads(out.strip().splitlines()[-1])
    assert any(m.startswith("8h: no model for bitcoin") for m in data["missing"]), data


def test_demo_csv_dir_with_a_ragged_row_speaks_french(trained_home: Paths, tmp_path: Path) -> None:
    """The demo's CSV folder with a row of one field too many: the file's own line number, in
    French (and the English as typed in ``--json``'s error)."""
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "bitcoin_1h.csv").write_text(
        "timestamp,open,high,low,close,volume\n"
        "2024-01-01T00:00:00Z,100,101,99,100.5,10\n"
        "2024-01-01T01:00:00Z,100,101,99,100.5,10,3\n",
        "utf-8",
    )
    text = run(trained_home.home, "demo", "--csv-dir", str(folder))
    assert "ligne 3 : 6 champs attendus (comme dans l'en-tête), 7 lus" in text, text
    header = {"timestamp", "open", "high", "low", "close", "volume"}  # the columns, named
    assert english_in(text, trained_home, english_words() - header) == [], text
    english = run(trained_home.home, "demo", "--csv-dir", str(folder), lang="en")
    assert "line 3: expected 6 fields (as in the header), got 7" in english, english


@pytest.mark.parametrize("args", COMMANDS, ids=_ids)
def test_french_numbers_have_a_decimal_comma(trained_home: Paths, args: tuple[str, ...]) -> None:
    """No number written with the English decimal point in French text (JSON lines aside)."""
    text = run(trained_home.home, *args)
    assert DECIMAL_POINT.findall(_no_json(text)) == [], text[-3000:]


def _no_json(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not JSON_LINE.match(line))
