"""BarStore: upsert semantics, reads across months, metadata, validation of bad bars."""

from __future__ import annotations

import logging
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from finbot.errors import DataError, UsageError
from finbot.schema import BARS_SCHEMA, SCHEMA_VERSION
from finbot.storage.parquet_writer import BarStore, UpsertResult
from tests.fixtures.storage import HOUR_MS, JAN_2024_MS, make_bars

pytestmark = pytest.mark.unit

FEB_2024_MS = 1_706_745_600_000  # 2024-02-01T00:00:00Z


def _files(store: BarStore) -> list[Path]:
    return sorted(store.root.rglob("part.parquet"))


@pytest.mark.parametrize("n", [1, 24, 24 * 45])
def test_upsert_twice_is_idempotent(bar_store: BarStore, n: int) -> None:
    bars = make_bars(n)
    first = bar_store.upsert("bitcoin", "1h", bars)
    before = {p: p.stat().st_mtime_ns for p in _files(bar_store)}
    second = bar_store.upsert("bitcoin", "1h", bars)
    assert first == UpsertResult(inserted=n)
    assert second == UpsertResult(unchanged=n)
    assert {p: p.stat().st_mtime_ns for p in _files(bar_store)} == before  # nothing rewritten
    assert bar_store.read("bitcoin", "1h").equals(bars)


def test_recollected_bar_replaces_the_stored_one(bar_store: BarStore) -> None:
    bars = make_bars(48)
    bar_store.upsert("bitcoin", "1h", bars)
    changed = bars.slice(10, 3).with_columns(
        pl.col("close") * 1.0001, pl.lit("again").alias("source")
    )
    changed = changed.with_columns(
        pl.max_horizontal("high", "close").alias("high"),
        pl.min_horizontal("low", "close").alias("low"),
    )
    result = bar_store.upsert("bitcoin", "1h", changed)
    out = bar_store.read("bitcoin", "1h")
    assert result == UpsertResult(updated=3)
    assert out.height == 48 and out["ts"].is_unique().all()
    assert out.slice(10, 3).equals(changed)


def test_duplicates_within_a_batch_keep_the_last(bar_store: BarStore) -> None:
    bars = make_bars(5)
    later = bars.slice(2, 1).with_columns(pl.lit("last").alias("source"))
    result = bar_store.upsert("bitcoin", "1h", pl.concat([bars, later]))
    out = bar_store.read("bitcoin", "1h")
    assert result.inserted == 5
    assert out.height == 5
    assert out.filter(pl.col("ts") == bars["ts"][2])["source"].to_list() == ["last"]


def test_unsorted_batch_is_stored_sorted(bar_store: BarStore) -> None:
    bars = make_bars(40)
    bar_store.upsert("bitcoin", "1h", bars.reverse())
    assert bar_store.read("bitcoin", "1h")["ts"].to_list() == bars["ts"].to_list()


def test_layout_is_hive_partitioned_by_month(bar_store: BarStore) -> None:
    bar_store.upsert("bitcoin", "1h", make_bars(24 * 40))  # January and part of February
    relative = [p.relative_to(bar_store.root).as_posix() for p in _files(bar_store)]
    assert relative == [
        "timeframe=1h/coin=bitcoin/year=2024/month=01/part.parquet",
        "timeframe=1h/coin=bitcoin/year=2024/month=02/part.parquet",
    ]
    hive = pl.scan_parquet(bar_store.root / "**/*.parquet", hive_partitioning=True).collect()
    assert hive.height == 24 * 40 and set(hive["coin"].unique()) == {"bitcoin"}


def test_file_metadata_has_schema_version_timeframe_and_coin(bar_store: BarStore) -> None:
    bar_store.upsert("ethereum", "5m", make_bars(10, step_ms=300_000))
    metadata = pq.read_schema(_files(bar_store)[0]).metadata
    assert metadata[b"finbot.schema_version"] == str(SCHEMA_VERSION).encode()
    assert metadata[b"finbot.timeframe"] == b"5m"
    assert metadata[b"finbot.coin"] == b"ethereum"
    assert pq.read_metadata(_files(bar_store)[0]).row_group(0).column(0).compression == "ZSTD"


@pytest.mark.parametrize(
    ("start", "end", "last_n", "expected"),
    [
        (None, None, None, (0, 24 * 60)),
        (JAN_2024_MS + 5 * HOUR_MS, JAN_2024_MS + 9 * HOUR_MS, None, (5, 10)),
        (FEB_2024_MS - 2 * HOUR_MS, FEB_2024_MS + HOUR_MS, None, (24 * 31 - 2, 24 * 31 + 2)),
        (None, None, 3, (24 * 60 - 3, 24 * 60)),
        (None, None, 24 * 31 + 5, (24 * 60 - 24 * 31 - 5, 24 * 60)),  # crosses months
        (None, FEB_2024_MS, 2, (24 * 31 - 1, 24 * 31 + 1)),
        (JAN_2024_MS + 10 * HOUR_MS, None, 10_000, (10, 24 * 60)),
        (FEB_2024_MS + 10**12, None, None, (0, 0)),
    ],
)
def test_read_range_and_last_n_across_months(
    bar_store: BarStore,
    start: int | None,
    end: int | None,
    last_n: int | None,
    expected: tuple[int, int],
) -> None:
    bars = make_bars(24 * 60)
    bar_store.upsert("bitcoin", "1h", bars)
    out = bar_store.read("bitcoin", "1h", start_ms=start, end_ms=end, last_n=last_n)
    assert out.schema == BARS_SCHEMA
    assert out.equals(bars.slice(expected[0], expected[1] - expected[0]))


def test_read_of_nothing_is_an_empty_frame_in_the_schema(bar_store: BarStore) -> None:
    out = bar_store.read("bitcoin", "1h")
    assert out.height == 0 and out.schema == BARS_SCHEMA
    assert bar_store.last_ts("bitcoin", "1h") is None
    assert bar_store.first_ts("bitcoin", "1h") is None


def test_first_last_coins_timeframes_summary(bar_store: BarStore) -> None:
    bar_store.upsert("bitcoin", "1h", make_bars(24 * 35))
    bar_store.upsert("bitcoin", "1d", make_bars(3, step_ms=24 * HOUR_MS))
    bar_store.upsert("ethereum", "1h", make_bars(2))
    assert bar_store.first_ts("bitcoin", "1h") == JAN_2024_MS
    assert bar_store.last_ts("bitcoin", "1h") == JAN_2024_MS + (24 * 35 - 1) * HOUR_MS
    assert bar_store.coins() == ["bitcoin", "ethereum"]
    assert bar_store.timeframes("bitcoin") == ["1d", "1h"]
    summary = bar_store.summary()
    assert summary["bitcoin"]["1h"]["rows"] == 24 * 35
    assert summary["bitcoin"]["1h"]["files"] == 2
    assert summary["bitcoin"]["1h"]["oldest"] == "2024-01-01T00:00:00Z"
    assert summary["bitcoin"]["1h"]["newest"] == "2024-02-04T23:00:00Z"
    assert summary["ethereum"] == {
        "1h": {
            "rows": 2,
            "files": 1,
            "oldest": "2024-01-01T00:00:00Z",
            "newest": "2024-01-01T01:00:00Z",
            "newest_ms": JAN_2024_MS + HOUR_MS,
        }
    }


BAD_ROWS = [
    ("close", None, "price: null, NaN, infinite or <= 0"),
    ("close", float("nan"), "price: null, NaN, infinite or <= 0"),
    ("open", float("inf"), "price: null, NaN, infinite or <= 0"),
    ("low", 0.0, "price: null, NaN, infinite or <= 0"),
    ("low", -5.0, "price: null, NaN, infinite or <= 0"),
    ("high", 1.0, "high: below max(open, close)"),
    ("low", 1e9, "low: above min(open, close)"),
    ("volume", -1.0, "volume: NaN, infinite or negative"),
    ("volume", float("nan"), "volume: NaN, infinite or negative"),
    ("market_cap", -1.0, "market_cap: NaN, infinite or negative"),
    ("ts", -1, "ts: null or negative"),
]


@pytest.mark.parametrize(("column", "value", "reason"), BAD_ROWS)
def test_invalid_bars_are_never_stored_and_logged(
    bar_store: BarStore,
    caplog: pytest.LogCaptureFixture,
    column: str,
    value: object,
    reason: str,
) -> None:
    bars = make_bars(4)
    values = bars[column].to_list()
    values[1] = value
    bad = bars.with_columns(pl.Series(column, values, dtype=bars.schema[column]))
    with caplog.at_level(logging.WARNING, logger="finbot.storage"):
        result = bar_store.upsert("bitcoin", "1h", bad)
    assert result.inserted == 3 and result.rejected == 1
    assert result.reasons == {reason: 1}
    assert bar_store.read("bitcoin", "1h").height == 3
    assert "rejected 1 of 4 bars" in caplog.text and reason in caplog.text


def test_null_volume_and_market_cap_are_allowed(bar_store: BarStore) -> None:
    bars = make_bars(3).with_columns(pl.lit(None, dtype=pl.Float64).alias("volume"))
    assert bar_store.upsert("bitcoin", "1h", bars.drop("market_cap")).inserted == 3


def test_whole_invalid_batch_stores_nothing_and_does_not_raise(bar_store: BarStore) -> None:
    bars = make_bars(3).with_columns(pl.lit(-1.0).alias("close"))
    result = bar_store.upsert("bitcoin", "1h", bars)
    assert result == UpsertResult(rejected=3, reasons={"price: null, NaN, infinite or <= 0": 3})
    assert _files(bar_store) == []


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pl.DataFrame({"ts": [1], "open": [1.0]}), "missing column"),
        (
            pl.DataFrame({"ts": ["x"], "open": ["a"], "high": ["b"], "low": ["c"], "close": ["d"]}),
            "wrong type",
        ),
    ],
)
def test_malformed_batch_raises_data_error(
    bar_store: BarStore, frame: pl.DataFrame, message: str
) -> None:
    with pytest.raises(DataError, match=message):
        bar_store.upsert("bitcoin", "1h", frame)


@pytest.mark.parametrize(
    ("coin", "timeframe", "field"),
    [("../etc", "1h", "coin"), ("Bitcoin", "1h", "coin"), ("bitcoin", "2h", "timeframe")],
)
def test_bad_coin_or_timeframe_is_a_usage_error(
    bar_store: BarStore, coin: str, timeframe: str, field: str
) -> None:
    with pytest.raises(UsageError, match=field):
        bar_store.upsert(coin, timeframe, make_bars(1))
    with pytest.raises(UsageError, match=field):
        bar_store.read(coin, timeframe)


def test_last_n_must_be_positive(bar_store: BarStore) -> None:
    with pytest.raises(UsageError, match="last_n"):
        bar_store.read("bitcoin", "1h", last_n=0)


def test_default_quarantine_is_beside_the_dataset(tmp_path: Path) -> None:
    assert BarStore(tmp_path / "parquet").quarantine_dir == tmp_path / "quarantine"


def test_upsert_results_add_up() -> None:
    total = UpsertResult(1, 2, 3, 1, {"a": 1}) + UpsertResult(1, 0, 0, 2, {"a": 1, "b": 1})
    assert total == UpsertResult(2, 2, 3, 3, {"a": 2, "b": 1})


@pytest.mark.parametrize("last_n", [None, 10])
def test_a_readable_file_that_holds_no_bars_is_a_data_error(
    bar_store: BarStore, last_n: int | None
) -> None:
    """Not quarantined (it is a Parquet file), not a polars traceback: one DataError line."""
    bar_store.upsert("bitcoin", "1h", make_bars(48))
    month = _files(bar_store)[-1]
    pl.read_parquet(month).with_columns(pl.lit("n/a").alias("close")).write_parquet(month)
    with pytest.raises(DataError, match="coin=bitcoin holds no bars in the bars schema") as caught:
        bar_store.read("bitcoin", "1h", last_n=last_n)
    assert "\n" not in str(caught.value) and month.exists()
