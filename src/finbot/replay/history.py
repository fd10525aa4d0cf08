"""The history a replay server serves: bars per coin and timeframe, as numpy arrays.

A bar with open time ``ts`` and duration ``d`` becomes visible when ``ts + d <= now``; its
close is the price observed at ``ts + d``. So as the clock advances, bars appear one by one
and the history replays as live. Point series (market_chart) carry the close at the bar's
close time; ``total_volumes`` is the rolling 24 h USD volume at that instant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from finbot.replay.coin_profiles import CoinProfile, profile_for
from finbot.timeframes import DAY_MS, duration_ms


@dataclass(frozen=True)
class Series:
    """Bars of one coin on one timeframe (sorted by ts, unique)."""

    timeframe: str
    step_ms: int
    ts: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray  # USD per bar
    market_cap: np.ndarray  # NaN where unknown
    cum_volume: np.ndarray  # cumulative volume, for rolling sums

    @classmethod
    def from_frame(cls, timeframe: str, frame: pl.DataFrame, supply: float) -> Series:
        frame = frame.sort("ts").unique("ts", keep="last", maintain_order=True)
        close = frame["close"].cast(pl.Float64).to_numpy()
        volume = frame["volume"].cast(pl.Float64).fill_null(0.0).to_numpy()
        cap = (
            frame["market_cap"].cast(pl.Float64).fill_null(float("nan")).to_numpy()
            if "market_cap" in frame.columns
            else np.full(len(close), np.nan)
        )
        cap = np.where(np.isnan(cap), close * supply, cap)
        return cls(
            timeframe,
            duration_ms(timeframe, field="timeframe"),
            frame["ts"].cast(pl.Int64).to_numpy(),
            frame["open"].cast(pl.Float64).to_numpy(),
            frame["high"].cast(pl.Float64).to_numpy(),
            frame["low"].cast(pl.Float64).to_numpy(),
            close,
            volume,
            cap,
            np.concatenate([[0.0], np.cumsum(volume)]),
        )

    def visible_count(self, now_ms: int) -> int:
        """How many bars are complete at ``now_ms``."""
        return int(np.searchsorted(self.ts + self.step_ms, now_ms, side="right"))

    def window(self, start_ms: int, end_ms: int) -> slice:
        """Bars whose close time lies in ``[start_ms, end_ms]``."""
        close_t = self.ts + self.step_ms
        return slice(
            int(np.searchsorted(close_t, start_ms, side="left")),
            int(np.searchsorted(close_t, end_ms, side="right")),
        )

    def covers(self, start_ms: int) -> bool:
        return len(self.ts) > 0 and int(self.ts[0]) <= start_ms

    def rolling_volume(self, at_ms: np.ndarray, span_ms: int = DAY_MS) -> np.ndarray:
        """USD volume of the bars closing in ``(t - span, t]`` for each ``t`` in ``at_ms``."""
        close_t = self.ts + self.step_ms
        hi = np.searchsorted(close_t, at_ms, side="right")
        lo = np.searchsorted(close_t, at_ms - span_ms, side="right")
        return np.asarray(self.cum_volume[hi] - self.cum_volume[lo])


@dataclass(frozen=True)
class Points:
    """A market_chart-like series: times (ms) with price, market cap and rolling volume."""

    ts: np.ndarray
    price: np.ndarray
    market_cap: np.ndarray
    volume_24h: np.ndarray


class HistorySource:
    """All coins' bars, with the look-ups the endpoints need; ``label`` says where it came from."""

    def __init__(
        self, history: Mapping[str, Mapping[str, pl.DataFrame]], *, label: str = "synthetic"
    ):
        self.label = label
        self.profiles: dict[str, CoinProfile] = {c: profile_for(c) for c in history}
        self.series: dict[str, dict[str, Series]] = {}
        for coin, frames in history.items():
            supply = self.profiles[coin].supply
            built = {tf: Series.from_frame(tf, f, supply) for tf, f in frames.items() if f.height}
            self.series[coin] = dict(sorted(built.items(), key=lambda kv: kv[1].step_ms))
        if not any(self.series.values()):
            raise ValueError("history: expected at least one coin with bars")

    @property
    def coins(self) -> list[str]:
        return list(self.series)

    @property
    def end_ms(self) -> int:
        """Close time of the latest bar anywhere: the default 'now' of a replay."""
        return max(int(s.ts[-1]) + s.step_ms for tfs in self.series.values() for s in tfs.values())

    @property
    def start_ms(self) -> int:
        return min(int(s.ts[0]) for tfs in self.series.values() for s in tfs.values())

    def has(self, coin: str) -> bool:
        return coin in self.series and bool(self.series[coin])

    def pick(self, coin: str, step_ms: int, start_ms: int) -> Series:
        """The timeframe to build a ``step_ms`` series from: exact step, then finer, then coarser,
        preferring one that reaches back to ``start_ms``."""
        tfs = list(self.series[coin].values())
        order = sorted(tfs, key=lambda s: (s.step_ms > step_ms, abs(s.step_ms - step_ms)))
        for series in order:
            if series.covers(start_ms):
                return series
        return min(order, key=lambda s: int(s.ts[0]))

    def points(self, coin: str, start_ms: int, end_ms: int, step_ms: int) -> Points:
        """Points on a ``step_ms`` grid with time in ``[start_ms, end_ms]`` (only complete bars)."""
        series = self.pick(coin, step_ms, start_ms)
        sl = series.window(start_ms, end_ms)
        close_t = series.ts[sl] + series.step_ms
        keep = close_t % step_ms == 0 if series.step_ms < step_ms else np.ones(len(close_t), bool)
        at = close_t[keep]
        return Points(
            at, series.close[sl][keep], series.market_cap[sl][keep], series.rolling_volume(at)
        )

    def latest(self, coin: str, now_ms: int) -> tuple[int, float, float, float] | None:
        """(time, price, market cap, 24 h volume) of the latest observation at ``now_ms``."""
        best: tuple[int, float, float, float] | None = None
        for series in self.series[coin].values():
            n = series.visible_count(now_ms)
            if n == 0:
                continue
            t = int(series.ts[n - 1]) + series.step_ms
            if best is None or t > best[0]:
                vol = float(series.rolling_volume(np.array([t]))[0])
                best = (t, float(series.close[n - 1]), float(series.market_cap[n - 1]), vol)
        return best

    def price_at(self, coin: str, at_ms: int) -> float | None:
        found = self.latest(coin, at_ms)
        return None if found is None else found[1]

    def bars_until(self, coin: str, timeframe: str, now_ms: int) -> Series | None:
        """The coin's series on ``timeframe`` (complete bars are selected by the caller)."""
        return self.series.get(coin, {}).get(timeframe)


def eur_per_usd(at_ms: int) -> float:
    """A smooth, deterministic EUR/USD path around 0.92 (the replay's FX reference)."""
    days = at_ms / DAY_MS
    return round(0.92 + 0.015 * float(np.sin(days / 45.0)) + 0.005 * float(np.sin(days / 7.0)), 6)
