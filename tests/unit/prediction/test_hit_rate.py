"""One definition of the hit rate (issue 12, item 3): train, evaluate and the tracker agree;
a zero forecast is left out (never half a hit), and so is a zero move."""

from __future__ import annotations

import numpy as np
import pytest

from finbot.prediction.decision import direction_hit, hit_rate
from finbot.prediction.training.trainer import score

pytestmark = pytest.mark.unit
Y_TRUE = np.array([0.01, -0.02, -0.03, 0.0, 0.02])
Y_PRED = np.array([0.02, 0.0, -0.01, 0.01, -0.01])  # hit, no call, hit, no move, miss


def test_a_zero_forecast_and_a_zero_move_are_left_out() -> None:
    assert hit_rate(Y_TRUE, Y_PRED) == pytest.approx(2 / 3)
    assert hit_rate(Y_TRUE, np.zeros(5)) is None  # the naive baseline calls nothing


def test_train_evaluate_and_the_tracker_use_the_same_definition() -> None:
    assert score(Y_TRUE, Y_PRED)["directional_accuracy"] == pytest.approx(2 / 3)  # was 0.625
    tracked = [direction_hit(t, p) for t, p in zip(Y_TRUE, Y_PRED, strict=True)]
    assert tracked == [True, None, True, None, False]
    counted = [float(h) for h in tracked if h is not None]
    assert sum(counted) / len(counted) == pytest.approx(2 / 3)
    assert direction_hit(0.0, -0.01) is None  # a flat market is no hit for a SELL call
    assert hit_rate([0.01], [0.01]) == 1.0
