"""The domain hands enum members across its seams (decisions, algorithms, timeframes, modes),
and still takes the old strings from callers that pass them."""

from __future__ import annotations

import json
import math

import pytest

from finbot.algorithms import Algorithm
from finbot.config.models import Thresholds
from finbot.errors import ModelError, UsageError
from finbot.prediction.decision import Action, HorizonSignal, decide, decide_horizon
from finbot.prediction.decision.threshold_policy import horizon_thresholds
from finbot.prediction.models import ModelStore, check_algorithms
from finbot.prediction.training import RetrainMode
from finbot.prediction.training import incremental_trainer as inc
from finbot.prediction.training.trainer import train
from finbot.timeframes import Timeframe, check_timeframe, default_timeframe
from tests.fixtures.bars import planted_signal, random_walk

pytestmark = pytest.mark.unit


def _signal(ret: float, horizon: str = "1h", edge: bool = True) -> HorizonSignal:
    th = horizon_thresholds(Thresholds(), horizon, 0.0055, None)
    r = math.log1p(ret)
    return HorizonSignal(horizon, r, r - 0.01, r + 0.01, 70.0, 0.9, edge, 0.005, th)


@pytest.mark.parametrize(
    ("ret", "edge", "action"),
    [(0.01, True, Action.BUY), (-0.01, True, Action.SELL), (0.05, False, Action.HOLD)],
)
def test_decisions_are_actions(ret: float, edge: bool, action: Action) -> None:
    per = decide_horizon(_signal(ret, edge=edge), min_confidence=50)
    assert per.action is action
    coin = decide(
        "bitcoin",
        [_signal(ret, "1h", edge), _signal(ret, "6h", edge)],
        weights={"1h": 0.5, "6h": 0.5},
        min_confidence=50,
        reference_vol=0.01,
    )
    assert coin.action is action and all(h.action is action for h in coin.horizons)
    data = json.loads(json.dumps(coin.to_json()))
    assert data["action"] == action.value and data["horizons"][0]["action"] == action.value


def test_check_algorithms_gives_members_and_refuses_the_untrainable() -> None:
    assert check_algorithms(["linear", "lightgbm"]) == (
        Algorithm.LINEAR,
        Algorithm.LIGHTGBM,
    )
    for bad in (["naive"], ["master"], ["svm"], []):
        with pytest.raises(ModelError, match="algorithms: expected some of linear"):
            check_algorithms(bad)


def test_a_report_and_its_stored_model_name_their_algorithm(home) -> None:
    report = train("bitcoin", "1h", "1h", planted_signal(1500, seed=5), algorithms=["linear"])
    assert report.chosen is Algorithm.LINEAR and report.best_algorithm is Algorithm.LINEAR
    assert report.timeframe is Timeframe.H1
    flat = train("ethereum", "1h", "1h", random_walk(1500, seed=13), algorithms=["linear"])
    assert flat.chosen is Algorithm.NAIVE  # no edge on a random walk
    store = ModelStore(home.models_dir)
    store.save(report)
    loaded = store.load_latest("bitcoin", "1h", "1h")
    assert loaded.algorithm is Algorithm.LINEAR
    assert json.loads((loaded.folder / "meta.json").read_text())["algorithm"] == "linear"
    loaded.meta["algorithm"] = "svm"
    with pytest.raises(ModelError, match="unknown algorithm 'svm'"):
        _ = loaded.algorithm


def test_timeframes_are_checked_into_members() -> None:
    assert check_timeframe("1h") is Timeframe.H1
    assert default_timeframe("10m") is Timeframe.M5 and default_timeframe("12h") is Timeframe.H1
    assert default_timeframe("6h", {"6h": "4h"}) is Timeframe.H4
    with pytest.raises(UsageError, match="timeframe: expected one of 5m, 1h, 4h, 1d, 1w"):
        check_timeframe("2h")
    with pytest.raises(UsageError, match="timeframe: expected one of"):
        default_timeframe("6h", {"6h": "3h"})


def test_incremental_modes_take_members_or_strings(settings, home) -> None:
    from finbot.storage import BarStore

    stores = (BarStore(home.parquet_dir), ModelStore(home.models_dir))
    training = settings.general.training
    for mode in (RetrainMode.MINI, "mini"):
        out = inc.run(mode, *stores, training, ["bitcoin"], ["1h"])
        assert out["mode"] is RetrainMode.MINI and len(out["results"]) == 1
    # the job list (``schedule``) is the scheduler's own (``ops.scheduler.retrain_jobs``)
    for bad in ("nano", RetrainMode.SCHEDULE):
        with pytest.raises(UsageError, match="mode: expected one of micro, mini, got"):
            inc.run(bad, *stores, training, ["bitcoin"], ["1h"])
