"""The 26 technical features, one definition for training and live prediction.

Public API (stable; others build on it):

* ``FEATURE_NAMES``: the 26 feature column names, in model-input order.
* ``WARMUP_BARS``: rows dropped at the start of a series (the longest indicator warm-up).
* ``TAIL_BARS``: how many recent bars a live prediction should read so that the recursive
  indicators (EMA, Wilder) have converged to the values training saw (differences < 1e-9).
* ``build_features(bars) -> pl.DataFrame``: ``ts`` plus the 26 features, warm-up rows and
  rows with a non-finite value dropped.
* ``feature_matrix(features) -> np.ndarray``: the float64 model input in ``FEATURE_NAMES``
  order.
* ``engine=``: which ``IndicatorEngine`` computes the indicators, ``TALIB_INDICATORS`` (the
  default: the library, fastest on long histories) or ``NUMPY_INDICATORS`` (nothing to
  import: what a cold live prediction uses); both give the same values (tests compare them).

Every feature is scale-free (a ratio, a return, or a bounded oscillator), so one model fits
any price level. Families (spec): returns; SMA, EMA and Bollinger ratios; volume mean ratio
and change; RSI, MACD, Stochastic; ATR and rolling standard deviations; ADX with +DI/-DI,
Aroon, CCI. Bars are used in row order; a gap in the data is not filled (DESIGN.md).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl
from numpy.typing import NDArray

from finbot.errors import DataError
from finbot.i18n import N_
from finbot.prediction.features.indicators import (
    TALIB_INDICATORS,
    Array,
    IndicatorEngine,
    get_engine,
)

FEATURE_NAMES: tuple[str, ...] = (
    "ret_1",
    "ret_3",
    "ret_12",
    "sma_ratio_10",
    "sma_ratio_30",
    "ema_ratio_12",
    "ema_ratio_26",
    "bb_pctb_20",
    "bb_width_20",
    "volume_ratio_20",
    "volume_change_1",
    "rsi_14",
    "macd_norm",
    "macd_signal_norm",
    "macd_hist_norm",
    "stoch_k",
    "stoch_d",
    "atr_norm_14",
    "ret_std_10",
    "ret_std_30",
    "adx_14",
    "plus_di_14",
    "minus_di_14",
    "aroon_up_25",
    "aroon_down_25",
    "cci_20",
)
WARMUP_BARS = 33  # MACD signal (26 + 9 - 2): the longest warm-up of the set
TAIL_BARS = 600  # EMA/Wilder memory decays below 1e-12 well within this many bars
REQUIRED_COLUMNS = ("ts", "high", "low", "close", "volume")
_SCHEMA = {"ts": pl.Int64, **{name: pl.Float64 for name in FEATURE_NAMES}}

Columns = dict[str, Array]
Engine = IndicatorEngine


def _ratio(num: Array, den: Array) -> Array:
    """``num / den - 1``: how far a price sits above its average, as a fraction."""
    return np.asarray(num / den - 1.0)


def _lag_diff(x: Array, lag: int) -> Array:
    """``x[t] - x[t - lag]`` (NaN for the first ``lag`` rows)."""
    out = np.empty(x.size)
    out[:lag] = np.nan
    np.subtract(x[lag:], x[:-lag], out=out[lag:])
    return out


def _returns(c: Columns, ta: Engine) -> Columns:
    log_close = c["log_close"]
    return {f"ret_{lag}": _lag_diff(log_close, lag) for lag in (1, 3, 12)}


def _averages(c: Columns, ta: Engine) -> Columns:
    close = c["close"]
    mid = ta.sma(close, 20)
    band = 2.0 * ta.rolling_std(close, 20)
    return {
        "sma_ratio_10": _ratio(close, ta.sma(close, 10)),
        "sma_ratio_30": _ratio(close, ta.sma(close, 30)),
        "ema_ratio_12": _ratio(close, ta.ema(close, 12)),
        "ema_ratio_26": _ratio(close, ta.ema(close, 26)),
        "bb_pctb_20": (close - (mid - band)) / (2.0 * band),
        "bb_width_20": 2.0 * band / mid,
    }


def _volume(c: Columns, ta: Engine) -> Columns:
    volume = c["volume"]
    mean = ta.sma(volume, 20)
    ratio = np.divide(volume, mean, out=np.ones_like(volume), where=mean > 0)
    ratio[np.isnan(mean)] = np.nan  # warm-up; a zero mean (no trading) reads as neutral 1
    change = _lag_diff(np.log(np.maximum(volume, 0.0) + 1.0), 1)
    return {"volume_ratio_20": ratio, "volume_change_1": change}


def _momentum(c: Columns, ta: Engine) -> Columns:
    close = c["close"]
    line, signal, hist = ta.macd(close)
    k, d = ta.stoch(c["high"], c["low"], close)
    return {
        "rsi_14": ta.rsi(close, 14),
        "macd_norm": line / close,
        "macd_signal_norm": signal / close,
        "macd_hist_norm": hist / close,
        "stoch_k": k,
        "stoch_d": d,
    }


def _volatility_trend(c: Columns, ta: Engine) -> Columns:
    high, low, close = c["high"], c["low"], c["close"]
    ret = np.nan_to_num(_lag_diff(c["log_close"], 1))
    plus_di, minus_di, adx = ta.directional(high, low, close, 14)
    up, down = ta.aroon(high, low, 25)
    return {
        "atr_norm_14": ta.atr(high, low, close, 14) / close,
        "ret_std_10": ta.rolling_std(ret, 10),
        "ret_std_30": ta.rolling_std(ret, 30),
        "adx_14": adx,
        "plus_di_14": plus_di,
        "minus_di_14": minus_di,
        "aroon_up_25": up,
        "aroon_down_25": down,
        "cci_20": ta.cci(high, low, close, 20),
    }


_FAMILIES: tuple[Callable[[Columns, Engine], Columns], ...] = (
    _returns,
    _averages,
    _volume,
    _momentum,
    _volatility_trend,
)


def _columns(bars: pl.DataFrame) -> Columns:
    missing = [name for name in REQUIRED_COLUMNS if name not in bars.columns]
    if missing:
        raise DataError(
            N_("bars: expected columns {required_columns}; missing {missing}"),
            required_columns=", ".join(REQUIRED_COLUMNS),
            missing=missing,
        )
    frame = bars.select(REQUIRED_COLUMNS)
    if frame.height > 1 and not frame["ts"].is_sorted():
        raise DataError(N_("bars: expected rows sorted by ts (bar open time)"))
    columns = {
        name: np.ascontiguousarray(frame[name].cast(pl.Float64).fill_null(np.nan).to_numpy())
        for name in REQUIRED_COLUMNS[1:]
    }
    with np.errstate(divide="ignore", invalid="ignore"):
        columns["log_close"] = np.log(columns["close"])
    return columns


def compute_raw(
    bars: pl.DataFrame, engine: IndicatorEngine | str = TALIB_INDICATORS
) -> dict[str, Array]:
    """All 26 features as arrays aligned with ``bars`` (NaN during warm-up), no rows dropped.

    ``engine``: an ``IndicatorEngine`` or its name, ``"talib"`` or ``"numpy"``; both give the
    same values (tests compare them).
    """
    columns = _columns(bars)
    ta = get_engine(engine)
    values: dict[str, Array] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for family in _FAMILIES:
            values.update(family(columns, ta))
    return {name: np.asarray(values[name], dtype=np.float64) for name in FEATURE_NAMES}


def _keep_mask(values: dict[str, Array], size: int) -> NDArray[np.bool_]:
    keep = np.zeros(size, dtype=bool)
    keep[WARMUP_BARS:] = True
    for column in values.values():
        keep &= np.isfinite(column)
    return keep


def build_features(
    bars: pl.DataFrame, *, engine: IndicatorEngine | str = TALIB_INDICATORS
) -> pl.DataFrame:
    """``ts`` plus the 26 features for every bar past the warm-up with all values finite.

    Row ``t`` depends only on bars ``<= t``. Sorted bars in the canonical schema are expected.
    """
    values = compute_raw(bars, engine)
    keep = _keep_mask(values, bars.height)
    data = {"ts": bars["ts"].cast(pl.Int64).to_numpy()}
    data.update(values)
    frame = pl.DataFrame(data, schema=_SCHEMA)
    first = int(np.argmax(keep)) if keep.any() else bars.height
    if keep[first:].all():  # the usual case: only the warm-up goes, a zero-copy slice
        return frame.slice(first)
    return frame.filter(pl.Series(keep))


def latest_row(
    bars: pl.DataFrame, *, engine: IndicatorEngine | str = TALIB_INDICATORS
) -> tuple[int, np.ndarray] | None:
    """(row index in ``bars``, its 26 features as a 1 x 26 matrix) of the LAST row that
    ``build_features`` would keep, or None: the same values without building the whole frame
    (live prediction needs one row; the frame cost more than the indicators)."""
    values = compute_raw(bars, engine)
    keep = np.flatnonzero(_keep_mask(values, bars.height))
    if keep.size == 0:
        return None
    index = int(keep[-1])
    return index, np.array([[values[name][index] for name in FEATURE_NAMES]], dtype=np.float64)


def feature_matrix(features: pl.DataFrame) -> np.ndarray:
    """The model input: float64 columns in ``FEATURE_NAMES`` order."""
    return features.select(FEATURE_NAMES).to_numpy().astype(np.float64, copy=False)
