"""Horizons (issue 12, item 4): day horizons trained on daily bars work end to end when
configured (train, predict, when, tracker), and an unsupported horizon lists the supported."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finbot.cli.app import app
from finbot.paths import Paths
from finbot.prediction.tracking.prediction_tracker import PredictionTracker
from finbot.storage.db import engine_for
from finbot.storage.parquet_writer import BarStore
from finbot.timeframes import DAY_MS
from tests.fixtures.bars import planted_signal

pytestmark = pytest.mark.integration
HORIZONS = ["1h", "1d", "3d", "7d"]


@pytest.fixture
def day_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    paths = Paths.resolve(tmp_path / "home").ensure()
    for var in ("COINGECKO_API_KEYS", "FINBOT_DB_URL", "FINBOT_COINGECKO_URL"):
        monkeypatch.delenv(var, raising=False)
    (paths.config_dir / "settings.json").write_text(json.dumps({"horizons": HORIZONS}))
    now = int(time.time() * 1000)
    bars = planted_signal(600, 21, timeframe="1d", start_ms=(now // DAY_MS - 600) * DAY_MS)
    BarStore(paths.parquet_dir).upsert("bitcoin", "1d", bars)
    return paths


def invoke(home: Paths, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["--home", str(home.home), "--lang", "en", *args])


def test_day_horizons_end_to_end(day_home: Paths) -> None:
    for h in ("1d", "3d", "7d"):
        trained = invoke(day_home, "train", "--coin", "bitcoin", "--horizon", h, "--json",
                         "--algorithms", "linear")  # fmt: skip
        assert trained.exit_code == 0, trained.output
        assert json.loads(trained.stdout)["timeframe"] == "1d"  # trained on daily bars
    answer = invoke(day_home, "predict", "--coin", "bitcoin", "--unit", "d", "--value", "7",
                    "--json")  # fmt: skip
    assert answer.exit_code == 0, answer.output
    data = json.loads(answer.stdout)
    assert data["horizon"] == "1w" and data["timeframe"] == "1d" and data["stale"] is False
    when = invoke(day_home, "predict", "--coin", "bitcoin", "--kind", "when", "--gain", "50",
                  "--json")  # fmt: skip
    assert when.exit_code == 0, when.output
    scan = json.loads(when.stdout)
    assert [s["horizon"] for s in scan["scan"]] == ["1d", "3d", "1w"]  # 1h: no model, said
    assert scan["within"] == "1w" and any(m.startswith("1h:") for m in scan["missing"])
    rows = PredictionTracker(engine_for(day_home.db_url)).recent(10)
    assert {(r["horizon"], r["timeframe"]) for r in rows} == {
        ("1d", "1d"),
        ("3d", "1d"),
        ("1w", "1d"),  # 7d, spelt the shortest way
    }


def test_an_unsupported_horizon_lists_the_supported(day_home: Paths) -> None:
    result = invoke(day_home, "predict", "--coin", "bitcoin", "--horizon", "999d")
    assert result.exit_code == 2
    assert "999d is not supported; expected one of 1h, 1d, 3d, 1w" in result.output
    assert "finbot train --coin" not in result.output  # no train command that would fail
