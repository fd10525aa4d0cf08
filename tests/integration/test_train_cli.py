"""``finbot train``, ``models list|cleanup``, ``cleanup-models``, ``train-incremental``."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from finbot.cli.app import app
from finbot.storage.parquet_writer import BarStore
from tests.fixtures.bars import planted_signal, random_walk

pytestmark = pytest.mark.integration


@pytest.fixture
def cli(home):
    BarStore(home.parquet_dir).upsert("bitcoin", "1h", planted_signal(1500, seed=61))
    BarStore(home.parquet_dir).upsert("ethereum", "1h", random_walk(1500, seed=62))
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, ["--home", str(home.home), "--lang", "en", *args])

    return invoke


def test_train_json_keys_and_models_list(cli) -> None:
    result = cli(
        "train", "--coin", "BTC", "--horizon", "1h", "--algorithms", "linear,lightgbm", "--json"
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert {"coin", "timeframe", "horizon", "chosen", "scores", "mae_ratio", "version"} <= set(out)
    assert out["coin"] == "bitcoin" and "naive" in out["scores"] and out["mae_ratio"] < 1
    assert set(out["scores"]["naive"]) >= {"mae", "rmse"}  # naive calls no direction
    listed = json.loads(cli("models", "list", "--json").stdout)
    assert listed[0]["version"] == out["version"] and listed[0]["mae_ratio"] < 1


def test_train_table_says_no_edge_on_a_random_walk(cli) -> None:
    result = cli("train", "--coin", "ethereum", "--algorithms", "linear")
    assert result.exit_code == 0, result.output
    assert "naive ✓" in result.stdout and "no edge over the naive baseline" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("train",), 2, "--coin"),
        (("train", "--coin", "nocoin"), 2, "nocoin"),
        (("train", "--coin", "bitcoin", "--algorithms", "svm"), 1, "algorithms"),
        (("train", "--coin", "bitcoin", "--timeframe", "2h"), 2, "timeframe"),
        (("train-incremental", "--mode", "nano"), 2, "mode"),
    ],
)
def test_bad_input_is_one_clear_line(cli, args, code, message) -> None:
    result = cli(*args)
    assert result.exit_code == code
    assert message in result.output


def test_cleanup_commands_keep_the_live_model(cli) -> None:
    for _ in range(3):
        assert cli("train", "--coin", "bitcoin", "--algorithms", "linear").exit_code == 0
    live = json.loads(cli("models", "list", "--json").stdout)[0]["version"]
    plan = json.loads(cli("models", "cleanup", "--keep", "0", "--dry-run", "--json").stdout)
    assert plan["dry_run"] and len(plan["removed"]) == 2
    assert live not in [r["version"] for r in plan["removed"]]
    result = cli("cleanup-models", "--max-age", "0", "--max-per-group", "0")
    assert result.exit_code == 0 and "live models kept" in result.stdout
    assert json.loads(cli("models", "list", "--json").stdout)[0]["version"] == live


def test_train_incremental_and_schedule(cli, home) -> None:
    """``schedule`` lists the retraining jobs the scheduler registers: there is one path."""
    from finbot.ops.scheduler import job_specs
    from finbot.services import Services

    out = json.loads(cli("train-incremental", "--mode", "schedule", "--json").stdout)
    assert len(out["jobs"]) == 2
    registered = {s.id: s for s in job_specs(Services(home))}
    for job in out["jobs"]:
        spec = registered[job["id"]]
        assert job == {"id": spec.id, "func": spec.func, "trigger": "cron", **spec.trigger_args}
    assert {j["func"] for j in out["jobs"]} == {
        "finbot.ops.jobs:train_micro",
        "finbot.ops.jobs:train_mini",
    }
    text = cli("train-incremental", "--mode", "schedule").stdout
    assert "train_micro: finbot.ops.jobs:train_micro (cron)" in text
    result = cli("train-incremental", "--mode", "mini", "--coin", "bitcoin")
    assert result.exit_code == 0, result.output
    assert "BTC 1h 1h: accepted" in result.stdout


def test_train_all_json(cli, home) -> None:
    settings_file = home.config_dir / "settings.json"
    settings_file.write_text(json.dumps({"horizons": ["1h"]}))
    result = cli("train", "--all", "--algorithms", "linear", "--json")
    assert result.exit_code == 1, result.output  # coins without data failed: said in the code
    out = json.loads(result.stdout)
    assert out["summary"]["trained"] >= 1 and out["summary"]["failed"] >= 1
    by_coin = {r["coin"]: r for r in out["results"] if not r.get("pooled")}
    assert "version" in by_coin["bitcoin"] and "error" in by_coin["solana"]
    pooled = {r["coin"]: r for r in out["results"] if r.get("pooled")}
    assert set(pooled) == {"bitcoin", "ethereum"}  # the coins with bars
    assert all(isinstance(r["served"], bool) and r["version"] for r in pooled.values())
    assert not pooled["ethereum"]["served"]  # a random walk: nothing to serve
    text = cli("train", "--all", "--algorithms", "linear").stdout
    assert "ethereum 1h 1h: pooled ratio" in text and "(not served: " in text
