"""``python -m benchmarks.quality``: the table fits 80 columns and says honestly what is met."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from benchmarks import quality

from finbot.prediction.volatility import VolatilityConfig, horizon_metrics

from .simulate import garch_bars

pytestmark = pytest.mark.unit

HORIZONS = ("1h", "6h", "12h")


def _write_csv(folder: Path, coin: str, seed: int) -> None:
    bars = garch_bars(2500, seed=seed)
    bars.select(
        pl.from_epoch("ts", time_unit="ms").dt.strftime("%Y-%m-%dT%H:%M:%SZ").alias("timestamp"),
        "open",
        "high",
        "low",
        "close",
        (pl.col("volume") / pl.col("close")).alias("volume"),
    ).write_csv(folder / f"{coin}_1h.csv")


@pytest.fixture(scope="module")
def metrics() -> dict[str, dict[str, Any]]:
    evaluations = quality.evaluate_coin(
        garch_bars(2500, seed=61), HORIZONS, VolatilityConfig(), lambda _: None
    )
    return {h: horizon_metrics(ev, 0.8) for h, ev in evaluations.items()}


def test_the_table_fits_80_columns(metrics: dict[str, dict[str, Any]]) -> None:
    rows = quality.goal_rows(metrics, 0.8)
    text = quality.format_table(rows, HORIZONS)
    coins = quality.format_coins({"synthetic": metrics}, HORIZONS)
    chosen = quality.format_chosen(metrics)
    assert max(len(line) for line in "\n".join([text, coins, chosen]).splitlines()) <= 80
    assert "QLIKE / day-mean naive" in text and "synthetic" in coins


def test_a_missed_goal_reads_no(metrics: dict[str, dict[str, Any]]) -> None:
    rows = {r.label: r for r in quality.goal_rows(metrics, 0.8)}
    row = rows["QLIKE / day-mean naive"]
    expected = all(row.values[h] < quality.QLIKE_ANCHOR[h] for h in HORIZONS)
    assert row.verdict() == ("yes" if expected else "NO")
    missed = quality.Row("x", {"1h": 2.0}, "{:.1f}", "< 1", {"1h": False})
    assert missed.verdict() == "NO"
    assert "not met: x" in quality.summary([missed])
    assert quality.Row("info", {"1h": 1.0}, "{:.1f}", "", {"1h": None}).verdict() == ""


def test_outputs_without_skill_are_listed_as_withheld(
    metrics: dict[str, dict[str, Any]],
) -> None:
    good = copy.deepcopy(metrics)
    for m in good.values():
        m["variance"]["qlike_ratio_best_naive"] = 0.9
        m["interval"]["winkler_ratio"] = 0.9
        for key in ("touch_up", "touch_down", "direction_up", "direction_down"):
            m[key]["brier_ratio"] = 0.9
            m[key]["reliability_gap"] = 0.01
    assert quality.withheld(good).startswith("every output showed skill")
    worse = copy.deepcopy(good)
    worse["6h"]["direction_down"]["brier_ratio"] = 1.2
    worse["12h"]["direction_up"]["brier_ratio"] = 1.0
    worse["1h"]["interval"]["winkler_ratio"] = 1.05
    worse["1h"]["touch_up"]["reliability_gap"] = 0.08
    text = quality.withheld(worse)
    assert "P(up)/P(down) at 6h/12h" in text
    assert "normalised interval (constant width shown) at 1h" in text
    assert "touch probabilities at 1h" in text


def test_main_runs_on_a_folder_of_csv_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write_csv(tmp_path, "synthcoin", seed=62)
    record = quality.HERE / "quality.json"
    before = record.stat().st_mtime_ns if record.exists() else None
    code = quality.main(["--data", str(tmp_path), "--coins", "synthcoin", "--horizons", "1h"])
    out = capsys.readouterr()
    assert code == 0
    assert "goals met:" in out.out and "synthcoin" in out.out
    assert "fold 6/6" in out.err  # progress while it runs
    assert (record.stat().st_mtime_ns if record.exists() else None) == before  # partial run


def test_main_says_when_the_data_is_missing(tmp_path: Path) -> None:
    assert quality.main(["--data", str(tmp_path), "--coins", "bitcoin"]) == 2
