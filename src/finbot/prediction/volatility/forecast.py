"""The forecast of a fitted (or loaded) volatility model from the recent tail of bars.

``forecast_volatility`` reads only the bars a forecast from the latest one needs
(``FittedVolatility.tail_start``), whatever longer history it is given, so the same bars give
the same numbers from a freshly fitted model and from its saved copy, and nothing after the
latest bar exists for it.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from finbot.errors import DataError
from finbot.i18n import N_

from .dataset import HorizonData, horizon_data
from .fitted import FittedVolatility
from .grid import clean_bars, grid_of_clean
from .intervals import price_interval
from .outputs import VolatilityForecast
from .probability import exceed_probability


def tail_data(fitted: FittedVolatility, bars: pl.DataFrame) -> HorizonData:
    """The horizon data of the bars from ``fitted.tail_start(latest)`` to the latest bar;
    DataError when ``bars`` do not reach back ``fitted.tail_bars`` bars."""
    frame = clean_bars(bars)
    if frame.height == 0:
        raise DataError(N_("volatility: no bars with a close to forecast from"))
    ts = frame["ts"]
    first, last = int(ts[0]), int(ts[-1])
    need = last - (fitted.tail_bars - 1) * fitted.step_ms
    if first > need:
        raise DataError(
            N_(
                "volatility: a forecast needs the last {tail_bars} {timeframe} bars (from ts "
                "{need}); the bars start at ts {first}"
            ),
            tail_bars=fitted.tail_bars,
            timeframe=fitted.timeframe,
            need=need,
            first=first,
        )
    recent = frame.filter(pl.col("ts") >= fitted.tail_start(last))
    return horizon_data(grid_of_clean(recent, fitted.timeframe), fitted.h)


def forecast_volatility(fitted: FittedVolatility, bars: pl.DataFrame) -> VolatilityForecast:
    """Forecast from the latest bar of ``bars`` (canonical bars of ``fitted.timeframe``, at
    least the last ``fitted.tail_bars``); DataError when that bar lacks the history (a gap in
    its HAR windows or naive forecasts)."""
    data = tail_data(fitted, bars)
    slot = data.grid.size - 1
    ready = data.ready
    if ready.size == 0 or int(ready[-1]) != slot:
        raise DataError(N_("volatility: the latest bar lacks the history to forecast from"))
    variance = float(fitted.candidate.predict(data, np.array([slot], dtype=np.int64))[0])
    if not (math.isfinite(variance) and variance > 0):
        raise DataError(
            N_("volatility: {chosen} gave no usable variance ({variance})"),
            chosen=fitted.chosen,
            variance=variance,
        )
    return shown(fitted, int(data.grid.ts[slot]), float(data.grid.close[slot]), variance)


def shown(fitted: FittedVolatility, ts: int, close: float, variance: float) -> VolatilityForecast:
    """A variance forecast from the bar at ``ts`` with what its measured skill allows shown."""
    skill, maps = fitted.skill, fitted.maps
    normalised = skill.normalised_interval
    half = maps.quantile * math.sqrt(variance) if normalised else maps.quantile_constant
    raw = exceed_probability(fitted.cost, np.array([variance]))
    show = skill.direction
    return VolatilityForecast(
        ts=ts,
        close=close,
        horizon=fitted.horizon,
        model=fitted.chosen,
        variance=variance,
        level=fitted.level,
        interval_kind="normalised" if normalised else "constant",
        interval=price_interval(close, half),
        p_up=float(maps.up(raw)[0]) if show else None,
        p_down=float(maps.down(raw)[0]) if show else None,
        cost=fitted.cost,
        skill=skill,
        maps=maps,
    )
