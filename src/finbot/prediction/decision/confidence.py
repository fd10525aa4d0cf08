"""Calibrated prediction intervals and a 0–100 % confidence score that means something.

Intervals: normalised split conformal. On a model version's out-of-sample window
(``calibration.parquet``: ts, y_true, y_pred, all log returns) the nonconformity score is
``|y_true - y_pred| / sigma_t`` where ``sigma_t`` is the rolling standard deviation of one-bar
log returns known at ``ts`` (``VOL_WINDOW`` bars, no look-ahead). With ``n`` scores and level
``1 - alpha`` the quantile is the ``ceil((n + 1)(1 - alpha))``-th smallest score (finite-sample
valid). A new interval is ``y_pred ± q * sigma_now``: it widens when the market is more
turbulent than during calibration and narrows when it is calmer. Without bars the scores are
the raw residuals (plain split conformal). ``measure_coverage`` fits on an earlier part of the
residuals and reports the empirical coverage on the later part.

Confidence score (0–100), a weighted mean of components in [0, 1]:

* ``edge``  = clip((1 - mae_ratio) / 0.10, 0, 1): 0 when the model is no better than the naive
  zero-return baseline, 1 when its MAE is 10 % lower or more.            weight 0.35
* ``sharpness`` = 2 Φ(|μ| / σ) - 1 with ``σ = half_width / z_{(1+level)/2}``: the probability
  mass on the predicted side beyond 50 %, i.e. how large the predicted move is relative to the
  interval. A move lost inside a wide interval scores ~0.                  weight 0.25
* ``regime`` = clip((3 - r) / 2, 0, 1) with ``r = sigma_now / median calibration sigma``: 1 in
  calm or normal markets, 0.5 at twice the usual volatility, 0 at three times.  weight 0.15
* ``live`` (only with >= ``MIN_LIVE`` resolved predictions in the tracker): mean of
  clip((hit_rate - 0.5) / 0.15, 0, 1) and clip(1 - |coverage - level| / 0.2, 0, 1).  weight 0.25

Absent components are left out and the weights renormalised:
``score = 100 * Σ w_i c_i / Σ w_i``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import polars as pl

FloatArray = npt.NDArray[np.float64]
VOL_WINDOW = 48
MIN_LIVE = 20
WEIGHTS = {"edge": 0.35, "sharpness": 0.25, "regime": 0.15, "live": 0.25}


def conformal_quantile(scores: object, level: float) -> float:
    """The ``ceil((n+1) level)``-th smallest score; ``inf`` when n is too small for the level."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"level: expected a fraction between 0 and 1, got {level}")
    raw = np.asarray(scores, dtype=np.float64)
    values = np.sort(raw[np.isfinite(raw)])
    n = values.size
    k = math.ceil((n + 1) * level)
    if n == 0 or k > n:
        return math.inf
    return float(values[k - 1])


def rolling_vol(close: object, window: int = VOL_WINDOW) -> FloatArray:
    """Std of the last ``window`` one-bar log returns ending at each bar (NaN before enough)."""
    prices = np.asarray(close, dtype=np.float64)
    out = np.full(prices.size, np.nan)
    if prices.size <= window:
        return out
    returns = np.diff(np.log(prices))
    windows = np.lib.stride_tricks.sliding_window_view(returns, window)
    out[window:] = windows.std(axis=1, ddof=1)
    return out


def vol_asof(query_ts: object, bar_ts: object, bar_vol: object) -> FloatArray:
    """The volatility of the last bar at or before each query time (NaN before the first)."""
    q = np.asarray(query_ts, dtype=np.int64)
    ts = np.asarray(bar_ts, dtype=np.int64)
    vol = np.asarray(bar_vol, dtype=np.float64)
    idx = np.searchsorted(ts, q, side="right") - 1
    out = np.where(idx >= 0, vol[np.clip(idx, 0, None)], np.nan)
    return np.asarray(out, dtype=np.float64)


@dataclass(frozen=True)
class ConformalCalibrator:
    """A fitted conformal quantile: ``interval(pred, sigma_now)`` gives (low, high)."""

    level: float
    q: float
    n: int
    normalised: bool
    reference_vol: float | None

    def half_width(self, sigma_now: float | None = None) -> float:
        if not self.normalised:
            return self.q
        sigma = sigma_now if sigma_now and math.isfinite(sigma_now) else self.reference_vol
        return self.q * float(sigma or 0.0)

    def interval(self, pred: float, sigma_now: float | None = None) -> tuple[float, float]:
        width = self.half_width(sigma_now)
        return pred - width, pred + width

    def vol_ratio(self, sigma_now: float | None) -> float | None:
        if not self.normalised or not sigma_now or not self.reference_vol:
            return None
        return sigma_now / self.reference_vol


def _clean(
    y_true: object, y_pred: object, vol: object | None
) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    t = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(y_pred, dtype=np.float64)
    keep = np.isfinite(t) & np.isfinite(p)
    v = None
    if vol is not None:
        v = np.asarray(vol, dtype=np.float64)
        keep &= np.isfinite(v) & (v > 0)
        v = v[keep]
    return t[keep], p[keep], v


def fit_conformal(
    y_true: object, y_pred: object, level: float, vol: object | None = None
) -> ConformalCalibrator:
    """Fit the split-conformal quantile (normalised by ``vol`` when given)."""
    t, p, v = _clean(y_true, y_pred, vol)
    residuals = np.abs(t - p)
    scores = residuals / v if v is not None else residuals
    ref = float(np.median(v)) if v is not None and v.size else None
    return ConformalCalibrator(
        level, conformal_quantile(scores, level), int(t.size), v is not None, ref
    )


def empirical_coverage(
    cal: ConformalCalibrator, y_true: object, y_pred: object, vol: object | None = None
) -> tuple[float, float, int]:
    """(share of outcomes inside their interval, mean interval width, n) on new data."""
    t, p, v = _clean(y_true, y_pred, vol if cal.normalised else None)
    if t.size == 0:
        return math.nan, math.nan, 0
    half = cal.q * v if v is not None else np.full(t.size, cal.q)
    inside = np.abs(t - p) <= half
    return float(inside.mean()), float(2 * half.mean()), int(t.size)


@dataclass(frozen=True)
class CoverageReport:
    level: float
    n_fit: int
    n_test: int
    coverage: float
    mean_width: float
    normalised: bool

    @property
    def gap_points(self) -> float:
        return 100.0 * (self.coverage - self.level)


def measure_coverage(
    y_true: object,
    y_pred: object,
    level: float,
    vol: object | None = None,
    fit_fraction: float = 0.5,
) -> CoverageReport:
    """Fit on the first ``fit_fraction`` (time order) and measure coverage on the rest."""
    t, p, v = _clean(y_true, y_pred, vol)
    cut = int(t.size * fit_fraction)
    cal = fit_conformal(t[:cut], p[:cut], level, None if v is None else v[:cut])
    cov, width, n = empirical_coverage(cal, t[cut:], p[cut:], None if v is None else v[cut:])
    return CoverageReport(level, cut, n, cov, width, v is not None)


@dataclass(frozen=True)
class LiveAccuracy:
    """The tracker's record for one coin × horizon."""

    n: int
    hit_rate: float | None
    coverage: float | None


@dataclass(frozen=True)
class ConfidenceScore:
    score: float
    components: dict[str, float] = field(default_factory=dict)


def _edge(mae_ratio: float | None) -> float:
    if mae_ratio is None or not math.isfinite(mae_ratio):
        return 0.0
    return float(np.clip((1.0 - mae_ratio) / 0.10, 0.0, 1.0))


def _sharpness(pred: float, half_width: float, level: float) -> float:
    if not math.isfinite(half_width) or half_width <= 0:
        return 0.0 if not math.isfinite(half_width) else 1.0
    normal = NormalDist()  # the standard library's: scipy.stats costs ~1 s of CLI start-up
    sigma = half_width / normal.inv_cdf((1.0 + level) / 2.0)
    return float(2.0 * normal.cdf(abs(pred) / sigma) - 1.0)


def _live(live: LiveAccuracy | None, level: float) -> float | None:
    if live is None or live.n < MIN_LIVE or live.hit_rate is None:
        return None
    hit = float(np.clip((live.hit_rate - 0.5) / 0.15, 0.0, 1.0))
    if live.coverage is None:
        return hit
    cov = float(np.clip(1.0 - abs(live.coverage - level) / 0.2, 0.0, 1.0))
    return (hit + cov) / 2.0


def confidence_score(
    *,
    pred: float,
    half_width: float,
    level: float,
    mae_ratio: float | None,
    vol_ratio: float | None = None,
    live: LiveAccuracy | None = None,
) -> ConfidenceScore:
    """The documented 0–100 score (see the module docstring) with its components."""
    parts: dict[str, float] = {
        "edge": _edge(mae_ratio),
        "sharpness": _sharpness(pred, half_width, level),
    }
    if vol_ratio is not None and math.isfinite(vol_ratio):
        parts["regime"] = float(np.clip((3.0 - vol_ratio) / 2.0, 0.0, 1.0))
    live_part = _live(live, level)
    if live_part is not None:
        parts["live"] = live_part
    total_w = sum(WEIGHTS[k] for k in parts)
    score = 100.0 * sum(WEIGHTS[k] * v for k, v in parts.items()) / total_w
    return ConfidenceScore(round(score, 1), {k: round(v, 4) for k, v in parts.items()})


def bars_vol(bars: pl.DataFrame) -> tuple[npt.NDArray[np.int64], FloatArray]:
    """(ts, rolling volatility) of a canonical bars frame sorted by ts."""
    ts = np.asarray(bars["ts"].to_numpy(), dtype=np.int64)
    return ts, rolling_vol(np.asarray(bars["close"].to_numpy(), dtype=np.float64))


def current_vol(bars: pl.DataFrame | None) -> float | None:
    """The rolling volatility at the last bar (None with too few bars)."""
    if bars is None or len(bars) <= VOL_WINDOW:
        return None
    value = float(bars_vol(bars)[1][-1])
    return value if math.isfinite(value) and value > 0 else None


def _calibration_arrays(
    calibration: pl.DataFrame, bars: pl.DataFrame | None
) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    y_true = np.asarray(calibration["y_true"].to_numpy(), dtype=np.float64)
    y_pred = np.asarray(calibration["y_pred"].to_numpy(), dtype=np.float64)
    vol = None
    if bars is not None and len(bars) > VOL_WINDOW:
        bar_ts, bar_vol = bars_vol(bars)
        vol = vol_asof(calibration["ts"].to_numpy(), bar_ts, bar_vol)
        if np.isfinite(vol).mean() < 0.5:  # bars do not cover the calibration window
            vol = None
    return y_true, y_pred, vol


def calibrator_from_frame(
    calibration: pl.DataFrame, bars: pl.DataFrame | None, level: float
) -> ConformalCalibrator:
    """Fit on a version's ``calibration.parquet`` (normalised when ``bars`` cover it)."""
    y_true, y_pred, vol = _calibration_arrays(calibration, bars)
    return fit_conformal(y_true, y_pred, level, vol)


def coverage_from_frame(
    calibration: pl.DataFrame, bars: pl.DataFrame | None, level: float
) -> CoverageReport:
    """Fit on the first half of a version's calibration window, measure on the second."""
    y_true, y_pred, vol = _calibration_arrays(calibration, bars)
    return measure_coverage(y_true, y_pred, level, vol)
