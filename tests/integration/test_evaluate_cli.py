"""``finbot evaluate`` writes a report whose numbers match ``--json``; confidence-metrics;
``finbot tracker`` lists, resolves and exports."""

from __future__ import annotations

import html
import json
import re

import pytest

from finbot.paths import Paths
from tests.fixtures.cli import invoke

pytestmark = pytest.mark.integration


NEW_KEYS = {
    "hit_rate_ci",
    "ic",
    "dm_pvalue_adjusted",
    "edge",
    "interval_score_ratio",
    "qlike_ratio",
    "brier_ratio",
    "target_calibration",
    "model",
}
TODAY_KEYS = {
    "n",
    "mae",
    "mae_naive",
    "mae_ratio",
    "dm_pvalue",
    "directional_accuracy",
    "coverage",
    "level",
}


def _node(data: dict, key: str):  # type: ignore[no-untyped-def,type-arg]
    node = data
    for part in key.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def test_evaluate_report_matches_json(trained_home: Paths, tmp_path) -> None:  # type: ignore[no-untyped-def]
    report = tmp_path / "r.html"
    result = invoke(
        trained_home,
        "evaluate",
        "--coin",
        "bitcoin",
        "--timeframe",
        "1h",
        "--horizon",
        "1h",
        "--horizon",
        "6h",
        "--folds",
        "3",
        "--algorithm",
        "linear",
        "--report",
        str(report),
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["algorithm"] == "linear" and data["candidates"] == ["linear"]
    for h in ("1h", "6h"):
        assert set(data["horizons"][h]) >= TODAY_KEYS | NEW_KEYS
    h1 = data["horizons"]["1h"]
    assert h1["mae_ratio"] < 1 and h1["model"] == "linear"  # planted signal: served, with edge
    assert h1["edge"] is True and h1["dm_pvalue_adjusted"] < 0.01
    for side in ("strategy", "buy_and_hold", "cash"):
        assert {"total_return", "sharpe", "max_drawdown", "trades", "turnover"} <= set(data[side])
    text = report.read_text(encoding="utf-8")
    embedded = re.search(r'type="application/json">(.*?)</script>', text, re.S)
    assert embedded is not None
    assert json.loads(embedded.group(1)) == {k: v for k, v in data.items() if k != "report"}
    for key, value in re.findall(r'data-key="([^"]+)" data-value="([^"]+)"', text):
        assert json.loads(html.unescape(value)) == _node(data, key)


def test_evaluate_table_names_the_served_model_and_window(trained_home: Paths) -> None:
    human = invoke(
        trained_home, "evaluate", "--coin", "BTC", "--folds", "2", "--algorithm", "linear"
    )
    assert human.exit_code == 0, human.output
    out = " ".join(human.stdout.split())
    assert "buy and hold" in out and "cash:" in out and "linear" in out
    assert "test 20" in out and "2 retrains" in out  # the test window and the retrains
    assert "WIN" in out  # the planted 1 h signal is a significant win
    assert "not a whole number" not in human.output  # 10m on 1h bars: left out quietly


def test_evaluate_several_coins(trained_home: Paths, tmp_path) -> None:  # type: ignore[no-untyped-def]
    args = ("--horizon", "1h", "--folds", "2", "--algorithm", "linear", "--json")
    result = invoke(trained_home, "evaluate", "--coin", "all", *args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["coins"] == ["bitcoin", "ethereum"]  # every configured coin with 1h bars
    assert data["correction"] == "holm" and len(data["evaluations"]) == 2
    btc, eth = (e["horizons"]["1h"] for e in data["evaluations"])
    raw = sorted([btc["dm_pvalue"], eth["dm_pvalue"]])
    assert btc["dm_pvalue_adjusted"] == min(1.0, 2 * raw[0]) or btc["dm_pvalue"] != raw[0]
    assert btc["edge"] is True and eth["edge"] is False
    again = invoke(trained_home, "evaluate", "--coin", "ethereum", "--coin", "BTC", *args)
    assert [e["coin"] for e in json.loads(again.stdout)["evaluations"]] == ["ethereum", "bitcoin"]
    report = tmp_path / "two.html"
    both = invoke(trained_home, "evaluate", "-c", "all", *args[:-1], "--report", str(report))
    assert both.exit_code == 0 and report.read_text(encoding="utf-8").count("<h2>") == 2


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--coin", "solana"), 1, "no 1h bars"),
        (("--coin", "bitcoin", "--timeframe", "2h"), 2, "timeframe"),
        (("--coin", "bitcoin", "--window", "sliding"), 2, "window"),
        (("--coin", "bitcoin", "--algorithm", "svm"), 2, "algorithm"),
        (("--coin", "bitcoin", "--horizon", "10m"), 2, "multiple"),
    ],
)
def test_evaluate_errors(
    trained_home: Paths, args: tuple[str, ...], code: int, message: str
) -> None:
    result = invoke(trained_home, "evaluate", *args)
    assert result.exit_code == code and message in result.stderr


def test_confidence_metrics(trained_home: Paths) -> None:
    result = invoke(trained_home, "confidence-metrics", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["level"] == 0.8 and len(data["models"]) == 4
    for row in data["models"]:
        assert row["n_test"] > 50 and abs(row["coverage"] - 0.8) < 0.15
    assert "coverage" in invoke(trained_home, "confidence-metrics").stdout.lower()


def test_tracker_lists_resolves_and_exports(trained_home: Paths, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert invoke(trained_home, "predict", "--coin", "bitcoin", "--horizon", "1h").exit_code == 0
    result = invoke(trained_home, "tracker", "--json", "--limit", "5")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["predictions"]) == 1 and data["counts"]["pending"] == 1
    assert data["predictions"][0]["coin"] == "bitcoin"
    csv_path, xlsx_path = tmp_path / "p.csv", tmp_path / "p.xlsx"
    assert invoke(trained_home, "tracker", "--export", str(csv_path)).exit_code == 0
    assert csv_path.read_text(encoding="utf-8").startswith("id,coin,horizon")
    assert invoke(trained_home, "suivi", "--export", str(xlsx_path), lang="fr").exit_code == 0
    assert xlsx_path.stat().st_size > 0
    bad = invoke(trained_home, "tracker", "--export", str(tmp_path / "p.txt"))
    assert bad.exit_code == 2 and ".csv or .xlsx" in bad.stderr
    assert "Recent predictions" in invoke(trained_home, "tracker", "--coin", "btc").stdout
    other = json.loads(invoke(trained_home, "tracker", "--coin", "ETH", "--json").stdout)
    assert other["predictions"] == [] and other["summary"] == {}
