"""``demo --csv-dir`` serves the whole CSV history (issue 12, item 6): the replay starts where
the data ends, so the 5-minute bars of a file that ended long ago are collected and trained
on; only the coins the folder has are run, and what is left out is said."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finbot.cli.app import app
from finbot.paths import Paths
from finbot.replay.synthetic import generate_history, write_history_csv
from finbot.storage.parquet_writer import BarStore
from finbot.timeframes import DAY_MS

pytestmark = pytest.mark.integration
END = 1_709_251_200_000  # 2024-03-01T00:00:00Z: long before the system clock


@pytest.mark.slow
def test_demo_csv_dir_serves_the_whole_history(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for var in ("COINGECKO_API_KEYS", "FINBOT_DB_URL", "FINBOT_COINGECKO_URL"):
        monkeypatch.delenv(var, raising=False)
    history = generate_history(["bitcoin"], END - 60 * DAY_MS, END, 7, m5_days=20)
    csv_dir = tmp_path / "csv"
    write_history_csv(history, csv_dir)
    home = Paths.resolve(tmp_path / "home").ensure()
    settings = {"horizons": ["10m", "1h"], "training": {"algorithms": ["linear"]}}
    (home.config_dir / "settings.json").write_text(json.dumps(settings))
    result = CliRunner().invoke(
        app, ["--home", str(home.home), "demo", "--csv-dir", str(csv_dir), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["failures"] == []  # no tickers 404 for coins without a CSV file, no 0 rows
    assert any(n.startswith("no CSV file for ethereum") for n in data["notes"])
    assert any("the replay starts at its end" in n for n in data["notes"])
    assert sorted(a["horizon"] for a in data["answers"]) == ["10m", "1h"]
    store = BarStore(home.parquet_dir)
    for tf in ("5m", "1h"):
        stored = store.read("bitcoin", tf)
        assert stored.height == history["bitcoin"][tf].height  # all of it, not the last day
    assert store.last_ts("bitcoin", "5m") == int(history["bitcoin"]["5m"]["ts"][-1])
