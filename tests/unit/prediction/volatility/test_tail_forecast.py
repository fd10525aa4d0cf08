"""``forecast_volatility`` reads the recent tail only, and at ``t`` uses bars at or before
``t`` only: it matches what the fitted candidate gives at ``t`` on the whole history (later
bars included), and a shorter tail than it needs is refused."""

from __future__ import annotations

import dataclasses

import numpy as np
import polars as pl
import pytest

from finbot.errors import DataError
from finbot.prediction.volatility import (
    CANDIDATES,
    VOL_TAIL_BARS,
    FittedVolatility,
    bar_grid,
    forecast_volatility,
    horizon_data,
)
from finbot.prediction.volatility.dataset import HorizonData
from finbot.prediction.volatility.fitted import tail_bars
from finbot.prediction.volatility.garch import (
    GarchParams,
    GarchState,
    backcast,
    conditional_variance,
    horizon_variance,
)
from finbot.timeframes import DAY_MS, HOUR_MS

from . import fitted_models

pytestmark = pytest.mark.unit

LATER = (fitted_models.FIT_BARS - 1, 2700, 2851, fitted_models.N_BARS - 1)  # slots >= the fit's end


@pytest.fixture(scope="module")
def full() -> HorizonData:
    """The whole simulated history on one grid (the bars after each ``t`` included)."""
    return horizon_data(bar_grid(fitted_models.all_bars(), "1h"), fitted_models.model().h)


def _until(t: int) -> pl.DataFrame:
    return fitted_models.all_bars().head(t + 1)


def test_the_tail_length_is_the_longest_window_plus_one_bar() -> None:
    assert VOL_TAIL_BARS == 169 == tail_bars(HOUR_MS, 6)
    assert tail_bars(HOUR_MS, 336) == 337  # the naive window of a two-week horizon
    assert tail_bars(DAY_MS, 1) == 31  # daily bars: a 30-day "week"
    assert fitted_models.variants()["har"].tail_bars == VOL_TAIL_BARS


@pytest.mark.parametrize("name", CANDIDATES)
def test_at_t_it_forecasts_what_the_whole_history_gives_at_t(full: HorizonData, name: str) -> None:
    """Summing the tail's windows instead of the whole history's differs in the last digits
    only (cumulative sums), so a relative 1e-9."""
    fitted = fitted_models.variants()[name]
    for t in LATER:
        tail = forecast_volatility(fitted, _until(t))
        assert tail.ts == int(full.grid.ts[t])
        expected = fitted.candidate.predict(full, np.array([t], dtype=np.int64))[0]
        assert tail.variance == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("name", CANDIDATES)
def test_bars_before_the_tail_change_nothing(name: str) -> None:
    fitted = fitted_models.variants()[name]
    bars = fitted_models.all_bars().head(2852)
    base = forecast_volatility(fitted, bars)
    start = fitted.tail_start(int(bars["ts"][-1]))
    assert forecast_volatility(fitted, bars.filter(pl.col("ts") >= start)) == base
    shock = pl.Series(np.exp(np.random.default_rng(5).normal(0.0, 0.05, bars.height)))
    old = pl.col("ts") < start
    rewritten = bars.with_columns(
        pl.when(old).then(pl.col(c) * shock).otherwise(pl.col(c))
        for c in ("open", "high", "low", "close")
    )
    assert forecast_volatility(fitted, rewritten) == base


def test_one_bar_short_of_the_tail_is_refused() -> None:
    fitted = fitted_models.variants()["har_range"]
    bars = fitted_models.all_bars()
    forecast_volatility(fitted, bars.tail(fitted.tail_bars))
    with pytest.raises(DataError, match=f"needs the last {fitted.tail_bars} 1h bars"):
        forecast_volatility(fitted, bars.tail(fitted.tail_bars - 1))


def test_a_gap_in_the_windows_of_the_latest_bar_is_refused() -> None:
    bars = fitted_models.all_bars()
    gap = bars.filter(pl.int_range(pl.len()) != bars.height - 2)  # the last return is unknown
    with pytest.raises(DataError, match="latest bar lacks the history"):
        forecast_volatility(fitted_models.variants()["har"], gap)


# ------------------------------------------------------------------------------- GARCH state
def _garch(fitted: FittedVolatility) -> GarchState:
    assert isinstance(fitted.candidate, GarchState)
    return fitted.candidate


def test_garch_runs_its_filter_on_from_its_state(full: HorizonData) -> None:
    """From the state saved at the end of the fit, the filter over later bars is the filter
    over the whole history (arch's, started from the backcast of the first returns)."""
    fitted = fitted_models.variants()["garch"]
    state = _garch(fitted)
    assert state.anchor_ts == int(full.grid.ts[fitted_models.FIT_BARS - 1])
    r = full.grid.log_return
    sigma2 = conditional_variance(r, state.params, backcast(r))
    for t in LATER:
        expected = horizon_variance(sigma2[t + 1 : t + 2], state.params, full.h)[0]
        assert forecast_volatility(fitted, _until(t)).variance == pytest.approx(expected, rel=1e-13)


def test_garch_crosses_the_bars_it_is_not_given_by_their_expectation(full: HorizonData) -> None:
    """A state older than the tail: the bars between are a gap. With a persistent filter
    (beta 0.97, so the state still counts a week later) the result is the whole-history filter
    with those returns missing, not the one with them."""
    fitted = fitted_models.variants()["garch"]
    params = GarchParams(omega=1e-6, alpha=0.025, beta=0.97)
    r = full.grid.log_return
    start = backcast(r)
    anchor = fitted_models.FIT_BARS - 1
    state = GarchState(
        params, int(full.grid.ts[anchor]), conditional_variance(r, params, start)[anchor + 1]
    )
    persistent = dataclasses.replace(fitted, candidate=state)
    first = full.grid.size - fitted.tail_bars  # the tail starts long after the anchor
    unseen = r.copy()
    unseen[anchor + 1 : first + 1] = np.nan  # and the tail's first return has no bar before it
    expected = horizon_variance(conditional_variance(unseen, params, start)[-1:], params, full.h)[0]
    seen = horizon_variance(conditional_variance(r, params, start)[-1:], params, full.h)[0]
    assert expected != pytest.approx(seen, rel=1e-4)
    tail = fitted_models.all_bars().tail(fitted.tail_bars)
    assert forecast_volatility(persistent, tail).variance == pytest.approx(expected, rel=1e-13)
    everything = forecast_volatility(persistent, fitted_models.all_bars())
    assert everything.variance == pytest.approx(seen, rel=1e-13)


def test_garch_refuses_bars_that_end_before_its_state() -> None:
    fitted = fitted_models.variants()["garch"]
    with pytest.raises(DataError, match="before the model's state"):
        forecast_volatility(fitted, _until(fitted_models.FIT_BARS - 10))


def test_other_candidates_forecast_before_the_end_of_their_fit(full: HorizonData) -> None:
    fitted = fitted_models.variants()["har_range"]
    t = 1500
    expected = fitted.candidate.predict(full, np.array([t], dtype=np.int64))[0]
    assert forecast_volatility(fitted, _until(t)).variance == pytest.approx(expected, rel=1e-9)


def test_the_forecast_shows_what_the_skill_allows() -> None:
    fitted = fitted_models.variants()["har"]
    none = dataclasses.replace(fitted.skill, winkler_ratio=1.5, direction_brier_ratio=1.2)
    f = forecast_volatility(dataclasses.replace(fitted, skill=none), fitted_models.all_bars())
    assert f.interval_kind == "constant" and f.p_up is None and f.p_down is None
