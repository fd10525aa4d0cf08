"""Technical indicators behind one interface, ``IndicatorEngine``, with two engines.

* ``TALIB_INDICATORS`` (``TalibIndicators``): TA-Lib's C code, the library reference, and the
  fastest on long series (training and evaluation build features from whole histories).
  Importing ``talib`` also imports pandas when pandas is installed (its wrapper accepts
  pandas Series), ~0.3 s on a cold process.
* ``NUMPY_INDICATORS`` (``NumpyIndicators``): the same definitions in numpy alone (no TA-Lib,
  scipy or pandas to import): the fast path of a cold ``finbot predict``, which computes ~600
  bars once. The tests check every indicator against TA-Lib.

Callers pass the engine they want (``feature_builder``'s ``engine=``); nothing is picked by
what happens to be importable. Each function returns an array as long as its input, NaN
where the indicator is not yet defined (its warm-up). Definitions follow TA-Lib's, seeds
included, so the values match TA-Lib to floating-point precision:

* EMA is seeded with the simple mean of its first ``n`` values, then ``k = 2 / (n + 1)``.
* Wilder smoothing (RSI, ATR, ADX) is seeded with a simple mean (or sum) of its first
  ``n`` values, then ``avg = avg + (x - avg) / n``.

Recursive filters run as a prefix scan (``linear_recurrence``: log2(n) vectorised steps);
rolling windows through :func:`numpy.convolve` (direct sums, no cumulative-sum cancellation)
or :func:`numpy.lib.stride_tricks.sliding_window_view`. Every value at row ``t`` depends only
on rows ``<= t``: nothing here looks ahead.
"""

from __future__ import annotations

from typing import Any, Final, Protocol

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from finbot.errors import UsageError
from finbot.i18n import N_

Array = NDArray[np.float64]


def _nans(size: int) -> Array:
    return np.full(size, np.nan)


def rolling_sum(x: Array, n: int) -> Array:
    """Sum of the last ``n`` values (NaN for the first ``n - 1`` rows)."""
    out = _nans(x.size)
    if x.size >= n:
        out[n - 1 :] = np.convolve(x, np.ones(n), mode="valid")
    return out


def sma(x: Array, n: int) -> Array:
    return rolling_sum(x, n) / n


def rolling_std(x: Array, n: int) -> Array:
    """Population standard deviation over the last ``n`` values (TA-Lib STDDEV, nbdev 1)."""
    mean = sma(x, n)
    var = sma(x * x, n) - mean * mean
    return np.sqrt(np.maximum(var, 0.0))


def linear_recurrence(b: Array, decay: float) -> Array:
    """``y[0] = b[0]``; ``y[t] = decay * y[t-1] + b[t]``, as ``y[t] = sum_j decay**j b[t-j]``
    by a prefix scan: after the step of shift ``s`` every row holds its first ``2 s`` terms.
    Each step is one vectorised multiply-add, and row ``t`` only ever reads rows ``<= t``, so
    a prefix of the input gives bit for bit the same prefix of the output. A NaN input spoils
    every later row, as in the sequential recursion."""
    y = np.array(b, dtype=np.float64)
    shift = 1
    while shift < y.size:
        y[shift:] += decay**shift * y[:-shift]
        shift *= 2
    return y


def _recursive(x: Array, seed: float, start: int, alpha: float) -> Array:
    """``y[start] = seed``; ``y[t] = (1 - alpha) * y[t-1] + alpha * x[t]`` after ``start``."""
    out = _nans(x.size)
    terms = alpha * x[start:]
    terms[0] = seed
    out[start:] = linear_recurrence(terms, 1.0 - alpha)
    return out


def ema(x: Array, n: int, first: int = 0) -> Array:
    """EMA seeded with the mean of ``x[first:first + n]`` (NaN before ``first + n - 1``)."""
    end = first + n
    if x.size < end:
        return _nans(x.size)
    return _recursive(x, float(np.mean(x[first:end])), end - 1, 2.0 / (n + 1))


def wilder(x: Array, n: int, first: int) -> Array:
    """Wilder's average seeded with the mean of ``x[first:first + n]``."""
    end = first + n
    if x.size < end:
        return _nans(x.size)
    return _recursive(x, float(np.mean(x[first:end])), end - 1, 1.0 / n)


def _diff(x: Array) -> Array:
    out = _nans(x.size)
    out[1:] = np.diff(x)
    return out


def _safe_div(num: Array, den: Array, fill: float = 0.0) -> Array:
    out = np.full(num.shape, fill)
    np.divide(num, den, out=out, where=den != 0)
    out[np.isnan(num) | np.isnan(den)] = np.nan
    return out


def rsi(close: Array, n: int = 14) -> Array:
    """Relative Strength Index, 0..100 (TA-Lib RSI; 0 when nothing moved)."""
    change = _diff(close)
    gain = wilder(np.where(change > 0, change, 0.0), n, 1)
    loss = wilder(np.where(change < 0, -change, 0.0), n, 1)
    return _safe_div(100.0 * gain, gain + loss)


def macd(
    close: Array, fast: int = 12, slow: int = 26, signal: int = 9
) -> tuple[Array, Array, Array]:
    """MACD line, signal and histogram; both EMAs start at the slow one's first row."""
    line = ema(close, fast, first=slow - fast) - ema(close, slow)
    sig = ema(np.nan_to_num(line), signal, first=slow - 1)
    line = np.where(np.isnan(sig), np.nan, line)
    return line, sig, line - sig


def true_range(high: Array, low: Array, close: Array) -> Array:
    prev = np.roll(close, 1)
    tr = np.maximum(high - low, np.maximum(np.abs(high - prev), np.abs(low - prev)))
    tr[0] = np.nan
    return tr


def atr(high: Array, low: Array, close: Array, n: int = 14) -> Array:
    return wilder(true_range(high, low, close), n, 1)


def rolling_max(x: Array, n: int) -> Array:
    out = _nans(x.size)
    if x.size >= n:
        out[n - 1 :] = sliding_window_view(x, n).max(axis=1)
    return out


def rolling_min(x: Array, n: int) -> Array:
    out = _nans(x.size)
    if x.size >= n:
        out[n - 1 :] = sliding_window_view(x, n).min(axis=1)
    return out


def stoch(
    high: Array, low: Array, close: Array, n: int = 14, k: int = 3, d: int = 3
) -> tuple[Array, Array]:
    """Slow stochastic %K and %D (TA-Lib STOCH with SMA smoothing)."""
    lowest = rolling_min(low, n)
    fast_k = _safe_div(100.0 * (close - lowest), rolling_max(high, n) - lowest)
    slow_k = sma(np.nan_to_num(fast_k), k)
    slow_d = sma(slow_k, d)
    valid = np.arange(close.size) >= n + k + d - 3
    return np.where(valid, slow_k, np.nan), np.where(valid, slow_d, np.nan)


def _smoothed_sum(x: Array, n: int) -> Array:
    """Wilder's running sum seeded with the sum of ``x[1:n]`` (TA-Lib's DI smoothing)."""
    if x.size <= n:
        return _nans(x.size)
    seed = float(np.sum(x[1:n])) * (1.0 - 1.0 / n) + x[n]
    return _sum_filter(x, seed, n)


def _sum_filter(x: Array, seed: float, n: int) -> Array:
    """``y[n] = seed``; ``y[t] = (1 - 1/n) * y[t-1] + x[t]`` after ``n``."""
    out = _nans(x.size)
    terms = np.array(x[n:], dtype=np.float64)
    terms[0] = seed
    out[n:] = linear_recurrence(terms, 1.0 - 1.0 / n)
    return out


def directional(high: Array, low: Array, close: Array, n: int = 14) -> tuple[Array, Array, Array]:
    """+DI, -DI and ADX (TA-Lib PLUS_DI, MINUS_DI, ADX)."""
    up, down = _diff(high), -_diff(low)
    plus_dm = np.where((up > 0) & (up > down), up, 0.0)
    minus_dm = np.where((down > 0) & (down > up), down, 0.0)
    tr = _smoothed_sum(np.nan_to_num(true_range(high, low, close)), n)
    plus_di = _safe_div(100.0 * _smoothed_sum(plus_dm, n), tr)
    minus_di = _safe_div(100.0 * _smoothed_sum(minus_dm, n), tr)
    dx = _safe_div(100.0 * np.abs(plus_di - minus_di), plus_di + minus_di)
    adx = wilder(dx, n, n)
    return plus_di, minus_di, adx


def aroon(high: Array, low: Array, n: int = 25) -> tuple[Array, Array]:
    """Aroon up and down over ``n + 1`` bars; ties go to the most recent bar, as in TA-Lib."""
    up, down = _nans(high.size), _nans(high.size)
    if high.size > n:
        highs = sliding_window_view(high, n + 1)[:, ::-1]
        lows = sliding_window_view(low, n + 1)[:, ::-1]
        up[n:] = 100.0 * (n - np.argmax(highs, axis=1)) / n
        down[n:] = 100.0 * (n - np.argmin(lows, axis=1)) / n
    return up, down


def cci(high: Array, low: Array, close: Array, n: int = 20) -> Array:
    """Commodity Channel Index with TA-Lib's mean absolute deviation (0 when flat)."""
    typical = (high + low + close) / 3.0
    out = _nans(close.size)
    if close.size >= n:
        windows = sliding_window_view(typical, n)
        mean = windows.mean(axis=1)
        dev = np.abs(windows - mean[:, None]).mean(axis=1)
        out[n - 1 :] = _safe_div(typical[n - 1 :] - mean, 0.015 * dev)
    return out


class IndicatorEngine(Protocol):
    """The indicators the feature builder needs, on float64 arrays of one series."""

    @property
    def name(self) -> str: ...

    def sma(self, x: Array, n: int) -> Array: ...

    def ema(self, x: Array, n: int) -> Array: ...

    def rolling_std(self, x: Array, n: int) -> Array: ...

    def rsi(self, close: Array, n: int) -> Array: ...

    def macd(self, close: Array) -> tuple[Array, Array, Array]: ...

    def stoch(self, high: Array, low: Array, close: Array) -> tuple[Array, Array]: ...

    def atr(self, high: Array, low: Array, close: Array, n: int) -> Array: ...

    def directional(
        self, high: Array, low: Array, close: Array, n: int
    ) -> tuple[Array, Array, Array]: ...

    def aroon(self, high: Array, low: Array, n: int) -> tuple[Array, Array]: ...

    def cci(self, high: Array, low: Array, close: Array, n: int) -> Array: ...


class NumpyIndicators:
    """The functions above: numpy only, nothing to import (the cold-start fast path)."""

    name = "numpy"

    def sma(self, x: Array, n: int) -> Array:
        return sma(x, n)

    def ema(self, x: Array, n: int) -> Array:
        return ema(x, n)

    def rolling_std(self, x: Array, n: int) -> Array:
        return rolling_std(x, n)

    def rsi(self, close: Array, n: int) -> Array:
        return rsi(close, n)

    def macd(self, close: Array) -> tuple[Array, Array, Array]:
        return macd(close)

    def stoch(self, high: Array, low: Array, close: Array) -> tuple[Array, Array]:
        return stoch(high, low, close)

    def atr(self, high: Array, low: Array, close: Array, n: int) -> Array:
        return atr(high, low, close, n)

    def directional(
        self, high: Array, low: Array, close: Array, n: int
    ) -> tuple[Array, Array, Array]:
        return directional(high, low, close, n)

    def aroon(self, high: Array, low: Array, n: int) -> tuple[Array, Array]:
        return aroon(high, low, n)

    def cci(self, high: Array, low: Array, close: Array, n: int) -> Array:
        return cci(high, low, close, n)


class TalibIndicators:
    """The same indicators computed by TA-Lib's C code (the reference, and several times
    faster than the numpy engine on long series). ``talib`` is imported on first use."""

    name = "talib"

    @property
    def _ta(self) -> Any:
        import talib  # a plain import: cached by Python after the first call

        return talib

    def sma(self, x: Array, n: int) -> Array:
        return np.asarray(self._ta.SMA(x, n))

    def ema(self, x: Array, n: int) -> Array:
        return np.asarray(self._ta.EMA(x, n))

    def rolling_std(self, x: Array, n: int) -> Array:
        return np.asarray(self._ta.STDDEV(x, n, 1.0))

    def rsi(self, close: Array, n: int) -> Array:
        return np.asarray(self._ta.RSI(close, n))

    def macd(self, close: Array) -> tuple[Array, Array, Array]:
        line, signal, hist = self._ta.MACD(close, 12, 26, 9)
        return line, signal, hist

    def stoch(self, high: Array, low: Array, close: Array) -> tuple[Array, Array]:
        sma_type = self._ta.MA_Type.SMA
        k, d = self._ta.STOCH(high, low, close, 14, 3, sma_type, 3, sma_type)
        return k, d

    def atr(self, high: Array, low: Array, close: Array, n: int) -> Array:
        return np.asarray(self._ta.ATR(high, low, close, n))

    def directional(
        self, high: Array, low: Array, close: Array, n: int
    ) -> tuple[Array, Array, Array]:
        ta = self._ta
        return (
            ta.PLUS_DI(high, low, close, n),
            ta.MINUS_DI(high, low, close, n),
            ta.ADX(high, low, close, n),
        )

    def aroon(self, high: Array, low: Array, n: int) -> tuple[Array, Array]:
        down, up = self._ta.AROON(high, low, n)
        return up, down

    def cci(self, high: Array, low: Array, close: Array, n: int) -> Array:
        return np.asarray(self._ta.CCI(high, low, close, n))


NUMPY_INDICATORS: Final[IndicatorEngine] = NumpyIndicators()
TALIB_INDICATORS: Final[IndicatorEngine] = TalibIndicators()
ENGINES: Final[dict[str, IndicatorEngine]] = {
    engine.name: engine for engine in (TALIB_INDICATORS, NUMPY_INDICATORS)
}


def get_engine(engine: IndicatorEngine | str) -> IndicatorEngine:
    """``engine`` itself, or the engine named ``"talib"`` or ``"numpy"``."""
    if not isinstance(engine, str):
        return engine
    try:
        return ENGINES[engine]
    except KeyError:
        raise UsageError(
            N_("indicator engine: expected one of {engines}, got {engine!r}"),
            engines=", ".join(ENGINES),
            engine=engine,
        ) from None
