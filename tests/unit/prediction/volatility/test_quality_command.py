"""``python -m benchmarks.quality``: one table of the figures against the goals, from the
evaluate machinery; it fits 80 columns and says honestly what is met."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from benchmarks import quality, quality_rows

from finbot.prediction.tracking import EvalConfig, Evaluation

from .simulate import garch_bars

pytestmark = pytest.mark.unit

HORIZONS = ("1h", "6h")
CHEAP = EvalConfig(n_folds=2, algorithms=("linear",), volatility_folds=3)


def _write_csv(folder: Path, coin: str, seed: int) -> None:
    bars = garch_bars(2000, seed=seed)
    bars.select(
        pl.from_epoch("ts", time_unit="ms").dt.strftime("%Y-%m-%dT%H:%M:%SZ").alias("timestamp"),
        "open",
        "high",
        "low",
        "close",
        (pl.col("volume") / pl.col("close")).alias("volume"),
    ).write_csv(folder / f"{coin}_1h.csv")


@pytest.fixture(scope="module")
def evaluations() -> list[Evaluation]:
    frames = {"synth-a": garch_bars(2000, seed=61), "synth-b": garch_bars(2000, seed=62)}
    return quality.run(frames, HORIZONS, CHEAP)


def test_one_table_of_every_figure_fits_80_columns(evaluations: list[Evaluation]) -> None:
    rows = quality.goal_rows(evaluations, 0.8)
    text = quality.format_table(rows, HORIZONS)
    assert max(len(line) for line in text.splitlines()) <= 80
    labels = [r.label.strip() for r in rows]
    assert labels[:2] == ["MAE / naive synth-a", "MAE / naive synth-b"]  # per coin × horizon
    for figure in (
        "IC (naive = 0)",
        "hit rate (naive = 50 %)",
        "80% interval coverage",
        "interval score / constant",
        "QLIKE / day-mean naive",
        "P(up) Brier / base rate",
        "touch +X reliability gap",
        "strategy, no-edge coins (worst)",
    ):
        assert figure in labels
    by_label = {r.label.strip(): r for r in rows}
    mae = by_label["MAE / naive synth-a"]
    assert mae.values["1h"] == evaluations[0].horizons["1h"]["mae_ratio"]  # the evaluate figure
    assert mae.verdict() == ("yes" if all(v <= 1 for v in mae.values.values() if v) else "NO")
    ic = by_label["IC (naive = 0)"]
    assert ic.met["6h"] is None and ic.met["1h"] is not None  # judged at 1 h only


def test_a_missed_goal_reads_no_and_is_named() -> None:
    missed = quality_rows.Row("x", {"1h": 2.0}, "{:.1f}", "< 1", {"1h": False})
    assert missed.verdict() == "NO" and "not met: x" in quality.summary([missed])
    info = quality_rows.Row("info", {"1h": None}, "{:.1f}", "", {"1h": None})
    assert info.verdict() == "" and info.to_json()["met"] is None
    assert quality.format_table([info], ["1h"]).splitlines()[-1].strip() == "info"


def test_withheld_names_outputs_without_skill(evaluations: list[Evaluation]) -> None:
    text = quality.withheld(evaluations)
    assert text.startswith(("every output showed skill", "withheld by the live model"))


def test_pooled_served_names_where_the_pooled_model_served(
    evaluations: list[Evaluation],
) -> None:
    text = quality.pooled_served(evaluations)
    served = [
        f"{ev.coin} {h} {m['models']['pooled']}/{m['retrains']}"
        for ev in evaluations
        for h, m in ev.horizons.items()
        if "pooled" in m["models"]
    ]
    assert text == "pooled served (retrains): " + (", ".join(served) or "nowhere")


def test_main_runs_on_a_folder_of_csv_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write_csv(tmp_path, "synthcoin", seed=63)
    record = quality.HERE / "quality.json"
    before = record.stat().st_mtime_ns if record.exists() else None
    quick = ["--folds", "2", "--algorithms", "linear", "--volatility-folds", "3"]
    args = ["--data", str(tmp_path), "--coins", "synthcoin", "--horizons", "1h", *quick]
    code = quality.main(args)
    out = capsys.readouterr()
    assert code == 0
    assert "goals met:" in out.out and "MAE / naive synthcoin" in out.out
    assert "[1/1] synthcoin 1h" in out.err  # progress while it runs
    assert "pooled served (retrains): nowhere" in out.out  # one coin: nothing to pool
    assert (record.stat().st_mtime_ns if record.exists() else None) == before  # partial run


def test_main_says_when_the_data_is_missing(tmp_path: Path) -> None:
    assert quality.main(["--data", str(tmp_path), "--coins", "bitcoin"]) == 2
