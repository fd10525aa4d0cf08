"""Seeded simulations for the volatility tests: a GARCH(1,1) with Gaussian shocks (volatility
clustering) and a constant-volatility random walk, each with exact intrabar extremes.

Within a bar the log price is a Brownian motion from the open (the previous close) to the
close, so the bar's high and low are maxima and minima of a Brownian bridge, drawn exactly:
``(a + b ± sqrt((b − a)² − 2 s² ln U)) / 2`` for a bar variance ``s²``. The barrier formula is
then exact for the window's highest high.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from finbot.schema import conform

START_MS = 1_704_067_200_000  # 2024-01-01T00:00Z
HOUR_MS = 3_600_000


def garch_variances(
    n: int, rng: np.random.Generator, *, omega: float = 5e-6, alpha: float = 0.2, beta: float = 0.75
) -> tuple[np.ndarray, np.ndarray]:
    """(per-bar variance, log return) of a GARCH(1,1) path with standard normal shocks (by
    default 1 % per bar in the long run, persistence 0.95: a half-life of about 14 bars)."""
    z = rng.standard_normal(n)
    var = np.empty(n)
    ret = np.empty(n)
    v = omega / (1.0 - alpha - beta)
    for t in range(n):
        var[t] = v
        ret[t] = np.sqrt(v) * z[t]
        v = omega + alpha * ret[t] ** 2 + beta * v
    return var, ret


def bars_from_path(
    ret: np.ndarray, var: np.ndarray, rng: np.random.Generator, *, step_ms: int = HOUR_MS
) -> pl.DataFrame:
    """Canonical bars of log returns ``ret`` with bar variances ``var`` (exact extremes)."""
    close_log = np.log(100.0) + np.cumsum(ret)
    open_log = np.concatenate([[np.log(100.0)], close_log[:-1]])
    spread = (close_log - open_log) ** 2
    up = np.sqrt(spread - 2.0 * var * np.log(rng.uniform(size=ret.size)))
    down = np.sqrt(spread - 2.0 * var * np.log(rng.uniform(size=ret.size)))
    frame = pl.DataFrame(
        {
            "ts": START_MS + np.arange(ret.size, dtype=np.int64) * step_ms,
            "open": np.exp(open_log),
            "high": np.exp((open_log + close_log + up) / 2.0),
            "low": np.exp((open_log + close_log - down) / 2.0),
            "close": np.exp(close_log),
            "volume": np.full(ret.size, 1e6),
            "source": "synthetic",
        }
    )
    return conform(frame)


def garch_bars(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    var, ret = garch_variances(n, rng)
    return bars_from_path(ret, var, rng)


def random_walk_bars(n: int, seed: int, *, sigma: float = 0.01) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    var = np.full(n, sigma**2)
    return bars_from_path(sigma * rng.standard_normal(n), var, rng)
