"""Trainer: labels by timestamp, the time-ordered split with its gap, the naive baseline
always compared, an edge found on a planted signal and none on a random walk."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from finbot.errors import DataError, ModelError
from finbot.prediction.features.targets import forward_log_returns, horizon_bars
from finbot.prediction.training.splits import holdout
from finbot.prediction.training.trainer import (
    dataset,
    edge_t_stat,
    fit_shrink,
    score,
    train,
)
from tests.fixtures.bars import planted_signal, random_walk, with_gaps

pytestmark = pytest.mark.unit
HOUR = 3_600_000


def test_targets_join_by_timestamp_not_by_row() -> None:
    """A missing bar gives a null label, never the return to the next available row."""
    bars = pl.DataFrame(
        {"ts": [0, HOUR, 3 * HOUR, 4 * HOUR], "close": [100.0, 110.0, 121.0, 133.1]}
    )
    labels = forward_log_returns(bars, "1h")
    assert labels["ts"].to_list() == [0, HOUR, 3 * HOUR, 4 * HOUR]
    got = labels["target"].to_list()
    assert got[0] == pytest.approx(np.log(1.1))
    assert got[1] is None  # the 2h bar is missing: no label (a row shift would give log 1.1)
    assert got[2] == pytest.approx(np.log(1.1))
    assert got[3] is None


@pytest.mark.parametrize(
    ("horizon", "timeframe", "bars"),
    [("1h", "1h", 1), ("6h", "1h", 6), ("10m", "5m", 2), ("12h", "1d", 1)],
)
def test_horizon_bars(horizon: str, timeframe: str, bars: int) -> None:
    assert horizon_bars(horizon, timeframe) == bars


@pytest.mark.parametrize(
    ("n", "fraction", "h_bars"), [(1000, 0.3, 1), (1000, 0.3, 6), (500, 0.2, 12)]
)
def test_holdout_is_ordered_with_a_one_horizon_gap(n: int, fraction: float, h_bars: int) -> None:
    ts = np.arange(n, dtype=np.int64) * HOUR
    split = holdout(ts, fraction, h_bars * HOUR)
    n_test = round(n * fraction)
    np.testing.assert_array_equal(split.test, np.arange(n - n_test, n))
    np.testing.assert_array_equal(split.train, np.arange(0, n - n_test - h_bars))
    assert split.gap == h_bars
    assert ts[split.train[-1]] + h_bars * HOUR < ts[split.test[0]]  # labels do not overlap


def test_holdout_by_timestamp_across_holes() -> None:
    ts = np.array([0, 1, 2, 3, 10, 11, 12, 13, 14, 15], dtype=np.int64) * HOUR
    split = holdout(ts, 0.3, 6 * HOUR)
    assert split.test.tolist() == [7, 8, 9]
    assert split.train.tolist() == [0, 1, 2, 3]  # 10h and 11h end after 13h - 6h: excluded


def test_score_and_shrink() -> None:
    y = np.array([0.01, -0.02, 0.0, 0.03])
    s = score(y, np.array([0.02, -0.01, 0.5, -0.01]))
    assert s["directional_accuracy"] == pytest.approx(2 / 3)  # the zero move is ignored
    assert "directional_accuracy" not in score(y, np.zeros(4))  # naive calls no direction
    assert s["mae"] == pytest.approx(np.mean([0.01, 0.01, 0.5, 0.04]))
    assert fit_shrink(y, -y) == 0.0
    assert fit_shrink(y, y) == 1.0
    assert edge_t_stat(y, y, 1) > 0 and edge_t_stat(y, np.zeros(4), 1) == 0.0


def test_planted_signal_beats_the_baseline(signal_bars: pl.DataFrame) -> None:
    report = train("x", "1h", "1h", signal_bars, algorithms=["linear", "lightgbm"], seed=1)
    assert "naive" in report.scores
    assert report.has_edge and report.chosen in ("linear", "lightgbm")
    assert report.mae_ratio < 0.9
    assert report.scores[report.chosen]["directional_accuracy"] > 0.6
    assert 0 < report.shrink <= 1
    assert report.calibration.columns == ["ts", "y_true", "y_pred"]
    assert report.calibration["ts"].min() == report.test_window[0]


@pytest.mark.parametrize("seed", [7, 8])
def test_random_walk_has_no_edge(seed: int) -> None:
    report = train(
        "x",
        "1h",
        "1h",
        random_walk(3000, seed=seed),
        algorithms=["linear", "random_forest", "lightgbm", "xgboost"],
        seed=0,
    )
    assert set(report.scores) == {"naive", "linear", "random_forest", "lightgbm", "xgboost"}
    assert not report.has_edge
    assert report.chosen == "naive" and report.model is None
    assert report.mae_ratio == 1.0
    assert 0.97 < report.scores[report.best_algorithm]["mae_ratio"] < 1.03
    assert report.to_dict()["scores"]["naive"]["mae_ratio"] == 1.0


def test_report_windows_and_counts_with_gaps() -> None:
    bars = with_gaps(planted_signal(2500, seed=3), seed=3)
    report = train("x", "1h", "6h", bars, algorithms=["linear"], seed=0)
    data = dataset(bars, "6h")
    assert report.n_train + report.n_validation + report.n_test < data.height
    assert report.train_window[1] + 6 * HOUR < report.test_window[0]
    assert report.n_test == round(data.height * 0.3)
    out = report.to_dict()
    assert {"coin", "timeframe", "horizon", "chosen", "scores", "mae_ratio"} <= set(out)


def test_progress_is_reported(walk_bars: pl.DataFrame) -> None:
    calls: list[tuple[str, int, int]] = []
    train("x", "1h", "1h", walk_bars, algorithms=["linear"], progress=lambda *a: calls.append(a))
    assert calls == [("linear", 0, 1), ("done", 1, 1)]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"algorithms": ["svm"]}, ModelError, "algorithms"),
        ({"horizon": "30m"}, DataError, "multiple"),
        ({"bars_n": 100}, DataError, "at least"),
    ],
)
def test_bad_requests(kwargs: dict, error: type, match: str) -> None:
    bars = random_walk(kwargs.pop("bars_n", 600), seed=1)
    args = {"algorithms": ["linear"], "horizon": "1h"} | kwargs
    with pytest.raises(error, match=match):
        train("x", "1h", args["horizon"], bars, algorithms=args["algorithms"])
