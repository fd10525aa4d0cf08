"""One fitted volatility model per candidate, shared by the persistence, tail and store tests
(fitted once per process).

The model is fitted on the first ``FIT_BARS`` of a simulated GARCH path; ``BARS`` holds the
whole path, so forecasts can come from the last bar fitted on and from later bars. Every
variant keeps the fit's skill and maps and swaps the candidate, refitted on the same rows.
"""

from __future__ import annotations

import dataclasses
import functools

import polars as pl

from finbot.prediction.volatility import (
    CANDIDATES,
    FittedVolatility,
    VolatilityConfig,
    VolatilityModel,
    WalkForwardConfig,
    fit_volatility,
)
from finbot.prediction.volatility.candidates import fit_state

from .simulate import garch_bars

N_BARS = 3000
FIT_BARS = 2600
HORIZON = "6h"
CONFIG = VolatilityConfig(
    cost=0.01,
    walk=WalkForwardConfig(candidates=("naive_window", "naive_day", "har", "har_range", "garch")),
)


@functools.cache
def all_bars() -> pl.DataFrame:
    return garch_bars(N_BARS, seed=71)


@functools.cache
def model() -> VolatilityModel:
    return fit_volatility(all_bars().head(FIT_BARS), "1h", HORIZON, CONFIG)


@functools.cache
def variants() -> dict[str, FittedVolatility]:
    m = model()
    return {
        name: dataclasses.replace(m.fitted, candidate=fit_state(name, m.data, m.data.known))
        for name in CANDIDATES
    }
