"""The synthetic history's labelled predictable component (``PLANTED``): found by ``evaluate``
where it was planted, refused where there is none."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from finbot.config.models import Costs, Thresholds
from finbot.prediction.tracking import DecisionInputs, EvalConfig, evaluate_many
from finbot.replay import synthetic
from finbot.timeframes import DAY_MS

pytestmark = pytest.mark.unit
END = 1_717_200_000_000
COINS = ["bitcoin", "solana", "dogecoin"]


@pytest.fixture(scope="module")
def hourly() -> dict[str, pl.DataFrame]:
    history = synthetic.generate_history(
        COINS, END - 400 * DAY_MS, END, 7, ("1h",), hourly_days=365, m5_days=1
    )
    return {coin: frames["1h"] for coin, frames in history.items()}


def _lag1(frame: pl.DataFrame) -> float:
    r = np.diff(np.log(frame["close"].to_numpy()))
    return float(np.corrcoef(r[1:], r[:-1])[0, 1])


def test_the_planted_coins_are_labelled_and_autocorrelated(hourly: dict[str, pl.DataFrame]) -> None:
    assert synthetic.PLANTED == {"solana": 0.25, "dogecoin": -0.25}
    for coin, frame in hourly.items():
        assert _lag1(frame) == pytest.approx(synthetic.PLANTED.get(coin, 0.0), abs=0.04), coin


def test_evaluate_finds_the_plant_and_refuses_elsewhere(hourly: dict[str, pl.DataFrame]) -> None:
    inputs = DecisionInputs(Costs(), Thresholds(), {"1h": 0.5, "6h": 0.5})
    config = EvalConfig(n_folds=3, algorithms=("linear",), volatility_folds=0)
    out = evaluate_many(hourly, timeframe="1h", horizons=["1h", "6h"], inputs=inputs, config=config)
    by_coin = {ev.coin: ev.horizons for ev in out}
    for coin in synthetic.PLANTED:
        h1 = by_coin[coin]["1h"]
        assert h1["edge"] is True and h1["dm_pvalue_adjusted"] < 0.01, coin
        assert h1["model"] == "linear" and h1["mae_ratio"] < 0.99
    assert not any(m["edge"] for m in by_coin["bitcoin"].values())  # no plant: no edge
    assert not any(h["6h"]["edge"] for h in by_coin.values())  # the plant is a 1-bar signal
