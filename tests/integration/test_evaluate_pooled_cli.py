"""``finbot evaluate --coin all`` evaluates the pooled models as the bot trains and serves
them: on a home where ethereum follows bitcoin's last hour, ``pooled`` serves ethereum (and
the table says so); with ``training.pooled`` off, only per-coin models serve."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from finbot.paths import Paths
from finbot.storage.parquet_writer import BarStore
from finbot.timeframes import HOUR_MS
from tests.fixtures.cli import invoke
from tests.unit.prediction.test_pooled_training import lead_lag

pytestmark = pytest.mark.integration
N = 2000
ARGS = ("--horizon", "1h", "--folds", "2", "--algorithm", "linear")


@pytest.fixture
def lead_lag_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    paths = Paths.resolve(tmp_path / "home").ensure()
    for var in ("COINGECKO_API_KEYS", "EXCHANGERATE_API_KEY", "FINBOT_DB_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("FINBOT_COINGECKO_URL", raising=False)
    now = int(time.time() * 1000)
    store = BarStore(paths.parquet_dir)
    for coin, bars in lead_lag(N, 3, start_ms=(now // HOUR_MS - N) * HOUR_MS).items():
        store.upsert(coin, "1h", bars)
    return paths


def test_evaluate_all_serves_pooled_where_it_wins(lead_lag_home: Paths) -> None:
    result = invoke(lead_lag_home, "evaluate", "--coin", "all", *ARGS, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["coins"] == ["bitcoin", "ethereum", "solana"]
    by_coin = {e["coin"]: e["horizons"]["1h"] for e in data["evaluations"]}
    assert "pooled" in by_coin["ethereum"]["models"] and by_coin["ethereum"]["edge"] is True
    assert "pooled" not in by_coin["solana"]["models"] and by_coin["solana"]["edge"] is False
    table = invoke(lead_lag_home, "evaluate", "--coin", "all", *ARGS)
    assert table.exit_code == 0 and "pooled" in table.stdout
    one = invoke(lead_lag_home, "evaluate", "--coin", "ethereum", *ARGS, "--json")
    alone = json.loads(one.stdout)["horizons"]["1h"]
    assert "pooled" not in alone["models"] and alone["edge"] is False  # one coin: no pool


def test_training_pooled_off_keeps_per_coin_models(lead_lag_home: Paths) -> None:
    settings = lead_lag_home.config_dir / "settings.json"
    settings.write_text(json.dumps({"training": {"pooled": False}}), encoding="utf-8")
    result = invoke(lead_lag_home, "evaluate", "--coin", "all", *ARGS, "--json")
    assert result.exit_code == 0, result.output
    models = [e["horizons"]["1h"]["models"] for e in json.loads(result.stdout)["evaluations"]]
    assert all("pooled" not in m for m in models)
