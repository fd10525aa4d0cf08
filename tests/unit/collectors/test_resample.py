"""Price points → bars: the original's defects pinned, and hypothesis properties."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finbot.collectors.resample import aggregate_candles, bar_open, grace_ms, points_to_bars
from finbot.timeframes import duration_ms

pytestmark = pytest.mark.unit

H = 3_600_000
DAY = 86_400_000
T0 = 1_704_067_200_000  # 2024-01-01T00:00:00Z


def test_bars_are_not_flat_and_open_is_previous_close():
    # eight points inside each of two hours (10 to 45 minutes past the hour)
    first_hour = [100, 104, 98, 101, 102, 99, 97, 103]
    second_hour = [105, 101, 100, 102, 103, 99, 100, 104]
    points = [
        (T0 + h * H + 600_000 + k * 300_000, p)
        for h, hour in enumerate([first_hour, second_hour])
        for k, p in enumerate(hour)
    ]
    bars = points_to_bars(points, "1h")
    assert bars.height == 2
    first, second = bars.row(0, named=True), bars.row(1, named=True)
    assert (first["high"], first["low"]) == (104.0, 97.0)  # the original had o=h=l=c
    assert first["open"] == 100.0 and first["close"] == 103.0
    assert second["open"] == first["close"]


def test_volume_is_the_24h_volume_scaled_to_the_bar():
    points = [(T0 + k * H + 1000, 100.0 + k) for k in range(3)]
    volumes = [(t, 2_400_000.0) for t, _ in points]
    bars = points_to_bars(points, "1h", volumes=volumes)
    assert bars["volume"].to_list() == [100_000.0] * 3  # 2.4 M per day → 0.1 M per hour


def test_hourly_points_make_hourly_bars_not_daily():
    points = [(T0 + k * H, 100.0 + k) for k in range(1, 49)]
    bars = points_to_bars(points, "1h")
    assert bars.height == 48
    assert set(bars["ts"].diff().drop_nulls().to_list()) == {H}


def test_daily_point_at_midnight_closes_the_previous_day():
    points = [(T0 + DAY, 101.0), (T0 + 2 * DAY, 103.0)]
    bars = points_to_bars(points, "1d")
    assert bars["ts"].to_list() == [T0, T0 + DAY]
    assert bars["close"].to_list() == [101.0, 103.0]


def test_gaps_stay_gaps():
    points = [(T0 + H, 100.0), (T0 + 5 * H, 110.0)]
    bars = points_to_bars(points, "1h")
    assert bars["ts"].to_list() == [T0, T0 + 4 * H]
    assert bars.row(1, named=True)["open"] == 110.0  # no previous bar: its own first point


def test_previous_stored_bar_gives_the_open():
    bars = points_to_bars([(T0 + 2 * H, 120.0)], "1h", previous=(T0, 110.0))
    assert bars.row(0, named=True)["open"] == 110.0
    assert bars.row(0, named=True)["low"] == 110.0


def test_empty_points_give_empty_bars():
    assert points_to_bars([], "1h").is_empty()


def test_aggregate_candles_keeps_complete_periods_only():
    frame = pl.DataFrame(
        {
            "ts": [T0 + k * 4 * H for k in range(3, 14)],
            "open": [1.0] * 11,
            "high": [2.0] * 11,
            "low": [0.5] * 11,
            "close": [1.5] * 11,
            "volume": [None] * 11,
            "market_cap": [None] * 11,
            "source": ["x"] * 11,
        },
        schema_overrides={"volume": pl.Float64, "market_cap": pl.Float64},
    )
    daily = aggregate_candles(frame, "1d", 4 * H)
    # day 0 has 3 of 6 candles (dropped), day 1 complete, day 2 in progress (kept)
    assert daily["ts"].to_list() == [T0 + DAY, T0 + 2 * DAY]


prices = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)
point_lists = st.lists(
    st.tuples(st.integers(min_value=T0, max_value=T0 + 20 * DAY), prices), min_size=1, max_size=60
)
timeframes = st.sampled_from(["5m", "1h", "4h", "1d", "1w"])


@settings(max_examples=500, deadline=None)
@given(points=point_lists, timeframe=timeframes, data=st.data())
def test_resampler_properties(points, timeframe, data):
    bars = points_to_bars(points, timeframe)
    tf = duration_ms(timeframe)
    # OHLC consistent, positive
    for row in bars.iter_rows(named=True):
        assert row["low"] <= min(row["open"], row["close"]) <= max(row["open"], row["close"])
        assert max(row["open"], row["close"]) <= row["high"]
        assert row["low"] > 0
    # exactly one bar per occupied period, none elsewhere (no forward fill)
    occupied = {bar_open(t, tf) for t, _ in points}
    assert bars["ts"].to_list() == sorted(occupied)
    assert bars["ts"].n_unique() == bars.height
    # no bar outside the points' span (periods are (open, open + tf], shifted by the grace)
    assert bars["ts"].min() + tf + grace_ms(tf) >= min(t for t, _ in points)
    assert bars["ts"].max() < max(t for t, _ in points)
    # idempotent, and invariant to the order of the points
    assert points_to_bars(points, timeframe).equals(bars)
    shuffled = data.draw(st.permutations(points))
    assert points_to_bars(shuffled, timeframe).equals(bars)


def test_replay_urls_follow_the_coingecko_url_env(monkeypatch):
    from finbot.collectors.exchange_backfill import replay_exchange_base
    from finbot.collectors.fx_collector import replay_fx_base

    monkeypatch.setenv("FINBOT_COINGECKO_URL", "http://127.0.0.1:9999/api/v3")
    assert replay_fx_base(None) == "http://127.0.0.1:9999/fx/v6"
    assert replay_exchange_base(None) == "http://127.0.0.1:9999/binance"
    monkeypatch.setenv("FINBOT_COINGECKO_URL", "https://cg.example/api/v3")  # not loopback
    assert replay_fx_base(None) is None
