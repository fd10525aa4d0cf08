"""Conformal intervals cover what they claim on simulated series; the score formula."""

from __future__ import annotations

import math

import numpy as np
import pytest

from finbot.prediction.decision import confidence as cf

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("scores", "level", "expected"),
    [
        (list(range(1, 10)), 0.8, 8.0),  # n=9: k = ceil(10 * 0.8) = 8
        (list(range(1, 20)), 0.9, 18.0),  # n=19: k = ceil(20 * 0.9) = 18
        ([3.0, 1.0, 2.0], 0.5, 2.0),  # k = ceil(4 * 0.5) = 2
        ([1.0, 2.0, 3.0], 0.8, math.inf),  # k = 4 > n: no finite quantile
        ([], 0.8, math.inf),
        ([1.0, np.nan, 2.0, 3.0, 4.0], 0.5, 3.0),  # NaN ignored: n=4, k = ceil(2.5) = 3
    ],
)
def test_finite_sample_quantile(scores: list[float], level: float, expected: float) -> None:
    assert cf.conformal_quantile(scores, level) == expected


@pytest.mark.parametrize("level", [0.0, 1.0, 1.5])
def test_bad_level(level: float) -> None:
    with pytest.raises(ValueError, match="level"):
        cf.conformal_quantile([1.0], level)


def heteroscedastic_series(rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
    """Volatility regimes that switch; returns have a small predictable part."""
    regime = np.repeat(rng.choice([0.5, 1.0, 2.5], size=n // 200 + 1), 200)[:n]
    sigma = 0.01 * regime * np.exp(rng.normal(0, 0.1, n))
    signal = rng.normal(0, 0.002, n)
    y_true = signal + sigma * rng.standard_t(df=5, size=n) / math.sqrt(5 / 3)
    y_pred = 0.8 * signal
    return y_true, y_pred, sigma


@pytest.mark.parametrize("level", [0.8, 0.9])
@pytest.mark.parametrize("normalised", [True, False])
def test_coverage_on_simulated_series(
    rng: np.random.Generator, level: float, normalised: bool
) -> None:
    y_true, y_pred, sigma = heteroscedastic_series(rng, 8000)
    report = cf.measure_coverage(y_true, y_pred, level, sigma if normalised else None)
    assert report.n_fit == 4000 and report.n_test == 4000
    assert abs(report.coverage - level) <= 0.03, report
    assert abs(report.gap_points) <= 3.0
    assert report.normalised is normalised


def test_normalised_intervals_adapt_to_volatility(rng: np.random.Generator) -> None:
    """Plain conformal over-covers calm and under-covers turbulent bars; normalised does not."""
    y_true, y_pred, sigma = heteroscedastic_series(rng, 8000)
    plain = cf.fit_conformal(y_true[:4000], y_pred[:4000], 0.8)
    norm_cal = cf.fit_conformal(y_true[:4000], y_pred[:4000], 0.8, sigma[:4000])
    test = slice(4000, None)
    turbulent = sigma[test] > np.quantile(sigma[test], 0.8)
    t, p, s = y_true[test][turbulent], y_pred[test][turbulent], sigma[test][turbulent]
    plain_cov, _, _ = cf.empirical_coverage(plain, t, p)
    norm_cov, _, _ = cf.empirical_coverage(norm_cal, t, p, s)
    assert abs(norm_cov - 0.8) < abs(plain_cov - 0.8)
    assert norm_cal.interval(0.0, 0.02)[1] > norm_cal.interval(0.0, 0.005)[1]


def test_calibrator_fallbacks() -> None:
    cal = cf.fit_conformal([0.0, 0.1, -0.1, 0.2, -0.2] * 4, [0.0] * 20, 0.8, [0.01] * 20)
    assert cal.normalised and cal.reference_vol == pytest.approx(0.01)
    assert cal.half_width(None) == pytest.approx(cal.q * 0.01)  # no current vol: calibration's
    assert cal.vol_ratio(0.02) == pytest.approx(2.0)
    assert cal.vol_ratio(None) is None
    plain = cf.fit_conformal([0.1, -0.1] * 10, [0.0] * 20, 0.8)
    assert plain.interval(0.05) == pytest.approx((0.05 - 0.1, 0.05 + 0.1))
    assert plain.vol_ratio(0.02) is None
    assert math.isnan(cf.empirical_coverage(plain, [], [])[0])


def test_rolling_vol_and_asof_have_no_lookahead() -> None:
    close = 100 * np.exp(np.cumsum(np.r_[0.0, np.tile([0.01, -0.01], 10)]))
    vol = cf.rolling_vol(close, window=4)
    assert np.isnan(vol[:4]).all() and np.isfinite(vol[4:]).all()
    spike = close.copy()
    spike[-1] *= 1.5  # a change at the last bar moves only the last value
    assert np.allclose(cf.rolling_vol(spike, 4)[:-1], vol[:-1], equal_nan=True)
    ts = np.arange(close.size) * 10
    got = cf.vol_asof([-5, 45, 49, 1000], ts, vol)
    assert np.isnan(got[0]) and got[1] == vol[4] and got[2] == vol[4] and got[3] == vol[-1]
    assert np.isnan(cf.rolling_vol([1.0, 2.0], 4)).all()


@pytest.mark.parametrize(
    ("kwargs", "expected", "parts"),
    [
        # no edge, tiny move: edge 0, sharpness ~0 -> ~0
        (dict(pred=0.0, half_width=0.01, level=0.8, mae_ratio=1.02), 0.0, {"edge", "sharpness"}),
        # 10 % better than naive and calm market, no tracker: (0.35*1 + 0.25*s + 0.15*1) / 0.75
        (
            dict(pred=0.0, half_width=0.01, level=0.8, mae_ratio=0.9, vol_ratio=1.0),
            100 * 0.5 / 0.75,
            {"edge", "sharpness", "regime"},
        ),
        # everything perfect
        (
            dict(
                pred=0.05,
                half_width=0.001,
                level=0.8,
                mae_ratio=0.5,
                vol_ratio=0.5,
                live=cf.LiveAccuracy(50, 0.7, 0.8),
            ),
            100.0,
            {"edge", "sharpness", "regime", "live"},
        ),
        # live accuracy ignored below MIN_LIVE resolved predictions
        (
            dict(
                pred=0.0,
                half_width=0.01,
                level=0.8,
                mae_ratio=None,
                live=cf.LiveAccuracy(5, 0.9, 0.8),
            ),
            0.0,
            {"edge", "sharpness"},
        ),
    ],
)
def test_confidence_score_formula(kwargs: dict, expected: float, parts: set[str]) -> None:  # type: ignore[type-arg]
    out = cf.confidence_score(**kwargs)
    assert out.score == pytest.approx(expected, abs=0.1)
    assert set(out.components) == parts
    assert 0.0 <= out.score <= 100.0


def test_score_components_move_the_right_way() -> None:
    base = dict(half_width=0.01, level=0.8, mae_ratio=0.95)
    small = cf.confidence_score(pred=0.001, **base).score  # type: ignore[arg-type]
    large = cf.confidence_score(pred=0.008, **base).score  # type: ignore[arg-type]
    assert large > small
    calm = cf.confidence_score(pred=0.001, vol_ratio=1.0, **base).score  # type: ignore[arg-type]
    wild = cf.confidence_score(pred=0.001, vol_ratio=2.5, **base).score  # type: ignore[arg-type]
    assert calm > wild
    # sharpness formula: sigma = hw / z(0.9); 2*Phi(pred/sigma)-1
    from scipy.stats import norm

    out = cf.confidence_score(pred=0.004, half_width=0.01, level=0.8, mae_ratio=1.0)
    sigma = 0.01 / norm.ppf(0.9)
    assert out.components["sharpness"] == pytest.approx(2 * norm.cdf(0.004 / sigma) - 1, abs=1e-4)
    assert (
        cf.confidence_score(pred=0.0, half_width=math.inf, level=0.8, mae_ratio=1.0).components[
            "sharpness"
        ]
        == 0.0
    )
    live = cf.confidence_score(
        pred=0.0, half_width=0.01, level=0.8, mae_ratio=1.0, live=cf.LiveAccuracy(30, 0.65, None)
    )
    assert live.components["live"] == pytest.approx(1.0)
