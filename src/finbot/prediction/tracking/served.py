"""What the bot would have served, fold by fold: the model selection re-run at each retrain.

The test period (the last ``test_fraction`` of the feature rows) is cut at the bot's retrain
cadence (``retrain_ms``, the weekly full retrain by default; or ``n_folds`` equal blocks). At
the start of each block the selection sees only the bars known then (``ts <= cutoff``; the
last ``window_ms`` of them when rolling), so every label it fits or calibrates on ends by the
cutoff: a purged gap of at least one horizon before the first row it serves (``check``).

``Selection`` is the seam: it gets every coin's history, not only the served coin's, so a
selection that adds a pooled cross-asset candidate plugs in beside ``PerCoinSelection`` (the
trainer's own choice: candidates, naive fallback, shrink, calibration window).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt
import polars as pl

from finbot.prediction.models import NAIVE
from finbot.timeframes import duration_ms

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class Forecaster(Protocol):
    """Served predictions (log returns, shrink included) of ``coin``'s feature rows at ``ts``,
    from ``bars`` (every coin's; rows after ``ts`` are never read by a causal feature)."""

    def __call__(self, bars: Mapping[str, pl.DataFrame], coin: str, ts: IntArray) -> FloatArray: ...


@dataclass(frozen=True)
class Served:
    """The model the bot serves after one retrain, and the held-out rows it was chosen on."""

    model: str
    has_edge: bool
    calibration: pl.DataFrame  # ts, y_true, y_pred (the selection's own held-out window)
    forecaster: Forecaster | None  # None: the naive zero return

    def predict(self, bars: Mapping[str, pl.DataFrame], coin: str, ts: IntArray) -> FloatArray:
        if self.forecaster is None:
            return np.zeros(ts.size)
        return self.forecaster(bars, coin, ts)


class Selection(Protocol):
    """The bot's model selection for one coin × horizon from the bars known at a retrain."""

    def select(
        self, coin: str, timeframe: str, horizon: str, history: Mapping[str, pl.DataFrame]
    ) -> Served: ...


@dataclass
class _CoinFeatures:
    """``build_features`` of a coin's bars, built once: every retrain block and horizon of
    the walk-forward predicts from the same full bars."""

    built: dict[tuple[str, int, int, int], pl.DataFrame] = field(default_factory=dict)

    def get(self, bars: pl.DataFrame, coin: str) -> pl.DataFrame:
        from finbot.prediction.features import build_features

        ts = bars["ts"]
        key = (coin, bars.height, int(ts[0]), int(ts[-1])) if bars.height else (coin, 0, 0, 0)
        if key not in self.built:
            self.built[key] = build_features(bars)
        return self.built[key]


@dataclass(frozen=True)
class _PerCoinForecaster:
    model: object
    shrink: float
    features: _CoinFeatures

    def __call__(self, bars: Mapping[str, pl.DataFrame], coin: str, ts: IntArray) -> FloatArray:
        from finbot.prediction.features import feature_matrix

        feats = self.features.get(bars[coin], coin)
        rows = pl.DataFrame({"ts": ts}).join(feats, on="ts", how="left", maintain_order="left")
        raw = np.asarray(self.model.predict(feature_matrix(rows)), dtype=np.float64)  # type: ignore[attr-defined]
        return self.shrink * raw


@dataclass(frozen=True)
class PerCoinSelection:
    """``finbot train``'s selection: every algorithm against naive on the coin's own bars."""

    algorithms: tuple[str, ...]
    test_fraction: float = 0.3
    seed: int = 0
    _features: _CoinFeatures = field(default_factory=_CoinFeatures, repr=False, compare=False)

    def select(
        self, coin: str, timeframe: str, horizon: str, history: Mapping[str, pl.DataFrame]
    ) -> Served:
        from finbot.prediction.training import train

        report = train(
            coin,
            timeframe,
            horizon,
            history[coin],
            algorithms=self.algorithms,
            test_fraction=self.test_fraction,
            seed=self.seed,
        )
        forecaster = None
        if report.chosen != NAIVE:
            forecaster = _PerCoinForecaster(report.model, report.shrink, self._features)
        return Served(str(report.chosen), report.has_edge, report.calibration, forecaster)


def retrain_blocks(
    ts: IntArray, *, test_fraction: float, n_folds: int | None, retrain_ms: int
) -> list[tuple[int, int]]:
    """Row ranges [start, end) of the test period, one per retrain."""
    n = ts.size
    first = int(n * (1.0 - test_fraction))
    if n_folds is not None:
        edges = np.linspace(first, n, n_folds + 1).astype(int)
    else:
        cuts = np.arange(int(ts[first]), int(ts[-1]) + 1, retrain_ms)
        edges = np.append(np.searchsorted(ts, cuts), n)
    pairs = zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True)
    return [(int(a), int(b)) for a, b in pairs if b > a]


def history_at(
    bars: Mapping[str, pl.DataFrame], cutoff: int, window_ms: int | None
) -> dict[str, pl.DataFrame]:
    """Every coin's bars known at ``cutoff`` (the last ``window_ms`` of them when rolling)."""
    lower = -(2**62) if window_ms is None else cutoff - window_ms
    return {c: b.filter((pl.col("ts") <= cutoff) & (pl.col("ts") > lower)) for c, b in bars.items()}


def check(served: Served, horizon: str, cutoff: int) -> None:
    """Assert every row the selection fitted or calibrated on has its label known at
    ``cutoff`` (the purge: ``ts + horizon <= cutoff``)."""
    cal_ts = served.calibration["ts"]
    if cal_ts.len():
        last = int(cal_ts.max())  # type: ignore[arg-type]
        assert last + duration_ms(horizon) <= cutoff, "calibration label ends after the cutoff"


def model_counts(models: Sequence[str]) -> dict[str, int]:
    """How many retrains served each model, most served first."""
    names, counts = np.unique(np.asarray(models, dtype=object), return_counts=True)
    order = np.lexsort((names.astype(str), -counts))
    return {str(names[i]): int(counts[i]) for i in order}
