"""Features and forecasts at ``t`` use bars at or before ``t`` only: rewriting the future
(prices changed, bars dropped) changes nothing up to ``t``."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from finbot.prediction.volatility import CANDIDATES, bar_grid, horizon_data, vol_features
from finbot.prediction.volatility.candidates import fit_candidate
from finbot.prediction.volatility.dataset import HorizonData

from .simulate import garch_bars

pytestmark = pytest.mark.unit

T = 2000  # the slot whose past is kept
H = 6


def _rewrite_future(bars: pl.DataFrame, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    future = pl.int_range(pl.len()) > T
    shock = pl.Series(np.exp(np.cumsum(rng.normal(0.0, 0.03, bars.height))))
    wick = pl.Series(1.0 + rng.uniform(0.0, 0.05, bars.height))
    changed = bars.with_columns(
        *(pl.when(future).then(pl.col(c) * shock).otherwise(pl.col(c)) for c in ("open", "close")),
        pl.when(future).then(pl.col("high") * shock * wick).otherwise(pl.col("high")),
        pl.when(future).then(pl.col("low") * shock / wick).otherwise(pl.col("low")),
    )
    dropped = rng.choice(np.arange(T + 2, bars.height - 1), size=40, replace=False)
    return changed.filter(~pl.int_range(pl.len()).is_in(dropped.tolist()))


@pytest.fixture(scope="module")
def pair() -> tuple[HorizonData, HorizonData]:
    bars = garch_bars(2600, seed=11)
    return (
        horizon_data(bar_grid(bars, "1h"), H),
        horizon_data(bar_grid(_rewrite_future(bars, seed=12), "1h"), H),
    )


def _same(a: np.ndarray, b: np.ndarray) -> None:
    np.testing.assert_array_equal(a[: T + 1], b[: T + 1])


def test_features_and_naive_forecasts_up_to_t_ignore_the_future(
    pair: tuple[HorizonData, HorizonData],
) -> None:
    before, after = pair
    a, b = before.features, after.features
    for name in ("rv_bar", "rv_day", "rv_week", "range_bar", "range_day", "range_week"):
        _same(getattr(a, name), getattr(b, name))
    _same(a.boosted, b.boosted)
    for name in before.naive:
        _same(before.naive[name], after.naive[name])
    # the rewrite is real: the future's features did change
    assert not np.allclose(a.rv_day[T + 30 : T + 60], b.rv_day[T + 30 : T + 60])


@pytest.mark.parametrize("name", CANDIDATES)
def test_forecasts_at_t_ignore_the_future(pair: tuple[HorizonData, HorizonData], name: str) -> None:
    slots = np.array([T - 100, T - 1, T], dtype=np.int64)
    forecasts = []
    for data in pair:
        known = data.known
        rows = known[known + H <= T]  # outcomes complete by t
        forecasts.append(fit_candidate(name, data, rows, 0)(slots))
    np.testing.assert_array_equal(forecasts[0], forecasts[1])
    assert np.all(np.isfinite(forecasts[0]))


def test_vol_features_alone_match_on_a_truncated_series() -> None:
    """The same check from the other side: features computed on bars up to t only."""
    bars = garch_bars(2600, seed=13)
    full = vol_features(bar_grid(bars, "1h"))
    cut = vol_features(bar_grid(bars.head(T + 1), "1h"))
    np.testing.assert_array_equal(full.boosted[: T + 1], cut.boosted)
    np.testing.assert_array_equal(full.har[: T + 1], cut.har)
