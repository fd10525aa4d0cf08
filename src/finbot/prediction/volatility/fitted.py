"""A fitted volatility model as plain state: what ``save_volatility`` writes and
``forecast_volatility`` needs with the recent tail of bars.

The forecast from the latest bar needs the HAR week (168 returns of hourly bars, so 169 bars),
the day and the last ``h`` bars (the naive forecasts): ``tail_bars`` of the timeframe and
horizon, ``VOL_TAIL_BARS`` on hourly bars for horizons up to a week. GARCH also carries its
filter state: exact from the bar it was fitted with on (``FittedVolatility.tail_start``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from finbot.timeframes import HOUR_MS, duration_ms

from .candidates import CandidateState
from .features import har_lags
from .garch import GarchState
from .grid import BarGrid
from .outputs import Maps, Skill


def tail_bars(step_ms: int, h: int) -> int:
    """Bars a forecast from the latest one reads: the longest trailing window (HAR week, day,
    the last ``h`` bars) in returns, plus the bar before its first return."""
    _, day, week = har_lags(step_ms)
    return max(week, day, h) + 1


VOL_TAIL_BARS = tail_bars(HOUR_MS, 1)  # 169: hourly bars, any horizon up to 168 h


@dataclass(frozen=True)
class Training:
    """What the model was fitted on."""

    first_ts: int  # open time (ms) of the first bar on the grid
    last_ts: int  # of the last bar
    n_bars: int  # grid slots, gaps included
    n_known: int  # slots with a known outcome (the final fit's rows)
    data_hash: str  # ``grid_hash`` of the grid


def grid_hash(grid: BarGrid) -> str:
    """A fingerprint of a grid's bars (ts and OHLC, gaps as NaN)."""
    digest = hashlib.sha256()
    for values in (grid.ts, grid.open, grid.high, grid.low, grid.close):
        digest.update(values.tobytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class FittedVolatility:
    """The chosen candidate's parameters and everything a forecast shows with them."""

    timeframe: str  # canonical
    horizon: str  # canonical
    h: int  # bars in the horizon
    candidate: CandidateState
    level: float  # of the interval
    cost: float  # direction events: |return| beyond this fraction
    skill: Skill
    maps: Maps
    training: Training

    @property
    def chosen(self) -> str:
        return self.candidate.name

    @property
    def step_ms(self) -> int:
        return duration_ms(self.timeframe, field="timeframe")

    @property
    def tail_bars(self) -> int:
        return tail_bars(self.step_ms, self.h)

    def tail_start(self, last_ts: int) -> int:
        """Open time of the first bar a forecast from the bar at ``last_ts`` reads: the tail,
        and for GARCH the bars since its state (older bars would be crossed as a gap)."""
        start = last_ts - (self.tail_bars - 1) * self.step_ms
        if isinstance(self.candidate, GarchState):
            return min(start, self.candidate.anchor_ts)
        return start
