"""The pooled model's rows: each coin's 26 indicators joined BY TIMESTAMP with the cross-asset,
calendar and volatility features of ``cross_asset``, and the labels.

Public API: ``POOLED_FEATURE_NAMES`` (26 + cross features, in model-input order);
``pooled_frames(frames_by_coin, timeframe, *, engine)`` (one frame per coin: ``ts`` and the
features); ``pooled_dataset(frames_by_coin, timeframe, horizon, *, engine)`` (every coin's
labelled rows stacked, ``coin`` column, sorted by ``ts`` then coin);
``latest_pooled_row(frames_by_coin, coin, timeframe, *, engine)`` (the live row of one coin:
its last complete bar, the same values ``pooled_frames`` gives for that bar).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from finbot.prediction.features.cross_asset import CROSS_FEATURE_NAMES, align, cross_features
from finbot.prediction.features.feature_builder import FEATURE_NAMES, build_features, latest_row
from finbot.prediction.features.indicators import TALIB_INDICATORS, IndicatorEngine
from finbot.prediction.features.targets import forward_log_returns

POOLED_FEATURE_NAMES: tuple[str, ...] = (*FEATURE_NAMES, *CROSS_FEATURE_NAMES)


def _cross_frames(
    frames_by_coin: dict[str, pl.DataFrame], timeframe: str
) -> dict[str, pl.DataFrame]:
    """Per coin: ``ts`` and the cross features at the slots where the coin has a bar."""
    aligned = align(frames_by_coin, timeframe)
    matrices = cross_features(aligned)
    out = {}
    for j, coin in enumerate(aligned.coins):
        present = np.isfinite(aligned.close[:, j])
        data = {"ts": aligned.ts[present]}
        data.update({name: matrices[name][present, j] for name in CROSS_FEATURE_NAMES})
        out[coin] = pl.DataFrame(data)
    return out


def pooled_frames(
    frames_by_coin: dict[str, pl.DataFrame],
    timeframe: str,
    *,
    engine: IndicatorEngine | str = TALIB_INDICATORS,
) -> dict[str, pl.DataFrame]:
    """Per coin: ``ts`` and ``POOLED_FEATURE_NAMES`` for the bars whose indicators are past
    their warm-up (cross features may be NaN where a window lacks data: trees route them)."""
    cross = _cross_frames(frames_by_coin, timeframe)
    out = {}
    for coin, frame in cross.items():
        own = build_features(frames_by_coin[coin], engine=engine)
        out[coin] = own.join(frame, on="ts", how="inner", maintain_order="left")
    return out


def pooled_dataset(
    frames_by_coin: dict[str, pl.DataFrame],
    timeframe: str,
    horizon: str,
    *,
    engine: IndicatorEngine | str = TALIB_INDICATORS,
    features: dict[str, pl.DataFrame] | None = None,
) -> pl.DataFrame:
    """``ts``, ``coin``, the features and ``target`` (forward log return matched by
    timestamp) of every coin's labelled rows, sorted by ``ts`` then ``coin``. ``features``:
    ``pooled_frames`` of the same bars when already built (one build serves every horizon)."""
    parts = []
    if features is None:
        features = pooled_frames(frames_by_coin, timeframe, engine=engine)
    for coin, rows in features.items():
        labels = forward_log_returns(frames_by_coin[coin], horizon)
        joined = rows.join(labels, on="ts", how="inner", maintain_order="left")
        joined = joined.filter(pl.col("target").is_not_null() & pl.col("target").is_finite())
        parts.append(joined.with_columns(pl.lit(coin).alias("coin")))
    columns = ["ts", "coin", *POOLED_FEATURE_NAMES, "target"]
    if not parts:
        return pl.DataFrame(schema={"ts": pl.Int64, "coin": pl.String})
    return pl.concat([p.select(columns) for p in parts]).sort(["ts", "coin"])


def latest_pooled_row(
    frames_by_coin: dict[str, pl.DataFrame],
    coin: str,
    timeframe: str,
    *,
    engine: IndicatorEngine | str = TALIB_INDICATORS,
) -> tuple[int, float, np.ndarray] | None:
    """(ts, close, 1 x len(POOLED_FEATURE_NAMES) row) of ``coin``'s last bar with its
    indicators past warm-up, or None. The other coins' bars after that bar are not used
    (an open bar never is); only the week before it is aligned."""
    bars = frames_by_coin[coin]
    latest = latest_row(bars, engine=engine)
    if latest is None:
        return None
    index, own = latest
    ts = int(bars["ts"][index])
    aligned = align(frames_by_coin, timeframe, until=ts)
    slot = (ts - int(aligned.ts[0])) // aligned.step_ms
    column = aligned.coins.index(coin)
    matrices = cross_features(aligned)
    cross = np.array([[matrices[n][slot, column] for n in CROSS_FEATURE_NAMES]])
    return ts, float(bars["close"][index]), np.hstack([own, cross])
