"""The synthetic history generator: schema, determinism, realism, cross-timeframe agreement,
and the CSV writer that never deletes (the original's tool wiped the whole data folder)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy.stats import kurtosis

from finbot.errors import DataError, UsageError
from finbot.replay import synthetic as tdm
from finbot.replay.coin_profiles import profile_for
from finbot.schema import BARS_SCHEMA

pytestmark = pytest.mark.unit
DAY = tdm.DAY_MS
END = 1_717_200_000_000
COINS = ["bitcoin", "ethereum", "solana", "dogecoin"]


@pytest.fixture(scope="module")
def history() -> dict[str, dict[str, pl.DataFrame]]:
    return tdm.generate_history(COINS, END - 800 * DAY, END, 11, ("5m", "1h", "4h", "1d", "1w"))


def _returns(frame: pl.DataFrame) -> np.ndarray:
    return np.diff(np.log(frame["close"].to_numpy()))


def test_schema_and_label(history: dict[str, dict[str, pl.DataFrame]]) -> None:
    for frames in history.values():
        for frame in frames.values():
            assert dict(frame.schema) == BARS_SCHEMA
            assert frame["source"].unique().to_list() == ["synthetic"]
            assert frame["ts"].is_sorted() and frame["ts"].n_unique() == frame.height


@pytest.mark.parametrize(
    ("tf", "rows"), [("5m", 30 * 288), ("1h", 730 * 24), ("1d", 800), ("4h", 730 * 6)]
)
def test_windows(history: dict[str, dict[str, pl.DataFrame]], tf: str, rows: int) -> None:
    frame = history["bitcoin"][tf]
    assert frame.height == rows
    assert frame["ts"][-1] + tdm.STEP_MS.get(tf, 4 * 3_600_000) == END


def test_ohlc_is_consistent(history: dict[str, dict[str, pl.DataFrame]]) -> None:
    for frames in history.values():
        for frame in frames.values():
            checks = frame.select(
                (pl.col("high") >= pl.max_horizontal("open", "close")).all().alias("high"),
                (pl.col("low") <= pl.min_horizontal("open", "close")).all().alias("low"),
                ((pl.col("low") > 0) & (pl.col("volume") > 0)).all().alias("positive"),
            )
            assert checks.row(0) == (True, True, True)
            assert frame["open"][1:].to_list() == pytest.approx(frame["close"][:-1].to_list())


@pytest.mark.parametrize(
    ("fine", "coarse", "size_ms"),
    [("5m", "1h", 3_600_000), ("1h", "1d", DAY), ("1h", "4h", 14_400_000), ("1d", "1w", 7 * DAY)],
)
def test_timeframes_agree_exactly(
    history: dict[str, dict[str, pl.DataFrame]], fine: str, coarse: str, size_ms: int
) -> None:
    offset = 4 * DAY if coarse == "1w" else 0
    fine_frame, coarse_frame = history["ethereum"][fine], history["ethereum"][coarse]
    agg = (
        fine_frame.with_columns(((pl.col("ts") - offset) // size_ms * size_ms + offset).alias("g"))
        .group_by("g")
        .agg(
            pl.col("open").first(),
            pl.col("high").max(),
            pl.col("low").min(),
            pl.col("close").last(),
            pl.col("volume").sum(),
            pl.len().alias("n"),
        )
        .filter(pl.col("n") == size_ms // tdm.STEP_MS[fine])
        .rename({"g": "ts"})
    )
    joined = coarse_frame.join(agg, on="ts", suffix="_agg")
    assert joined.height >= 3
    for col in ("open", "high", "low", "close", "volume"):
        assert joined[col].to_list() == pytest.approx(joined[f"{col}_agg"].to_list(), rel=1e-12)


def test_deterministic_and_seed_sensitive() -> None:
    a = tdm.generate_history(["bitcoin"], END - 30 * DAY, END, 5)
    b = tdm.generate_history(["bitcoin"], END - 30 * DAY, END, 5)
    c = tdm.generate_history(["bitcoin"], END - 30 * DAY, END, 6)
    assert a["bitcoin"]["1h"].equals(b["bitcoin"]["1h"])
    assert not a["bitcoin"]["1h"].equals(c["bitcoin"]["1h"])


def test_adding_a_coin_does_not_change_the_others() -> None:
    alone = tdm.generate_history(["bitcoin"], END - 20 * DAY, END, 5)
    together = tdm.generate_history(["bitcoin", "my-new-coin"], END - 20 * DAY, END, 5)
    assert alone["bitcoin"]["5m"].equals(together["bitcoin"]["5m"])
    assert together["my-new-coin"]["1d"].height == 20


def test_price_levels_are_realistic(history: dict[str, dict[str, pl.DataFrame]]) -> None:
    for coin in COINS:
        assert history[coin]["5m"]["close"][-1] == pytest.approx(profile_for(coin).level)
    assert profile_for("unknown-coin-x") == profile_for("unknown-coin-x")
    assert 0.01 <= profile_for("unknown-coin-x").level <= 1000


def test_market_cap_is_price_times_supply(history: dict[str, dict[str, pl.DataFrame]]) -> None:
    frame = history["solana"]["1d"]
    ratio = (frame["market_cap"] / frame["close"]).unique().to_list()
    assert ratio == pytest.approx([profile_for("solana").supply] * len(ratio))


def test_coins_are_correlated(history: dict[str, dict[str, pl.DataFrame]]) -> None:
    corr = np.corrcoef(_returns(history["bitcoin"]["1h"]), _returns(history["solana"]["1h"]))[0, 1]
    assert 0.3 < corr < 0.95


def test_fat_tails_and_volatility_clustering(history: dict[str, dict[str, pl.DataFrame]]) -> None:
    r = _returns(history["bitcoin"]["1h"])
    assert kurtosis(r) > 3.0  # excess kurtosis: a normal would be ~0
    absr = np.abs(r)
    assert np.corrcoef(absr[1:], absr[:-1])[0, 1] > 0.1  # |r| is autocorrelated
    assert abs(np.corrcoef(r[1:], r[:-1])[0, 1]) < 0.1  # returns themselves are not


def test_volume_follows_absolute_returns(history: dict[str, dict[str, pl.DataFrame]]) -> None:
    frame = history["ethereum"]["1h"]
    assert np.corrcoef(np.abs(_returns(frame)), frame["volume"].to_numpy()[1:])[0, 1] > 0.3


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"timeframes": ("2m",)}, "timeframes"),
        ({"end_ms": END - 500 * DAY}, "end_ms"),
        ({"coins": []}, "coins"),
    ],
)
def test_bad_arguments(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {
        "coins": ["bitcoin"],
        "start_ms": END - 400 * DAY,
        "end_ms": END,
        "seed": 1,
    }
    args.update(kwargs)
    with pytest.raises(UsageError, match=field):
        tdm.generate_history(**args)  # type: ignore[arg-type]


def test_csv_writer_never_deletes_and_refuses_foreign_files(tmp_path: Path) -> None:
    out = tmp_path / "data"
    (out / "keep_me").mkdir(parents=True)
    (out / "keep_me" / "precious.txt").write_text("user data")
    (out / "notes.csv").write_text("x")
    history = tdm.generate_history(["bitcoin"], END - 3 * DAY, END, 1, ("1h", "1d"))
    written = tdm.write_history_csv(history, out)
    assert sorted(p.name for p in written) == ["bitcoin_1d.csv", "bitcoin_1h.csv"]
    assert (out / "keep_me" / "precious.txt").read_text() == "user data"
    assert (out / "notes.csv").read_text() == "x"
    tdm.write_history_csv(history, out)  # rewriting its own files is fine
    manifest = json.loads((out / tdm.MANIFEST).read_text())
    assert manifest["label"] == "synthetic" and manifest["volume_unit"] == "usd"
    (out / "ethereum_1h.csv").write_text("someone else's")
    with pytest.raises(DataError, match="did not write"):
        tdm.write_history_csv(
            tdm.generate_history(["ethereum"], END - 3 * DAY, END, 1, ("1h",)), out
        )
    assert (out / "ethereum_1h.csv").read_text() == "someone else's"


def test_csv_format(tmp_path: Path) -> None:
    history = tdm.generate_history(["ripple"], END - 2 * DAY, END, 1, ("1d",))
    tdm.write_history_csv(history, tmp_path)
    lines = (tmp_path / "ripple_1d.csv").read_text().splitlines()
    assert lines[0] == "timestamp,open,high,low,close,volume"
    assert lines[1].startswith("2024-05-30T00:00:00Z,")


def test_main_writes_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = tdm.main(
        [
            "--out",
            str(tmp_path / "o"),
            "--coins",
            "bitcoin,cardano",
            "--days",
            "5",
            "--end",
            "2024-06-01",
            "--timeframes",
            "1h,1d",
        ]
    )
    assert code == 0 and "wrote 4 synthetic files" in capsys.readouterr().out
    assert (tmp_path / "o" / "cardano_1h.csv").exists()
