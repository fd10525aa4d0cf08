"""The reporting objects the CLI and the dashboard share (ops.reports)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from finbot.ops.reports import (
    equity_points,
    latest_evaluations,
    save_evaluation,
)
from finbot.paths import Paths

pytestmark = pytest.mark.unit


def test_equity_points_are_thinned_keeping_both_ends() -> None:
    ts = np.arange(1234, dtype=np.int64) * 1000
    curve = np.linspace(1.0, 2.0, 1234)
    points = equity_points(ts, curve, curve[::-1], most=100)
    assert len(points["ts"]) <= 101 and points["ts"][0] == 0 and points["ts"][-1] == 1233000
    assert points["strategy"][-1] == 2.0 and points["hold"][-1] == 1.0
    assert equity_points(ts[:0], curve[:0], curve[:0]) == {"ts": [], "strategy": [], "hold": []}


def test_the_latest_evaluation_of_each_coin_and_timeframe_is_kept(tmp_path: Path) -> None:
    paths = Paths.resolve(tmp_path / "home")
    assert latest_evaluations(paths) == []
    save_evaluation(paths, {"coin": "bitcoin", "timeframe": "1h", "folds": 2})
    save_evaluation(paths, {"coin": "bitcoin", "timeframe": "1h", "folds": 3})
    save_evaluation(paths, {"coin": "ethereum", "timeframe": "1h", "folds": 1})
    kept = latest_evaluations(paths)
    assert sorted((e["coin"], e["folds"]) for e in kept) == [("bitcoin", 3), ("ethereum", 1)]
    (paths.reports_dir / "evaluations" / "broken-1h.json").write_text("{", "utf-8")
    assert len(latest_evaluations(paths)) == 2  # an unreadable file is skipped
