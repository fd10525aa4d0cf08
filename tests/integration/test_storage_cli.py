"""``finbot storage verify|summary|retention`` and ``finbot import-csv`` through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from finbot.paths import Paths
from finbot.storage.parquet_writer import BarStore
from tests.fixtures.cli import invoke
from tests.fixtures.storage import make_bars

pytestmark = pytest.mark.integration

GOOD_CSV = (
    "timestamp,open,high,low,close,volume\n"
    "2024-01-01T00:00:00Z,100,110,90,105,2\n"
    "2024-01-01T01:00:00Z,105,106,100,101,3\n"
)
BAD_CSV = GOOD_CSV + "2024-01-01T02:00:00Z,101,100,99,102,1\n"  # line 4: high below close


def _store(home: Paths) -> BarStore:
    return BarStore(home.parquet_dir, quarantine_dir=home.quarantine_dir)


def test_verify_json_on_a_clean_store(home: Paths) -> None:
    _store(home).upsert("bitcoin", "1h", make_bars(50))
    result = invoke(home, "storage", "verify", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["rows"] == 50 and data["partitions"] == 1
    assert data["problems"] == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_verify_reports_and_quarantines_a_corrupt_file(home: Paths, lang: str) -> None:
    store = _store(home)
    store.upsert("bitcoin", "1h", make_bars(24 * 40))
    damaged = next(store.root.rglob("month=01/part.parquet"))
    damaged.write_bytes(b"\0" * 100)
    result = invoke(home, "storage", "verify", "--json", lang=lang)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["problems"][0]["path"] == str(damaged)
    assert (home.quarantine_dir / damaged.relative_to(store.root)).exists()
    text = invoke(home, "storage", "verify", lang=lang)
    assert text.exit_code == 1  # the month stays reported until the backfill refills it
    said = {
        "en": "bitcoin 1h 2024-01: quarantined, not refilled yet",
        "fr": "bitcoin 1h 2024-01 : en quarantaine, pas encore rechargé",
    }
    assert said[lang] in text.stdout
    assert data["problems"][0]["problem"].startswith("unreadable Parquet file")  # JSON: English


def test_verify_text_lists_problems_and_gaps(home: Paths) -> None:
    store = _store(home)
    store.upsert("bitcoin", "1h", make_bars(10).filter(~make_bars(10)["ts"].is_in([3, 4])))
    bars = make_bars(10)
    store.upsert("ethereum", "1h", bars.filter(bars["ts"] != bars["ts"][4]))
    result = invoke(home, "storage", "verify")
    assert result.exit_code == 0 and "1 missing bars in 1 gaps" in result.stdout


def test_summary_json(home: Paths) -> None:
    _store(home).upsert("ethereum", "1d", make_bars(3, step_ms=86_400_000))
    data = json.loads(invoke(home, "storage", "summary", "--json").stdout)
    assert data["ethereum"]["1d"]["rows"] == 3
    assert data["ethereum"]["1d"]["newest"] == "2024-01-03T00:00:00Z"
    assert "ETH " in invoke(home, "storage", "summary").stdout  # symbols at 80 columns


def test_summary_of_an_empty_store(home: Paths) -> None:
    assert json.loads(invoke(home, "storage", "summary", "--json").stdout) == {}
    assert "vide" in invoke(home, "storage", "summary", lang="fr").stdout


@pytest.mark.parametrize("dry_run", [True, False])
def test_retention_uses_the_settings(home: Paths, dry_run: bool) -> None:
    store = _store(home)
    store.upsert("bitcoin", "5m", make_bars(12 * 24 * 40, step_ms=300_000))  # default: 30 days
    args = ["storage", "retention", "--json"] + (["--dry-run"] if dry_run else [])
    data = json.loads(invoke(home, *args).stdout)
    assert data["keep_days"]["5m"] == 30 and data["keep_days"]["1d"] is None
    assert data["removed"]["5m"] == 12 * 24 * 31 and data["dry_run"] is dry_run
    assert store.read("bitcoin", "5m").height == 12 * 24 * (40 if dry_run else 9)
    assert "5m" in invoke(home, "storage", "retention", "--dry-run").stdout


def test_import_csv_json(home: Paths, tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text(GOOD_CSV)
    result = invoke(
        home,
        "import-csv",
        str(path),
        "--coin",
        "BTC",
        "--timeframe",
        "1h",
        "--volume-unit",
        "base",
        "--source",
        "mine",
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["coin"], data["inserted"], data["rejected"]) == ("bitcoin", 2, 0)
    assert _store(home).read("bitcoin", "1h")["volume"].to_list() == [210.0, 303.0]


@pytest.mark.parametrize("as_json", [False, True])
def test_import_csv_with_bad_rows_exits_2_and_changes_nothing(
    home: Paths, tmp_path: Path, as_json: bool
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD_CSV)
    args = ["import-csv", str(path), "--coin", "bitcoin", "--timeframe", "1h"]
    result = invoke(home, *args, *(["--json"] if as_json else []))
    assert result.exit_code == 2
    assert "line 4: high: expected >= max(open, close)" in result.stderr
    assert "nothing imported" in result.stderr
    assert result.stderr.count("error:") == 1
    if as_json:
        data = json.loads(result.stdout)
        assert data["ok"] is False and data["errors"][0]["line"] == 4
    assert not home.parquet_dir.exists() or not list(home.parquet_dir.rglob("*.parquet"))
    skipped = invoke(home, *args, "--skip-bad", lang="fr")
    assert skipped.exit_code == 0 and "2 barres ajoutées" in skipped.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--coin", "nope", "--timeframe", "1h"], "coin: unknown 'nope'"),
        (["--coin", "btc", "--timeframe", "3h"], "'3h' is not one of '5m', '1h', '4h', '1d', '1w'"),
        (["--coin", "btc", "--timeframe", "1h", "--volume-unit", "x"], "'x' is not one of 'base'"),
    ],
)
def test_import_csv_bad_options_exit_2(
    home: Paths, tmp_path: Path, args: list[str], message: str
) -> None:
    path = tmp_path / "b.csv"
    path.write_text(GOOD_CSV)
    result = invoke(home, "import-csv", str(path), *args)
    assert result.exit_code == 2 and message in " ".join(result.stderr.replace("│", " ").split())


def test_many_bad_rows_are_capped_in_the_listing(home: Paths, tmp_path: Path) -> None:
    path = tmp_path / "many.csv"
    path.write_text("timestamp,open,high,low,close,volume\n" + "x,1,1,1,1,1\n" * 30)
    result = invoke(home, "import-csv", str(path), "--coin", "btc", "--timeframe", "1h")
    assert result.exit_code == 2
    assert "line 21:" in result.stderr and "line 22:" not in result.stderr
    assert "and 10 more rejected rows" in result.stderr


def test_verify_json_as_a_subprocess_prints_only_json(home: Paths) -> None:
    _store(home).upsert("bitcoin", "1h", make_bars(5))
    done = subprocess.run(
        [sys.executable, "-m", "finbot", "--home", str(home.home), "storage", "verify", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows"] == 5


@pytest.mark.realdata
@pytest.mark.parametrize(
    ("relative", "coin", "timeframe", "unit", "expected_id"),
    [
        (
            "binance-2024h1/matic-network_1h.csv",
            "matic-network",
            "1h",
            "base",
            "polygon-ecosystem-token",
        ),
        ("binance-2024h1/bitcoin_5m.csv.gz", "bitcoin", "5m", "base", "bitcoin"),
        ("daily-to-2024-08/ethereum_1d.csv", "eth", "1d", "quote", "ethereum"),
    ],
)
def test_import_real_files(
    home: Paths,
    real_data: Path,
    relative: str,
    coin: str,
    timeframe: str,
    unit: str,
    expected_id: str,
) -> None:
    path = real_data / relative
    args = [
        "import-csv",
        str(path),
        "--coin",
        coin,
        "--timeframe",
        timeframe,
        "--volume-unit",
        unit,
        "--source",
        "binance",
        "--json",
    ]
    data = json.loads(invoke(home, *args).stdout)
    assert data["coin"] == expected_id and data["rejected"] == 0
    assert data["inserted"] == data["rows_read"] - data["duplicates"] > 1000
    again = json.loads(invoke(home, *args).stdout)
    assert again["inserted"] == 0 and again["unchanged"] == data["inserted"]
    bars = _store(home).read(expected_id, timeframe)
    assert bars.height == data["inserted"] and bars["ts"].is_sorted()
    verify = json.loads(invoke(home, "storage", "verify", "--json").stdout)
    assert verify["ok"] and verify["rows"] == bars.height
