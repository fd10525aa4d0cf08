"""Cross-asset, calendar and realised-volatility features, aligned by TIMESTAMP across coins.

Public API: ``CROSS_FEATURE_NAMES``; ``align(frames_by_coin, timeframe) -> Aligned`` (every
coin's close and volume on one regular grid, NaN where a coin has no bar);
``cross_features(aligned) -> dict[str, np.ndarray]`` (each name a T x C matrix);
``cross_tail_bars(timeframe)`` (how many recent bars the trailing windows need).

Coins are put on the grid by their bar's open time, never by row: a bar missing for one coin
is a NaN slot of that coin only, so it shifts nothing for the others; the market figures at a
timestamp use the coins that have a bar there. Every value at slot ``t`` uses slots ``<= t``
only (trailing windows; tests perturb the future and check it). Windows are in bars of the
timeframe: one bar, a quarter day, a day (returns) and a week (volatility, volume). Returns
are log returns (scale-free); volumes are z-scores of the coin's own log volume over the last
week, realised variances are ratios to the coin's own weekly variance (per-coin normalised)
except ``har_week``, the weekly level itself. The market is equal-weighted (no caps stored).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from finbot.errors import DataError
from finbot.i18n import N_
from finbot.timeframes import DAY_MS, WEEK_MS, duration_ms

Matrix = npt.NDArray[np.float64]
BITCOIN = "bitcoin"
_RET_ROLES = ("bar", "qday", "day")
CROSS_FEATURE_NAMES: tuple[str, ...] = (
    *(f"mkt_ret_{r}" for r in _RET_ROLES),
    *(f"btc_ret_{r}" for r in _RET_ROLES),
    *(f"rel_ret_{r}" for r in _RET_ROLES),
    *(f"rank_ret_{r}" for r in _RET_ROLES),
    "breadth_bar",
    "breadth_day",
    "vol_z",
    "mkt_vol_z",
    "har_bar",
    "har_day",
    "har_week",
    "ret_z_bar",
    "rel_z_day",
    "hour_sin",
    "hour_cos",
    "dow_sin",
    "dow_cos",
)


@dataclass(frozen=True)
class Aligned:
    """Closes and volumes of ``coins`` (columns) on the grid ``ts`` (rows), NaN if absent."""

    coins: tuple[str, ...]
    ts: npt.NDArray[np.int64]
    step_ms: int
    close: Matrix
    volume: Matrix

    def windows(self) -> dict[str, int]:
        """Bars per window role: one bar, a quarter day, a day, a week (at least 1 each)."""
        day = max(1, DAY_MS // self.step_ms)
        return {
            "bar": 1,
            "qday": max(1, day // 4),
            "day": day,
            "week": max(2, WEEK_MS // self.step_ms),
        }


def cross_tail_bars(timeframe: str) -> int:
    """Recent bars a live row needs so that its weekly windows see what training saw."""
    return max(2, WEEK_MS // duration_ms(timeframe, field="timeframe")) + 2


def _columns(frame: pl.DataFrame, until: int | None, keep_ms: int) -> tuple[np.ndarray, ...]:
    """``ts``, ``close`` and ``volume`` as arrays; only ``(until - keep_ms, until]`` when
    ``until`` is given (a live row needs its last week, not the whole tail)."""
    ts = frame["ts"].to_numpy()
    close = frame["close"].to_numpy().astype(np.float64, copy=False)
    volume = frame["volume"].to_numpy().astype(np.float64, copy=False)
    if until is None:
        return ts, close, volume
    lo, hi = np.searchsorted(ts, [until - keep_ms, until], side="right")
    return ts[lo:hi], close[lo:hi], volume[lo:hi]


def align(
    frames_by_coin: dict[str, pl.DataFrame], timeframe: str, *, until: int | None = None
) -> Aligned:
    """Every coin's bars (``ts``, ``close``, ``volume``, sorted by ``ts``) on one grid of
    ``timeframe`` slots; with ``until``, only the ``cross_tail_bars`` slots ending there."""
    step = duration_ms(timeframe, field="timeframe")
    keep_ms = (cross_tail_bars(timeframe) - 1) * step
    columns = {c: _columns(f, until, keep_ms) for c, f in frames_by_coin.items()}
    coins = tuple(c for c, (ts, _, _) in columns.items() if ts.size)
    if not coins:
        raise DataError(N_("bars: no coin has bars to align"))
    start = min(int(columns[c][0][0]) for c in coins)
    end = max(int(columns[c][0][-1]) for c in coins)
    n = (end - start) // step + 1
    close, volume = np.full((n, len(coins)), np.nan), np.full((n, len(coins)), np.nan)
    for j, coin in enumerate(coins):
        ts, closes, volumes = columns[coin]
        offsets = ts - start
        if np.any(offsets % step):
            raise DataError(
                N_("bars: {coin}'s timestamps are not on the {timeframe} grid"),
                coin=coin,
                timeframe=timeframe,
            )
        close[offsets // step, j], volume[offsets // step, j] = closes, volumes
    close[~(close > 0)] = np.nan
    grid = start + np.arange(n, dtype=np.int64) * step
    return Aligned(coins, grid, step, close, volume)


def _lag(x: Matrix, k: int) -> Matrix:
    out = np.full_like(x, np.nan)
    if k < x.shape[0]:
        out[k:] = x[:-k]
    return out


def _trailing_mean(x: Matrix, window: int) -> Matrix:
    """Mean of the finite values of ``x[t - window + 1 .. t]`` per column; NaN with fewer
    than half the window of them."""
    finite = np.isfinite(x)
    zero = np.zeros((1, x.shape[1]))
    sums = np.concatenate([zero, np.cumsum(np.where(finite, x, 0.0), axis=0)])
    counts = np.concatenate([zero, np.cumsum(finite, axis=0)])
    hi = np.arange(1, x.shape[0] + 1)
    lo = np.maximum(hi - window, 0)
    total, count = sums[hi] - sums[lo], counts[hi] - counts[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean: Matrix = np.asarray(total / count, dtype=np.float64)
    mean[count < max(1, -(-window // 2))] = np.nan
    return mean


def _row_mean(x: Matrix) -> Matrix:
    """Mean over the coins with a value, per row, broadcast back to every column."""
    finite = np.isfinite(x)
    count = finite.sum(axis=1, keepdims=True)
    total = np.where(finite, x, 0.0).sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return np.broadcast_to(mean, x.shape).copy()


def _rank(x: Matrix) -> Matrix:
    """Cross-sectional percentile rank in [0, 1] among the coins with a value (0.5 alone)."""
    finite = np.isfinite(x)
    filled = np.where(finite, x, np.inf)
    order = np.argsort(np.argsort(filled, axis=1, kind="stable"), axis=1).astype(np.float64)
    count = finite.sum(axis=1, keepdims=True).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        rank = np.where(count > 1, order / (count - 1), 0.5)
    return np.where(finite, rank, np.nan)


def _returns(aligned: Aligned) -> dict[str, Matrix]:
    log_close = np.log(aligned.close)
    windows = aligned.windows()
    out: dict[str, Matrix] = {}
    btc = aligned.coins.index(BITCOIN) if BITCOIN in aligned.coins else None
    for role in _RET_ROLES:
        ret = log_close - _lag(log_close, windows[role])
        market = _row_mean(ret)
        out[f"ret_{role}"] = ret
        out[f"mkt_ret_{role}"] = market
        btc_ret = ret[:, [btc]] if btc is not None else np.full((ret.shape[0], 1), np.nan)
        out[f"btc_ret_{role}"] = np.broadcast_to(btc_ret, ret.shape).copy()
        out[f"rel_ret_{role}"] = ret - market
        out[f"rank_ret_{role}"] = _rank(ret)
    for role in ("bar", "day"):
        ret = out[f"ret_{role}"]
        up = np.where(np.isfinite(ret), (ret > 0).astype(np.float64), np.nan)
        out[f"breadth_{role}"] = _row_mean(up)
    return out


def _volume_and_variance(aligned: Aligned, rets: dict[str, Matrix]) -> dict[str, Matrix]:
    week, day = aligned.windows()["week"], aligned.windows()["day"]
    log_volume = np.log1p(np.where(aligned.volume >= 0, aligned.volume, np.nan))
    mean = _trailing_mean(log_volume, week)
    var = _trailing_mean(log_volume * log_volume, week) - mean * mean
    with np.errstate(invalid="ignore", divide="ignore"):
        vol_z = (log_volume - mean) / np.sqrt(np.maximum(var, 1e-12))
        sq = rets["ret_bar"] ** 2
        rv_week, rv_day = _trailing_mean(sq, week), _trailing_mean(sq, day)
        rv_week = np.where(rv_week > 0, rv_week, np.nan)
        return {
            "vol_z": vol_z,
            "mkt_vol_z": _row_mean(vol_z),
            "har_bar": np.log1p(sq / rv_week),
            "har_day": np.log(rv_day / rv_week),
            "har_week": np.log(rv_week),
            "ret_z_bar": rets["ret_bar"] / np.sqrt(rv_week),
            "rel_z_day": rets["rel_ret_day"] / np.sqrt(rv_week * day),
        }


def _calendar(aligned: Aligned) -> dict[str, Matrix]:
    """Hour of day and day of week of each bar's open (UTC), as points on a circle."""
    hour = (aligned.ts % DAY_MS) / DAY_MS * 2 * np.pi
    dow = ((aligned.ts // DAY_MS + 3) % 7) / 7 * 2 * np.pi  # 1970-01-01 was a Thursday
    shape = aligned.close.shape
    return {
        name: np.broadcast_to(values[:, None], shape).copy()
        for name, values in (
            ("hour_sin", np.sin(hour)),
            ("hour_cos", np.cos(hour)),
            ("dow_sin", np.sin(dow)),
            ("dow_cos", np.cos(dow)),
        )
    }


def cross_features(aligned: Aligned) -> dict[str, Matrix]:
    """Every ``CROSS_FEATURE_NAMES`` entry as a T x C matrix on ``aligned``'s grid (NaN where
    the coin has no bar or a window lacks data)."""
    rets = _returns(aligned)
    values = {**rets, **_volume_and_variance(aligned, rets), **_calendar(aligned)}
    absent = ~np.isfinite(aligned.close)
    out = {}
    for name in CROSS_FEATURE_NAMES:
        matrix = values[name]
        matrix[absent] = np.nan
        out[name] = matrix
    return out
