"""What the bot would have served with pooled models: per coin, its own selection, or the
pooled model of the horizon where the bot's serving rule says it wins.

At each retrain the bot trains every coin's own models, then one pooled model per horizon
over every coin's bars (``train_pooled``: a purged time-ordered holdout, labels ending by the
retrain), and serves the pooled model for a coin only where ``select_pooled`` accepts it:
significantly better than naive on the coin's holdout rows AND better than the coin's current
model (per-coin or naive) on the timestamps both predicted. ``PooledSelection`` re-runs that
inside the walk-forward. The pooled fit depends on the horizon and the history only, so it is
done once per (retrain, horizon) and reused for every coin (``reuse_ms``: coins whose test
periods start a few bars apart share the fit made at the earlier cutoff, as one retrain of the
bot trains every coin at once; the fit never sees a label past either cutoff).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from finbot.errors import DataError
from finbot.prediction.models import POOLED, PooledModel
from finbot.prediction.tracking.served import FloatArray, IntArray, Selection, Served
from finbot.timeframes import DAY_MS, check_timeframe

if TYPE_CHECKING:
    from finbot.prediction.training import PooledConfig, PooledRun

#: Fewest coins a pooled model is trained over (``pooled_fanout.MIN_POOL``).
MIN_POOL = 2
_FrameKey = tuple[str, tuple[tuple[str, int, int], ...]]


def _key(timeframe: str, frames: Mapping[str, pl.DataFrame]) -> _FrameKey:
    shape = tuple(
        (c, b.height, int(b["ts"][-1]) if b.height else 0) for c, b in sorted(frames.items())
    )
    return timeframe, shape


@dataclass
class _FeatureCache:
    """``pooled_frames`` of a set of bars, built once (the full bars serve every retrain)."""

    built: dict[_FrameKey, dict[str, pl.DataFrame]] = field(default_factory=dict)

    def get(self, frames: Mapping[str, pl.DataFrame], timeframe: str) -> dict[str, pl.DataFrame]:
        from finbot.prediction.features import pooled_frames

        key = _key(timeframe, frames)
        if key not in self.built:
            self.built[key] = pooled_frames(dict(frames), timeframe)
        return self.built[key]


@dataclass(frozen=True)
class _PooledForecaster:
    model: PooledModel
    features: _FeatureCache

    def __call__(self, bars: Mapping[str, pl.DataFrame], coin: str, ts: IntArray) -> FloatArray:
        feats = self.features.get(bars, self.model.timeframe)[coin]
        rows = pl.DataFrame({"ts": ts}).join(feats, on="ts", how="left", maintain_order="left")
        rows = rows.with_columns(pl.lit(coin).alias("coin"))
        return np.asarray(self.model.predict(rows), dtype=np.float64)


@dataclass(frozen=True)
class _Current:
    """The coin's own served model as the serving rule reads it (``CurrentModel``)."""

    algorithm: str
    version: str
    rows: pl.DataFrame

    def calibration(self) -> pl.DataFrame:
        return self.rows


@dataclass
class PooledSelection:
    """``per_coin``'s choice, replaced by the horizon's pooled model where the bot's serving
    rule accepts it for the coin."""

    per_coin: Selection
    config: PooledConfig
    reuse_ms: int = DAY_MS
    _runs: dict[str, list[tuple[int, PooledRun | None]]] = field(default_factory=dict)
    _features: _FeatureCache = field(default_factory=_FeatureCache)

    def select(
        self, coin: str, timeframe: str, horizon: str, history: Mapping[str, pl.DataFrame]
    ) -> Served:
        from finbot.prediction.training import pooled_report, select_pooled

        own = self.per_coin.select(coin, timeframe, horizon, history)
        run = self.pooled_run(timeframe, horizon, history)
        if run is None or coin not in run.model.pool:
            return own
        report = pooled_report(run, coin, check_timeframe(timeframe), horizon, "")
        if report is None:
            return own
        current = _Current(own.model, "evaluation", own.calibration)
        served, _reason = select_pooled(report, current)
        if not served:
            return own
        forecaster = _PooledForecaster(run.model, self._features)
        return Served(POOLED, report.has_edge, report.calibration, forecaster)

    def pooled_run(
        self, timeframe: str, horizon: str, history: Mapping[str, pl.DataFrame]
    ) -> PooledRun | None:
        """The pooled fit of ``horizon`` on ``history`` (None: too few coins or rows), made
        once per retrain: a fit at a cutoff at most ``reuse_ms`` earlier is reused."""
        known = {c: b for c, b in history.items() if b.height}
        if len(known) < MIN_POOL:
            return None
        cutoff = max(int(b["ts"][-1]) for b in known.values())
        fits = self._runs.setdefault(horizon, [])
        for when, run in fits:
            if when <= cutoff < when + self.reuse_ms:
                return run
        run = self._fit(timeframe, horizon, known)
        fits.append((cutoff, run))
        return run

    def _fit(
        self, timeframe: str, horizon: str, history: dict[str, pl.DataFrame]
    ) -> PooledRun | None:
        from finbot.prediction.training import train_pooled

        try:
            features = self._features.get(history, timeframe)
            return train_pooled(history, horizon, self.config, features=features)
        except DataError:  # too short a history for a purged pooled holdout: per-coin serves
            return None
