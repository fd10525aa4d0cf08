"""``finbot evaluate`` writes a report whose numbers match ``--json``; confidence-metrics;
``finbot tracker`` lists, resolves and exports."""

from __future__ import annotations

import html
import json
import re

import pytest
from typer.testing import CliRunner

from finbot.cli.app import app
from finbot.paths import Paths

pytestmark = pytest.mark.integration


def invoke(home: Paths, *args: str, lang: str = "en"):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["--home", str(home.home), "--lang", lang, *args])


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
        "--report",
        str(report),
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["algorithm"] == "linear"  # the stored model's
    for h in ("1h", "6h"):
        m = data["horizons"][h]
        assert {
            "n",
            "mae",
            "mae_naive",
            "mae_ratio",
            "dm_pvalue",
            "directional_accuracy",
            "coverage",
            "level",
        } <= set(m)
    assert data["horizons"]["1h"]["mae_ratio"] < 1  # planted signal: the model has an edge
    for side in ("strategy", "buy_and_hold"):
        assert {"total_return", "sharpe", "max_drawdown", "trades"} <= set(data[side])
    text = report.read_text(encoding="utf-8")
    embedded = re.search(r'type="application/json">(.*?)</script>', text, re.S)
    assert embedded is not None
    assert json.loads(embedded.group(1)) == {k: v for k, v in data.items() if k != "report"}
    for key, value in re.findall(r'data-key="([^"]+)" data-value="([^"]+)"', text):
        node = data
        for part in key.split("."):
            node = node[part]
        assert json.loads(html.unescape(value)) == node
    human = invoke(trained_home, "evaluate", "--coin", "BTC", "--horizon", "1h", "--folds", "2")
    assert human.exit_code == 0 and "buy and hold" in human.stdout


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
