"""Pooled features: no look-ahead across coins, alignment by timestamp (a bar missing for one
coin shifts nothing for another), the market figures, and the live row equal to training's."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from finbot.prediction.features import (
    CROSS_FEATURE_NAMES,
    POOLED_FEATURE_NAMES,
    latest_pooled_row,
    pooled_dataset,
    pooled_frames,
)
from finbot.prediction.features.cross_asset import align, cross_features
from tests.fixtures.bars import bars_from_returns

pytestmark = pytest.mark.unit
HOUR = 3_600_000
COINS = ("bitcoin", "ethereum", "solana")


def _frames(n: int, seed: int) -> dict[str, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    return {c: bars_from_returns(rng.normal(0.0, 0.01, n), rng) for c in COINS}


def _perturb_after(frame: pl.DataFrame, cut_ts: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    scale = np.where(frame["ts"].to_numpy() > cut_ts, rng.uniform(0.5, 2.0, frame.height), 1.0)
    return frame.with_columns(
        *(pl.col(c) * pl.Series(scale) for c in ("open", "high", "low", "close", "volume"))
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_no_look_ahead_across_coins(seed: int) -> None:
    """Rows at ts <= t are unchanged when every coin's bars after t change."""
    frames = _frames(600, seed)
    cut = int(frames["bitcoin"]["ts"][400])
    before = pooled_frames(frames, "1h")
    after = pooled_frames({c: _perturb_after(f, cut, seed) for c, f in frames.items()}, "1h")
    for coin in COINS:
        old = before[coin].filter(pl.col("ts") <= cut)
        new = after[coin].filter(pl.col("ts") <= cut)
        assert old.height > 300
        np.testing.assert_array_equal(old.to_numpy(), new.to_numpy())
        later_old = before[coin].filter(pl.col("ts") > cut).select(CROSS_FEATURE_NAMES)
        later_new = after[coin].filter(pl.col("ts") > cut).select(CROSS_FEATURE_NAMES)
        assert not np.allclose(later_old.to_numpy(), later_new.to_numpy(), equal_nan=True)


def test_a_missing_bar_of_one_coin_shifts_nothing_for_the_others() -> None:
    frames = _frames(400, 3)
    ts = frames["ethereum"]["ts"].to_numpy()
    gap = {int(ts[200]), int(ts[201])}
    holed = {**frames, "ethereum": frames["ethereum"].filter(~pl.col("ts").is_in(gap))}
    full, cut = pooled_frames(frames, "1h"), pooled_frames(holed, "1h")
    # bitcoin's own return feature, by timestamp, is the same for every coin at every ts
    btc = frames["bitcoin"].select("ts", pl.col("close").log().diff().alias("r"))
    for coin in COINS:
        joined = cut[coin].join(btc, on="ts").drop_nulls("r")
        np.testing.assert_allclose(joined["btc_ret_bar"], joined["r"], rtol=1e-12)
    assert set(cut["ethereum"]["ts"].to_list()).isdisjoint(gap)
    # ethereum's return after the hole is its own, by timestamp (a row shift would differ)
    row = cut["ethereum"].filter(pl.col("ts") == int(ts[203]))
    close = frames["ethereum"]["close"].to_numpy()
    own = np.log(close[203] / close[202])
    assert float(row["rel_ret_bar"][0] + row["mkt_ret_bar"][0]) == pytest.approx(own)
    # market return at the hole: the mean over the coins that have a bar there
    at = cut["solana"].filter(pl.col("ts") == int(ts[200]))
    others = [np.log(frames[c]["close"][200] / frames[c]["close"][199]) for c in COINS[::2]]
    assert float(at["mkt_ret_bar"][0]) == pytest.approx(np.mean(others))
    # rows whose windows do not reach the hole are identical for solana (the weekly
    # volume z-score of the market does: ethereum's week holds the hole)
    far = pl.col("ts").is_in([int(t) for t in ts[260:300]])
    np.testing.assert_array_equal(
        full["solana"].filter(far).drop("mkt_vol_z").to_numpy(),
        cut["solana"].filter(far).drop("mkt_vol_z").to_numpy(),
    )


def test_coins_starting_at_different_times_align_by_timestamp() -> None:
    frames = _frames(300, 4)
    late = frames["solana"].slice(100)
    aligned = align({**frames, "solana": late}, "1h")
    assert aligned.ts[0] == frames["bitcoin"]["ts"][0]
    column = aligned.coins.index("solana")
    assert np.isnan(aligned.close[:100, column]).all()
    np.testing.assert_array_equal(aligned.close[100:, column], late["close"].to_numpy())
    values = cross_features(aligned)
    assert np.isnan(values["rank_ret_bar"][:100, column]).all()
    ranks = values["rank_ret_bar"][150]
    assert sorted(ranks.tolist()) == [0.0, 0.5, 1.0]
    assert values["breadth_bar"][150, 0] == pytest.approx(
        np.mean(np.diff(np.log(aligned.close[149:151]), axis=0) > 0)
    )


def test_calendar_features_follow_the_utc_clock() -> None:
    frames = _frames(200, 5)
    rows = pooled_frames(frames, "1h")["bitcoin"]
    hours = (rows["ts"].to_numpy() % 86_400_000) / HOUR
    np.testing.assert_allclose(rows["hour_sin"], np.sin(hours / 24 * 2 * np.pi), atol=1e-12)
    monday = 1_700_438_400_000  # 2023-11-20 00:00 UTC, a Monday
    at = align(
        {"bitcoin": frames["bitcoin"].with_columns(pl.lit(monday).alias("ts")).head(1)}, "1h"
    )
    assert cross_features(at)["dow_sin"][0, 0] == pytest.approx(0.0, abs=1e-12)


def test_dataset_stacks_labelled_rows_sorted_by_time() -> None:
    frames = _frames(300, 6)
    data = pooled_dataset(frames, "1h", "6h")
    assert data.columns == ["ts", "coin", *POOLED_FEATURE_NAMES, "target"]
    assert data["ts"].is_sorted()
    assert set(data["coin"].unique().to_list()) == set(COINS)
    assert data["target"].is_finite().all()


def test_the_live_row_is_the_training_row_of_the_same_bar() -> None:
    frames = _frames(700, 7)
    rows = pooled_frames(frames, "1h")["ethereum"]
    tails = {c: f.tail(200) for c, f in frames.items()}
    latest = latest_pooled_row(tails, "ethereum", "1h", engine="talib")
    assert latest is not None
    ts, close, row = latest
    assert ts == int(rows["ts"][-1])
    assert close == float(frames["ethereum"]["close"][-1])
    expected = rows.tail(1).select(POOLED_FEATURE_NAMES).to_numpy()
    np.testing.assert_allclose(
        row[:, len(POOLED_FEATURE_NAMES) - len(CROSS_FEATURE_NAMES) :],
        expected[:, -len(CROSS_FEATURE_NAMES) :],
        rtol=1e-9,
    )
