"""``finbot demo``: the offline demo end to end as a real process (phases, an answer for every
horizon, the HTML report with its charts), and its terminal output: a table that fits 80
columns, the honest no-edge line and the phase timings, in French and English."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from finbot.cli.context import AppContext
from finbot.ops.demo_report import DemoResult
from finbot.paths import Paths

pytestmark = pytest.mark.smoke
PHASES = ("serve", "collect", "train", "predict", "report")


@pytest.mark.slow
def test_demo_end_to_end(tmp_path: Path, settings: Any) -> None:
    home = tmp_path / "demo-home"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("COINGECKO_API_KEYS", "FINBOT_DB_URL", "FINBOT_COINGECKO_URL")
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "finbot",
            "--home",
            str(home),
            "demo",
            "--coins",
            "bitcoin",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads(done.stdout)
    assert tuple(data["phases"]) == PHASES
    assert all(seconds >= 0 for seconds in data["phases"].values())
    horizons = [a["horizon"] for a in data["answers"]]
    assert sorted(horizons) == sorted(settings.general.horizons)
    for answer in data["answers"]:
        assert answer["coin"] == "bitcoin"
        assert answer["decision"] in ("BUY", "SELL", "HOLD")
        assert answer["interval"]["low"] <= answer["predicted_price"] <= answer["interval"]["high"]
    assert data["models_with_edge"] == sum(a["has_edge"] for a in data["answers"])
    assert data["data"] == "synthetic" and data["failures"] == []
    report = Path(data["report"])
    assert report.is_file() and report.is_relative_to(home)
    html = report.read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") >= 2


def _row(coin: str, horizon: str, price: float, edge: bool) -> dict[str, Any]:
    return {
        "coin": coin,
        "horizon": horizon,
        "last_price": price,
        "predicted_price": price * 1.002,
        "change_pct": 0.2,
        "interval": {"low": price * 0.97, "high": price * 1.03, "level": 0.8},
        "confidence": 37.0,
        "decision": "BUY" if edge else "HOLD",
        "model": "lightgbm",
        "mae_ratio": 0.98 if edge else 1.0,
        "has_edge": edge,
    }


ROWS = [
    _row(coin, h, price, edge=(coin == "bitcoin" and h == "1h"))
    for coin, price in (
        ("bitcoin", 98765.4),
        ("polygon-ecosystem-token", 0.1234),
        ("avalanche-2", 35.5),
    )
    for h in ("10m", "1h", "6h", "8h", "12h")
]


def _printed(home: Paths, lang: str, rows: list[dict[str, Any]], width: int = 80) -> str:
    from finbot.cli.demo_cmd import _print_result

    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=True, color_system=None)
    app_ctx = AppContext(paths=home, lang=lang, console=console, err=console)
    result = DemoResult(
        data_label="synthetic",
        failures=[],
        report=home.reports_dir / "demo.html",
        phases={"serve": 1.0, "collect": 12.5, "train": 60.25, "predict": 3.0, "report": 2.0},
    )
    assert result.total_seconds == 78.75
    _print_result(app_ctx, rows, result)
    return out.getvalue()


@pytest.mark.parametrize(
    ("lang", "rows", "expected"),
    [
        (
            "en",
            ROWS,
            [
                "BTC",
                "POL",
                "AVAX",
                "98,765",
                "95,802–101,728",
                "BUY",
                "HOLD*",
                "1 of 15 predictions come from a model that beat the naive baseline",
                "Phases: serve 1.0 s, collect 12.5 s, train 60.2 s, predict 3.0 s, "
                "report 2.0 s (total 78.8 s)",
                "Report (HTML, with charts):",
            ],
        ),
        (
            "fr",
            ROWS,
            [
                "BTC",
                "98\u202f765",
                "0,1234",
                "ACHETER",
                "CONSERVER*",
                "+0,20 %",
                "Phases : serveur 1,0 s, collecte 12,5 s, entraînement 60,2 s",
                "Rapport (HTML, avec graphiques) :",
            ],
        ),
        (
            "en",
            [r | {"has_edge": False} for r in ROWS],
            ["No model beat the naive baseline on this synthetic data: that is the honest answer"],
        ),
        (
            "fr",
            [r | {"has_edge": False} for r in ROWS],
            [
                "Aucun modèle n'a battu le modèle naïf sur ces données synthétiques : c'est la "
                "réponse honnête"
            ],
        ),
    ],
    ids=["en", "fr", "no-edge-en", "no-edge-fr"],
)
def test_demo_output_fits_80_columns(
    home: Paths, lang: str, rows: list[dict[str, Any]], expected: list[str]
) -> None:
    text = _printed(home, lang, rows)
    flat = " ".join(text.split())
    for fragment in expected:
        assert " ".join(fragment.split()) in flat, (fragment, text)
    table = text.splitlines()[: 3 + len(rows)]  # title, header, rule, one line per answer
    assert all(len(line.rstrip()) <= 80 for line in table), table
    assert "…" not in text  # nothing truncated
    decisions = ("HOLD", "BUY", "ACHETER", "CONSERVER")
    assert sum(1 for line in table if any(d in line for d in decisions)) == 15


def test_demo_output_to_a_file_is_not_squeezed(home: Paths) -> None:
    """Not a terminal: a wide console, every row on one line even with long labels."""
    from finbot.cli.demo_cmd import _print_result

    out = io.StringIO()
    app_ctx = AppContext(paths=home, lang="en", console=Console(file=out), err=Console(file=out))
    result = DemoResult(
        data_label="synthetic",
        failures=["predict solana 1h: no model"],
        report=home.reports_dir / "demo.html",
        phases={"serve": 0.5},
    )
    _print_result(app_ctx, ROWS, result)
    text = out.getvalue()
    assert "predict solana 1h: no model" in text
    assert sum(1 for line in text.splitlines() if line.lstrip().startswith("BTC")) == 5
