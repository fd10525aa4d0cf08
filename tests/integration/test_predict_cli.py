"""``finbot predict`` / ``prevoir`` end to end on a home with trained models."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import polars as pl
import pytest

from finbot.paths import Paths
from finbot.prediction.tracking.prediction_tracker import PredictionTracker
from finbot.storage.db import engine_for
from tests.fixtures.cli import invoke

pytestmark = pytest.mark.integration
PRICE_KEYS = {
    "coin",
    "horizon",
    "as_of",
    "last_price",
    "predicted_price",
    "predicted_return",
    "interval",
    "confidence",
    "decision",
    "expected_net_return",
    "model",
    "model_version",
}


def test_price_keys_are_the_design_contract():
    """The one literal copy of DESIGN.md's keys; the code and the smoke tool share the constant."""
    from finbot.prediction.questions import PRICE_JSON_KEYS

    assert set(PRICE_JSON_KEYS) == PRICE_KEYS


def recorded(home: Paths) -> list[dict]:  # type: ignore[type-arg]
    return PredictionTracker(engine_for(home.db_url)).recent(100)


@pytest.mark.parametrize(
    "args",
    [
        ("--coin", "bitcoin", "--horizon", "1h"),
        ("--coin", "BTC", "--unit", "h", "--value", "1"),
        ("--coin", "Bitcoin", "--unite", "min", "--valeur", "60"),
    ],
)
def test_price_json_and_the_original_options(trained_home: Paths, args: tuple[str, ...]) -> None:
    result = invoke(trained_home, "prevoir", *args, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= PRICE_KEYS
    assert data["coin"] == "bitcoin" and data["horizon"] == "1h"
    assert data["interval"]["low"] < data["interval"]["high"] and data["interval"]["level"] == 0.8
    assert data["decision"] in ("BUY", "SELL", "HOLD")
    assert data["model"] == "linear"
    rows = recorded(trained_home)
    assert len(rows) == 1 and rows[0]["source"] == "cli" and rows[0]["horizon"] == "1h"
    from finbot.clock import iso_utc

    assert iso_utc(rows[0]["as_of"]) == data["as_of"]
    assert rows[0]["predicted_price"] == pytest.approx(data["predicted_price"])


@pytest.mark.parametrize(
    ("lang", "pattern"),
    [
        (
            "en",
            r"Bitcoin in 1 h: [\d,.]+ \$ \([+-]\d+\.\d\d %\) — 80 % interval \[[\d,.]+ ; [\d,.]+\] "
            r"— confidence \d+ % — (BUY|SELL|HOLD)",
        ),
        (
            "fr",
            r"Bitcoin dans 1 h : [\d\u202f,]+ \$ \([+-]\d+,\d\d %\) — intervalle 80 % "
            r"\[[\d\u202f,]+ ; [\d\u202f,]+\] — confiance \d+ % — (ACHETER|VENDRE|CONSERVER)",
        ),
    ],
)
def test_human_answer_like_the_spec(trained_home: Paths, lang: str, pattern: str) -> None:
    result = invoke(trained_home, "predict", "--coin", "btc", "--horizon", "1h", lang=lang)
    assert result.exit_code == 0, result.output
    assert re.search(pattern, result.stdout), result.stdout


def test_no_horizon_gives_every_horizon_and_a_decision(trained_home: Paths) -> None:
    result = invoke(trained_home, "predict", "--coin", "bitcoin", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [p["horizon"] for p in data["predictions"]] == ["10m", "1h", "6h"]
    assert data["decision"]["action"] in ("BUY", "SELL", "HOLD")
    assert "position_fraction" in data["decision"]["risk"]
    assert "8h" in result.stderr  # no model there: said on stderr
    human = invoke(trained_home, "predict", "--coin", "bitcoin", lang="fr")
    assert "Synthèse" in human.stdout
    assert len(recorded(trained_home)) == 3  # the same bars asked again: counted once


def test_no_edge_model_holds(trained_home: Paths) -> None:
    result = invoke(trained_home, "predict", "--coin", "ETH", "--horizon", "1h", "--json")
    data = json.loads(result.stdout)
    if not data["has_edge"]:
        assert data["decision"] == "HOLD" and any("naive" in r for r in data["reasons"])


@pytest.mark.parametrize("kind", ["amount", "profit"])
def test_amount(trained_home: Paths, kind: str) -> None:
    result = invoke(
        trained_home,
        "prevoir",
        "--coin",
        "bitcoin",
        "--unit",
        "h",
        "--value",
        "6",
        "--kind",
        kind,
        "--montant-eur",
        "500",
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert PRICE_KEYS | {
        "amount_eur",
        "value_eur",
        "costs_eur",
        "net_profit_eur",
        "target_eur",
        "meets_target",
    } <= set(data)
    assert data["amount_eur"] == 500 and data["target_eur"] == 50.0
    assert data["net_profit_eur"] == pytest.approx(data["value_eur"] - 500 - data["costs_eur"])
    assert data["costs_eur"] < 10  # 2 EUR fees + a fraction of a percent, not 200 %
    human = invoke(
        trained_home,
        "prevoir",
        "--coin",
        "bitcoin",
        "--horizon",
        "6h",
        "--kind",
        kind,
        "--amount-eur",
        "500",
        lang="fr",
    )
    assert "gain net" in human.stdout and "objectif 50,00 EUR" in human.stdout


def test_when_and_best(trained_home: Paths) -> None:
    when = invoke(
        trained_home, "predict", "--coin", "bitcoin", "--kind", "when", "--gain", "50", "--json"
    )
    assert when.exit_code == 0, when.output
    data = json.loads(when.stdout)
    assert data["horizon"] is None and data["gain_pct"] == 50 and data["within"] == "12h"
    human = invoke(trained_home, "predict", "--coin", "bitcoin", "--kind", "when", "--gain", "50")
    assert "not within 12 h" in human.stdout
    best = invoke(trained_home, "predict", "--kind", "best", "--json")
    assert best.exit_code == 0, best.output
    out = json.loads(best.stdout)
    assert set(out) == {"buys", "sells", "without_model"}
    assert len(out["buys"]) + len(out["sells"]) <= 6
    for row in out["buys"] + out["sells"]:
        assert {"coin", "horizon", "expected_net_return", "confidence", "decision"} <= set(row)
    assert "Top buys" in invoke(trained_home, "predict", "--kind", "best").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--coin", "nope", "--horizon", "1h"), "coin"),
        (("--coin", "btc", "--horizon", "1h", "--unit", "h", "--value", "1"), "either"),
        (("--coin", "btc", "--unit", "h"), "unit/value"),
        (("--coin", "btc", "--unit", "y", "--value", "1"), "unit"),
        (("--coin", "btc", "--kind", "nope"), "kind"),
        (("--coin", "btc", "--kind", "when"), "gain"),
        (("--coin", "btc", "--kind", "amount"), "horizon"),
        (("--coin", "btc", "--kind", "amount", "--horizon", "1h", "--amount-eur", "-5"), "amount"),
    ],
)
def test_bad_usage_exits_2(trained_home: Paths, args: tuple[str, ...], message: str) -> None:
    result = invoke(trained_home, "predict", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_missing_model_is_a_clear_failure(trained_home: Paths) -> None:
    result = invoke(trained_home, "predict", "--coin", "solana", "--horizon", "1h")
    assert result.exit_code == 1 and "train" in result.stderr


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_without_a_terminal_it_asks_nothing(trained_home: Paths, lang: str) -> None:
    result = invoke(trained_home, "prevoir", lang=lang)  # CliRunner's stdin is not a tty
    assert result.exit_code == 2
    assert "--coin" in result.stderr and result.stdout == ""


def _calibration_file(home: Paths) -> Path:
    from finbot.prediction.models.model_store import CALIBRATION, ModelStore

    store = ModelStore(home.models_dir)
    version = store.latest_version("bitcoin", "1h", "1h")
    assert version is not None
    return store.group("bitcoin", "1h", "1h") / version / CALIBRATION


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The command failed with exactly one ``error:`` line on stderr and no traceback."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize("damage", ["not parquet", "no y_pred column"])
def test_damaged_calibration_data_is_one_clear_line(
    trained_home: Paths, run_finbot, damage: str
) -> None:
    target = _calibration_file(trained_home)
    if damage == "not parquet":
        target.write_bytes(b"garbage, not a Parquet file")
    else:
        pl.DataFrame({"ts": [1], "y_true": [0.0]}).write_parquet(target)
    line = _one_error_line(run_finbot(trained_home, "predict", "--coin", "btc", "--horizon", "1h"))
    assert "bitcoin 1h: the calibration data of model linear" in line and "retrain" in line


def test_absent_calibration_data_falls_back_and_says_so(trained_home: Paths) -> None:
    """Without calibration data nor a volatility model (whose interval would win)."""
    import shutil

    _calibration_file(trained_home).unlink()
    shutil.rmtree(trained_home.models_dir / "bitcoin" / "vol")
    result = invoke(trained_home, "predict", "--coin", "btc", "--horizon", "1h", "--json")
    assert result.exit_code == 0, result.output
    method = json.loads(result.stdout)["interval"]["method"]
    assert method == "gaussian from recent volatility (no calibration data)"


def test_bars_not_in_the_bars_schema_are_one_clear_line(trained_home: Paths, run_finbot) -> None:
    series = trained_home.parquet_dir / "timeframe=1h" / "coin=bitcoin"
    newest = sorted(series.rglob("*.parquet"))[-1]
    frame = pl.read_parquet(newest)
    frame.with_columns(pl.lit("n/a").alias("close")).write_parquet(newest)
    line = _one_error_line(run_finbot(trained_home, "predict", "--coin", "btc", "--horizon", "1h"))
    assert "holds no bars in the bars schema" in line and "coin=bitcoin" in line
