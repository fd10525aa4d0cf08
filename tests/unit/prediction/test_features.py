"""Features: TA-Lib agreement, no look-ahead, warm-up, scale-freedom, both engines equal."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import talib

from finbot.errors import DataError, UsageError
from finbot.prediction.features import indicators as ind
from finbot.prediction.features.feature_builder import (
    FEATURE_NAMES,
    TAIL_BARS,
    WARMUP_BARS,
    build_features,
    compute_raw,
    feature_matrix,
)
from tests.fixtures.bars import planted_signal, random_walk, with_gaps

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def hlc() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    bars = random_walk(2500, seed=3)
    return bars["high"].to_numpy(), bars["low"].to_numpy(), bars["close"].to_numpy()


def _same(ours: np.ndarray, theirs: np.ndarray) -> None:
    """Same warm-up (NaN mask) and the same values to 1e-6 (relative to the magnitude)."""
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    valid = ~np.isnan(theirs)
    assert valid.sum() > 1400
    np.testing.assert_allclose(ours[valid], theirs[valid], rtol=1e-9, atol=1e-6)


SINGLE = [
    ("sma10", lambda h, lo, c: ind.sma(c, 10), lambda h, lo, c: talib.SMA(c, 10)),
    ("sma30", lambda h, lo, c: ind.sma(c, 30), lambda h, lo, c: talib.SMA(c, 30)),
    ("ema12", lambda h, lo, c: ind.ema(c, 12), lambda h, lo, c: talib.EMA(c, 12)),
    ("ema26", lambda h, lo, c: ind.ema(c, 26), lambda h, lo, c: talib.EMA(c, 26)),
    ("stddev20", lambda h, lo, c: ind.rolling_std(c, 20), lambda h, lo, c: talib.STDDEV(c, 20, 1)),
    ("rsi14", lambda h, lo, c: ind.rsi(c, 14), lambda h, lo, c: talib.RSI(c, 14)),
    ("atr14", lambda h, lo, c: ind.atr(h, lo, c, 14), lambda h, lo, c: talib.ATR(h, lo, c, 14)),
    ("cci20", lambda h, lo, c: ind.cci(h, lo, c, 20), lambda h, lo, c: talib.CCI(h, lo, c, 20)),
]


@pytest.mark.parametrize(("name", "ours", "theirs"), SINGLE, ids=[s[0] for s in SINGLE])
def test_single_indicators_match_talib(name, ours, theirs, hlc) -> None:
    _same(ours(*hlc), theirs(*hlc))


MULTI = [
    ("macd", lambda h, lo, c: ind.macd(c), lambda h, lo, c: talib.MACD(c, 12, 26, 9)),
    (
        "stoch",
        lambda h, lo, c: ind.stoch(h, lo, c),
        lambda h, lo, c: talib.STOCH(h, lo, c, 14, 3, 0, 3, 0),
    ),
    (
        "dmi",
        lambda h, lo, c: ind.directional(h, lo, c, 14),
        lambda h, lo, c: (
            talib.PLUS_DI(h, lo, c, 14),
            talib.MINUS_DI(h, lo, c, 14),
            talib.ADX(h, lo, c, 14),
        ),
    ),
    ("aroon", lambda h, lo, c: ind.aroon(h, lo, 25), lambda h, lo, c: talib.AROON(h, lo, 25)[::-1]),
]


@pytest.mark.parametrize(("name", "ours", "theirs"), MULTI, ids=[m[0] for m in MULTI])
def test_multi_output_indicators_match_talib(name, ours, theirs, hlc) -> None:
    for mine, reference in zip(ours(*hlc), theirs(*hlc), strict=True):
        _same(np.asarray(mine), np.asarray(reference))


def test_bollinger_features_match_talib_bbands() -> None:
    """%B and bandwidth are ours (normalised); the bands under them are TA-Lib's BBANDS."""
    bars = random_walk(1500, seed=5)
    close = bars["close"].to_numpy()
    upper, middle, lower = talib.BBANDS(close, 20, 2.0, 2.0, 0)
    raw = compute_raw(bars, engine="numpy")
    _same(raw["bb_pctb_20"], (close - lower) / (upper - lower))
    _same(raw["bb_width_20"], (upper - lower) / middle)


NORMALISED = [  # ours = TA-Lib's value divided by close (scale-free on purpose)
    ("macd_norm", lambda h, lo, c: talib.MACD(c, 12, 26, 9)[0]),
    ("macd_signal_norm", lambda h, lo, c: talib.MACD(c, 12, 26, 9)[1]),
    ("macd_hist_norm", lambda h, lo, c: talib.MACD(c, 12, 26, 9)[2]),
    ("atr_norm_14", lambda h, lo, c: talib.ATR(h, lo, c, 14)),
]


@pytest.mark.parametrize(("feature", "reference"), NORMALISED, ids=[n[0] for n in NORMALISED])
def test_normalised_features_are_talib_over_close(feature, reference) -> None:
    bars = random_walk(1500, seed=6)
    h, lo, c = (bars[n].to_numpy() for n in ("high", "low", "close"))
    raw = compute_raw(bars, engine="numpy")
    _same(raw[feature] * c, reference(h, lo, c))


@pytest.mark.parametrize("engine", ["numpy", "talib"])
def test_exactly_26_named_features(engine: str) -> None:
    features = build_features(random_walk(300, seed=1), engine=engine)
    assert len(FEATURE_NAMES) == 26 == len(set(FEATURE_NAMES))
    assert features.columns == ["ts", *FEATURE_NAMES]
    assert features.height == 300 - WARMUP_BARS
    assert np.isfinite(feature_matrix(features)).all()


@pytest.mark.parametrize("decay", [11 / 13, 1 - 1 / 14, 0.5])
def test_linear_recurrence_is_the_sequential_recursion(decay: float) -> None:
    """The numpy engine's scan equals ``y[t] = decay * y[t-1] + b[t]`` computed row by row;
    a prefix of the input gives exactly the same prefix; a NaN spoils every later row."""
    b = np.random.default_rng(4).normal(size=3000)
    expected = np.empty_like(b)
    acc = 0.0
    for t, value in enumerate(b):
        acc = decay * acc + value
        expected[t] = acc
    got = ind.linear_recurrence(b, decay)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    for k in (1, 2, 7, 1000, 2049):
        np.testing.assert_array_equal(ind.linear_recurrence(b[:k], decay), got[:k])
    b[1500] = np.nan
    spoiled = ind.linear_recurrence(b, decay)
    np.testing.assert_array_equal(spoiled[:1500], got[:1500])
    assert np.isnan(spoiled[1500:]).all()


def test_engines_are_chosen_by_object_or_name() -> None:
    assert ind.get_engine("numpy") is ind.NUMPY_INDICATORS
    assert ind.get_engine("talib") is ind.TALIB_INDICATORS
    assert ind.get_engine(ind.NUMPY_INDICATORS) is ind.NUMPY_INDICATORS
    with pytest.raises(UsageError, match="indicator engine"):
        build_features(random_walk(100, seed=1), engine="auto")


def test_engines_agree() -> None:
    bars = with_gaps(planted_signal(2000, seed=2), seed=2)
    a, b = build_features(bars, engine="numpy"), build_features(bars, engine="talib")
    assert a["ts"].to_list() == b["ts"].to_list()
    np.testing.assert_allclose(feature_matrix(a), feature_matrix(b), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("engine", ["numpy", "talib"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_no_look_ahead(engine: str, seed: int) -> None:
    """Features of the first k bars do not change when the future is appended."""
    bars = random_walk(1200, seed=seed)
    full = build_features(bars, engine=engine)
    for k in np.random.default_rng(seed).integers(WARMUP_BARS + 5, 1200, 4):
        head = build_features(bars.head(int(k)), engine=engine)
        assert head.height == int(k) - WARMUP_BARS
        np.testing.assert_array_equal(feature_matrix(head), feature_matrix(full.head(head.height)))


def test_tail_gives_the_same_last_row_as_the_full_history() -> None:
    """Live prediction reads only TAIL_BARS bars; recursive indicators have converged."""
    bars = planted_signal(5000, seed=4)
    full = feature_matrix(build_features(bars))[-1]
    tail = feature_matrix(build_features(bars.tail(TAIL_BARS)))[-1]
    np.testing.assert_allclose(tail, full, rtol=1e-9, atol=1e-9)


def test_scale_free() -> None:
    """Multiplying every price by 1000 leaves the features unchanged (one model, any price)."""
    bars = random_walk(500, seed=9)
    scaled = bars.with_columns([pl.col(c) * 1000.0 for c in ("open", "high", "low", "close")])
    np.testing.assert_allclose(
        feature_matrix(build_features(scaled)),
        feature_matrix(build_features(bars)),
        rtol=1e-7,
        atol=1e-7,
    )


def test_short_series_gives_no_rows_and_non_finite_rows_are_dropped() -> None:
    assert build_features(random_walk(WARMUP_BARS, seed=1)).height == 0
    bars = random_walk(200, seed=1)
    broken = bars.with_columns(
        pl.when(pl.int_range(pl.len()) == 150)
        .then(float("nan"))
        .otherwise(pl.col("close"))
        .alias("close")
    )
    features = build_features(broken)
    assert bars["ts"][150] not in features["ts"].to_list()
    assert np.isfinite(feature_matrix(features)).all()


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pl.DataFrame({"ts": [1, 2], "close": [1.0, 2.0]}), "missing"),
        (random_walk(50, seed=1).reverse(), "sorted"),
    ],
)
def test_bad_input_raises_data_error(frame: pl.DataFrame, message: str) -> None:
    with pytest.raises(DataError, match=message):
        build_features(frame)


def test_zero_volume_reads_as_neutral_ratio() -> None:
    bars = random_walk(100, seed=1).with_columns(pl.lit(0.0).alias("volume"))
    features = build_features(bars)
    assert features.height == 100 - WARMUP_BARS
    assert (features["volume_ratio_20"] == 1.0).all()
    assert (features["volume_change_1"] == 0.0).all()
