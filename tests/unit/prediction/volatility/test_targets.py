"""Targets and naive forecasts found by timestamp: gaps give NaN, never a filled value."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from finbot.errors import DataError
from finbot.prediction.volatility import (
    bar_grid,
    naive_forecasts,
    realized_variance,
    vol_features,
)
from finbot.prediction.volatility.targets import forward_high, forward_return

from .simulate import HOUR_MS, START_MS, random_walk_bars

pytestmark = pytest.mark.unit


def _bars(closes: list[float], slots: list[int]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "ts": [START_MS + s * HOUR_MS for s in slots],
            "open": closes,
            "high": [c * 1.01 for c in closes],
            "low": [c * 0.99 for c in closes],
            "close": closes,
        }
    )


def test_realised_variance_sums_the_next_squared_returns_by_timestamp() -> None:
    closes = [100.0, 101.0, 99.0, 102.0, 103.0, 100.0]
    grid = bar_grid(_bars(closes, list(range(6))), "1h")
    r = np.diff(np.log(closes))
    rv = realized_variance(grid, 2)
    assert rv[0] == pytest.approx(r[0] ** 2 + r[1] ** 2)
    assert rv[3] == pytest.approx(r[3] ** 2 + r[4] ** 2)
    assert np.isnan(rv[4]) and np.isnan(rv[5])  # the future is not there yet
    assert forward_return(grid, 2)[1] == pytest.approx(np.log(102.0 / 101.0))
    assert forward_high(grid, 2)[0] == pytest.approx(np.log(101.0 * 1.01 / 100.0))


def test_a_missing_bar_voids_every_window_across_it() -> None:
    closes = [100.0, 101.0, 102.0, 104.0, 103.0, 105.0]
    grid = bar_grid(_bars(closes, [0, 1, 2, 4, 5, 6]), "1h")  # slot 3 missing
    assert grid.size == 7 and not grid.present[3]
    assert np.isnan(grid.log_return[3]) and np.isnan(grid.log_return[4])
    rv = realized_variance(grid, 2)
    assert np.isfinite(rv[0])
    assert np.isnan(rv[1]) and np.isnan(rv[2]) and np.isnan(rv[3])
    assert rv[4] == pytest.approx(np.log(103 / 104) ** 2 + np.log(105 / 103) ** 2)


def test_naive_forecasts_are_the_last_window_and_the_day_mean() -> None:
    bars = random_walk_bars(100, seed=1)
    grid = bar_grid(bars, "1h")
    naive = naive_forecasts(grid, 6)
    r2 = grid.log_return**2
    t = 60
    assert naive["naive_window"][t] == pytest.approx(r2[t - 5 : t + 1].sum())
    assert naive["naive_day"][t] == pytest.approx(r2[t - 23 : t + 1].mean() * 6)


def test_the_grid_rejects_bars_off_the_timeframe_and_keeps_the_last_duplicate() -> None:
    bars = _bars([100.0, 101.0, 102.0], [0, 1, 2])
    with pytest.raises(DataError):
        bar_grid(bars.with_columns(pl.col("ts") + pl.Series([0, 0, 60_000])), "1h")
    doubled = pl.concat([bars, bars.tail(1).with_columns(close=pl.lit(110.0))])
    assert bar_grid(doubled, "1h").close[-1] == 110.0


def test_a_bar_with_a_broken_range_keeps_its_close_and_the_range_har_falls_back() -> None:
    bars = random_walk_bars(400, seed=2)
    broken = bars.with_columns(
        high=pl.when(pl.int_range(pl.len()) == 300).then(0.5 * pl.col("low")).otherwise("high")
    )
    grid = bar_grid(broken, "1h")
    assert np.isnan(grid.high[300]) and np.isnan(grid.low[300]) and np.isfinite(grid.close[300])
    features = vol_features(grid)
    assert np.isnan(features.range_bar[300])
    assert features.har_range[300, 0] == pytest.approx(features.har[300, 0])
    assert np.all(np.isfinite(features.har_range[200:]))
