"""Features: our 26 indicators on 1,000,000 bars against TA-Lib computing the same ones.

Both run in this process, interleaved, medians of 5 runs. Target (issue 6): ours <= 1.5x
TA-Lib. ``ours`` is the full ``build_features`` (TA-Lib engine plus normalisation, warm-up
drop and the polars frame); a second row shows the pure-numpy engine for reference.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from benchmarks.common import row

N_BARS = 1_000_000
TARGET_RATIO = 1.5


def _bars(n: int = N_BARS, seed: int = 1) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    close = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.003, n)))
    spread = np.abs(rng.normal(0.0, 0.002, (2, n)))
    return pl.DataFrame(
        {
            "ts": np.arange(n, dtype=np.int64) * 300_000,
            "open": close,
            "high": close * (1 + spread[0]),
            "low": close * (1 - spread[1]),
            "close": close,
            "volume": rng.lognormal(10.0, 1.0, n),
        }
    )


def _talib_same_indicators(bars: pl.DataFrame) -> Callable[[], Any]:
    import talib

    h, lo, c, v = (bars[n].to_numpy() for n in ("high", "low", "close", "volume"))

    def compute() -> None:
        ret = talib.ROC(c, 1)
        for period in (1, 3, 12):
            talib.ROC(c, period)
        talib.SMA(c, 10), talib.SMA(c, 30), talib.EMA(c, 12), talib.EMA(c, 26)
        talib.BBANDS(c, 20, 2.0, 2.0, 0), talib.SMA(v, 20), talib.ROC(v, 1)
        talib.RSI(c, 14), talib.MACD(c, 12, 26, 9), talib.STOCH(h, lo, c, 14, 3, 0, 3, 0)
        talib.ATR(h, lo, c, 14), talib.STDDEV(ret, 10, 1), talib.STDDEV(ret, 30, 1)
        talib.ADX(h, lo, c, 14), talib.PLUS_DI(h, lo, c, 14), talib.MINUS_DI(h, lo, c, 14)
        talib.AROON(h, lo, 25), talib.CCI(h, lo, c, 20)

    return compute


def _interleaved(fns: dict[str, Callable[[], Any]], repeat: int = 5) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():
        fn()  # warm-up
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def run() -> list[dict[str, Any]]:
    from finbot.prediction.features.feature_builder import build_features

    bars = _bars()
    medians = _interleaved(
        {
            "ours": lambda: build_features(bars, engine="talib"),
            "numpy": lambda: build_features(bars, engine="numpy"),
            "talib": _talib_same_indicators(bars),
        }
    )
    target = f"<= {TARGET_RATIO}x TA-Lib"
    ours, numpy_engine, base = medians["ours"], medians["numpy"], medians["talib"]
    return [
        row(
            "features: 26 indicators, 1e6 bars",
            ours,
            base,
            "s",
            target,
            ours <= TARGET_RATIO * base,
        ),
        row(
            "features: 26 indicators, 1e6 bars (pure numpy engine)",
            numpy_engine,
            base,
            "s",
            "reference only",
            True,
        ),
    ]


if __name__ == "__main__":
    for result in run():
        print(result)
