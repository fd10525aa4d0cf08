"""The REST API against a real uvicorn on loopback, on the trained home: the same objects as
the CLI's ``--json``, 422 for bad parameters, and every reporting endpoint answering."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from typer.testing import CliRunner

from finbot.cli.app import app
from tests.fixtures.answers import same
from tests.fixtures.dashboard import Served

pytestmark = pytest.mark.integration


def cli_json(served: Served, *args: str) -> Any:
    result = CliRunner().invoke(app, ["--home", str(served.paths.home), *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_questions_answer_as_the_cli(dashboard: Served) -> None:
    cases = [
        (
            "/api/v1/questions/price?coin=BTC&horizon=1h",
            ["predict", "--coin", "BTC", "--horizon", "1h"],
        ),
        ("/api/v1/questions/price?coin=bitcoin", ["predict", "--coin", "bitcoin"]),
        (
            "/api/v1/questions/amount?coin=bitcoin&horizon=6h&amount_eur=250",
            [
                "predict",
                "--coin",
                "bitcoin",
                "--kind",
                "amount",
                "--horizon",
                "6h",
                "--amount-eur",
                "250",
            ],
        ),
        (
            "/api/v1/questions/when?coin=ethereum&gain=1.5",
            ["predict", "--coin", "ethereum", "--kind", "when", "--gain", "1.5"],
        ),
        ("/api/v1/questions/best", ["predict", "--kind", "best"]),
    ]
    for url, args in cases:
        assert same(dashboard.get_json(url)) == same(cli_json(dashboard, *args)), url


def test_reporting_endpoints_match_their_commands(dashboard: Served) -> None:
    assert dashboard.get_json("/api/v1/models") == cli_json(dashboard, "models", "list")
    served, printed = dashboard.get_json("/api/v1/settings"), cli_json(dashboard, "settings")
    # the memory available right now moves between calls, and the sizes fitted to it with it
    machine = ("machine", "budget_mb", "model_cache_size", "planned_mb", "history_days_1h")
    for sizes in (served["sizes"], printed["sizes"]):
        for key in machine:
            sizes.pop(key, None)
    assert served == printed
    tracker = dashboard.get_json("/api/v1/tracker?limit=5")
    assert tracker == cli_json(dashboard, "tracker", "--limit", "5", "--no-resolve")
    status = dashboard.get_json("/api/v1/status")
    assert status["dashboard"] == dashboard.url  # status shows where the dashboard is
    assert set(status) >= {
        "running",
        "jobs",
        "data",
        "models",
        "tracker",
        "api_usage",
        "collectors",
    }
    assert dashboard.get_json("/api/v1/usage")["minute"]["state"] in ("GREEN", "AMBER", "RED")
    assert dashboard.get_json("/api/v1/collectors") == status["collectors"]
    assert dashboard.get_json("/api/v1/evaluation") == []


def test_predictions_cover_every_answerable_coin_and_horizon(dashboard: Served) -> None:
    data = dashboard.get_json("/api/v1/predictions")
    got = {(p["coin"], p["horizon"]) for p in data["predictions"]}
    assert got == {("bitcoin", "1h"), ("bitcoin", "6h"), ("bitcoin", "10m"), ("ethereum", "1h")}
    assert len(data["predictions"]) + len(data["missing"]) == 10 * 5
    one = next(p for p in data["predictions"] if (p["coin"], p["horizon"]) == ("bitcoin", "1h"))
    assert same(one) == same(cli_json(dashboard, "predict", "--coin", "bitcoin", "--horizon", "1h"))


def test_bars_over_a_range(dashboard: Served) -> None:
    from finbot.storage import BarStore

    stored = BarStore(dashboard.paths.parquet_dir).read("bitcoin", "1h")
    ts = stored["ts"].to_list()
    data = dashboard.get_json(f"/api/v1/bars?coin=BTC&timeframe=1h&start={ts[10]}&end={ts[19]}")
    assert data["count"] == 10 and data["ts"] == ts[10:20]
    assert data["close"] == stored["close"].to_list()[10:20]
    tail = dashboard.get_json("/api/v1/bars?coin=bitcoin&timeframe=1h&limit=7")
    assert tail["ts"] == ts[-7:]


BAD = [
    "/api/v1/bars?coin=bitcoin&timeframe=7x",
    "/api/v1/bars?coin=bitcoin&limit=0",
    "/api/v1/bars?coin=bitcoin&limit=lots",
    "/api/v1/bars?coin=bitcoin&start=20&end=10",
    "/api/v1/bars",
    "/api/v1/questions/price?coin=dogwifcat",
    "/api/v1/questions/price?coin=bitcoin&horizon=3x",
    "/api/v1/questions/price?coin=bitcoin&horizon=2h",
    "/api/v1/questions/when?coin=bitcoin&gain=-1",
    "/api/v1/questions/when?coin=bitcoin",
    "/api/v1/questions/amount?coin=bitcoin&horizon=1h&amount_eur=-5",
    "/api/v1/tracker?limit=0",
    "/api/v1/tracker/export?format=pdf",
    "/coin?tf=2m",
    "/questions?kind=nope",
]


@pytest.mark.parametrize("url", BAD)
def test_a_bad_parameter_is_a_422_with_a_clear_message(dashboard: Served, url: str) -> None:
    with dashboard.client() as c:
        response = c.get(url)
    assert response.status_code == 422, (url, response.text)
    error = response.json()["error"]
    assert error["message"] and "Traceback" not in response.text
    assert len(error["message"]) < 400


def test_tracker_exports_csv_and_excel(dashboard: Served) -> None:
    with dashboard.client() as c:
        csv = c.get("/api/v1/tracker/export?format=csv")
        xlsx = c.get("/api/v1/tracker/export?format=xlsx")
    assert csv.status_code == 200 and csv.text.splitlines()[0].startswith("id,coin,horizon")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_openapi_docs_are_served_offline(dashboard: Served) -> None:
    spec = dashboard.get_json("/api/openapi.json")
    assert "/api/v1/predictions" in spec["paths"] and "/api/v1/bars" in spec["paths"]
    with dashboard.client() as c:
        page = c.get("/api/docs")
    assert page.status_code == 200 and "/api/v1/questions/when" in page.text
    assert "cdn" not in page.text.lower() and "<script>" not in page.text


def test_the_latest_evaluation_is_served_with_its_equity_curves(dashboard: Served) -> None:
    args = ["evaluate", "--coin", "bitcoin", "--horizon", "1h", "--folds", "2"]
    ran = cli_json(dashboard, *args, "--bars", "1000", "--algorithm", "linear")
    served = dashboard.get_json("/api/v1/evaluation")
    assert len(served) == 1
    equity = served[0].pop("equity")
    assert served[0] == same(ran)
    assert len(equity["ts"]) == len(equity["strategy"]) == len(equity["hold"]) > 10
    assert equity["ts"] == sorted(equity["ts"])


def test_the_track_record_follows_scored_predictions(dashboard: Served) -> None:
    from finbot.prediction.tracking import PredictionTracker
    from finbot.storage import BarStore, engine_for
    from tests.fixtures.tracker import new_prediction

    assert dashboard.get_json("/api/v1/tracker/reliability")["n"] == 0
    bars = BarStore(dashboard.paths.parquet_dir)
    frame = bars.read("bitcoin", "1h")
    tracker = PredictionTracker(engine_for(dashboard.paths.db_url))
    for i, confidence in enumerate((10.0, 30.0, 30.0, 70.0, 90.0, 95.0)):
        at = frame["ts"][-60 + 5 * i]  # within the table's 30 days
        price = float(frame["close"][-60 + 5 * i])
        tracker.record(
            new_prediction(
                as_of=at,
                made_at=at + 1,
                last_price=price,
                confidence=confidence,
                outcome="up",
                outcome_threshold=0.001,
            )
        )
    assert tracker.resolve_due(bars, int(frame["ts"][-1])) == 6
    for _ in range(100):  # the poller sees the database change
        table = dashboard.get_json("/api/v1/tracker/reliability")
        if table["n"] == 6:
            break
        time.sleep(0.1)
    rows = tracker.recent(10)
    bands = table["bins"]
    assert [(round(b["low"], 1), b["n"]) for b in bands] == [(0.1, 1), (0.3, 2), (0.7, 1), (0.9, 2)]
    top = [r["outcome_hit"] for r in rows if r["confidence"] >= 90]
    assert bands[-1]["frequency"] == sum(top) / 2
    with dashboard.client() as c:
        page = c.get("/track").text
    assert 'id="reliability"' in page and "90–100 %" in page
