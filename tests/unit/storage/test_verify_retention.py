"""verify(): problems, quarantine, gaps; apply_retention(): window, newest month kept."""

from __future__ import annotations

import logging
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from finbot.errors import UsageError
from finbot.schema import SCHEMA_VERSION
from finbot.storage import files, months
from finbot.storage.dataset import ParquetDataset
from finbot.storage.parquet_writer import BarStore
from tests.fixtures.storage import HOUR_MS, JAN_2024_MS, make_bars

pytestmark = pytest.mark.unit

DAY_MS = 24 * HOUR_MS


def _month_file(store: BarStore, coin: str, tf: str, year: int, month: int) -> Path:
    return months.month_dir(store.series_dir(coin, tf), year, month) / files.PART_FILE


def test_clean_store_verifies_ok(bar_store: BarStore) -> None:
    bar_store.upsert("bitcoin", "1h", make_bars(24 * 40))
    bar_store.upsert("ethereum", "1d", make_bars(10, step_ms=DAY_MS))
    report = bar_store.verify()
    assert report.ok, report.problems
    assert (report.rows, report.partitions, report.gaps) == (24 * 40 + 10, 3, [])
    assert set(report.to_dict()) >= {"ok", "rows", "partitions", "problems", "gaps"}


def test_empty_store_verifies_ok(tmp_path: Path) -> None:
    report = BarStore(tmp_path / "nothing").verify()
    assert report.ok and report.rows == 0 and report.partitions == 0


@pytest.mark.parametrize(
    ("drop", "expected"),
    [
        ([5], {"gaps": 1, "missing_bars": 1, "largest_missing_bars": 1}),
        ([5, 6, 7, 30], {"gaps": 2, "missing_bars": 4, "largest_missing_bars": 3}),
        (
            list(range(24 * 31 - 2, 24 * 31 + 3)),  # across the month boundary
            {"gaps": 1, "missing_bars": 5, "largest_missing_bars": 5},
        ),
    ],
)
def test_gaps_are_reported_as_information(
    bar_store: BarStore, drop: list[int], expected: dict[str, int]
) -> None:
    bars = make_bars(24 * 40)
    holed = bars.with_row_index().filter(~pl.col("index").is_in(drop)).drop("index")
    bar_store.upsert("bitcoin", "1h", holed)
    report = bar_store.verify()
    assert report.ok  # gaps are not failures
    [gap] = report.gaps
    assert {k: gap[k] for k in expected} == expected
    assert gap["coin"] == "bitcoin" and gap["timeframe"] == "1h"
    assert bar_store.read("bitcoin", "1h").height == holed.height  # never forward-filled


def _write_raw(path: Path, frame: pl.DataFrame, metadata: dict[str, str]) -> None:
    table = frame.to_arrow()
    pq.write_table(table.replace_schema_metadata(metadata), path)


GOOD_META = {
    "finbot.schema_version": str(SCHEMA_VERSION),
    "finbot.timeframe": "1h",
    "finbot.coin": "bitcoin",
}


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda f: f.with_columns(pl.lit(float("nan")).alias("close")), "price: null, NaN"),
        (lambda f: f.with_columns(pl.col("low") * 10), "low: above min"),
        (lambda f: pl.concat([f, f.tail(1)]), "not strictly increasing"),
        (lambda f: f.reverse(), "not strictly increasing"),
        (
            lambda f: f.with_columns(pl.col("ts") + pl.duration(days=40)),
            "outside the partition's month",
        ),
        (lambda f: f.drop("source"), "schema: expected"),
        (lambda f: f.with_columns(pl.col("volume").cast(pl.Int64)), "schema: expected"),
    ],
)
def test_damaged_content_is_a_problem(bar_store: BarStore, damage, problem: str) -> None:
    bar_store.upsert("bitcoin", "1h", make_bars(24 * 40))
    path = _month_file(bar_store, "bitcoin", "1h", 2024, 1)
    _write_raw(path, damage(pl.read_parquet(path)), GOOD_META)
    report = bar_store.verify()
    assert not report.ok
    assert [p["path"] for p in report.problems] == [str(path)]
    assert problem in report.problems[0]["problem"]


def test_wrong_metadata_is_a_problem(bar_store: BarStore) -> None:
    bar_store.upsert("bitcoin", "1h", make_bars(5))
    path = _month_file(bar_store, "bitcoin", "1h", 2024, 1)
    _write_raw(path, pl.read_parquet(path), {**GOOD_META, "finbot.schema_version": "0"})
    [problem] = bar_store.verify().problems
    assert "finbot.schema_version is '0', expected '2'" in problem["problem"]


@pytest.mark.parametrize("garbage", [b"", b"not parquet at all", b"PAR1" + b"\0" * 64])
def test_corrupt_file_is_quarantined_and_the_rest_stays_readable(
    bar_store: BarStore, home, caplog: pytest.LogCaptureFixture, garbage: bytes
) -> None:
    bar_store.upsert("bitcoin", "1h", make_bars(24 * 60))
    bar_store.upsert("ethereum", "1h", make_bars(24 * 3))
    path = _month_file(bar_store, "bitcoin", "1h", 2024, 1)
    path.write_bytes(garbage)
    report = bar_store.verify()
    quarantined = home.quarantine_dir / path.relative_to(bar_store.root)
    assert not report.ok
    assert report.quarantined == [str(quarantined)]
    assert quarantined.read_bytes() == garbage and not path.exists()
    assert "unreadable" in report.problems[0]["problem"]
    assert bar_store.read("bitcoin", "1h").height == 24 * 60 - 24 * 31
    assert bar_store.read("ethereum", "1h").height == 24 * 3
    again = bar_store.verify()
    assert any("1 file(s) held in quarantine" in note for note in again.notes)
    # the month is not lost silently: reported until the backfill refills it
    assert not again.ok and len(again.awaiting_refill) == 1
    assert "bitcoin 1h 2024-01: quarantined, not refilled yet" in again.problems[0]["problem"]
    assert bar_store.pending_refills("bitcoin", "1h") == [(1704067200000, 1706745600000)]
    assert bar_store.refilled("bitcoin", "1h", 1704067200000, 1706745600000) == 1
    assert bar_store.verify().ok


def test_read_quarantines_a_corrupt_file_and_logs_it(
    bar_store: BarStore, home, caplog: pytest.LogCaptureFixture
) -> None:
    bar_store.upsert("bitcoin", "1h", make_bars(24 * 60))
    path = _month_file(bar_store, "bitcoin", "1h", 2024, 2)
    path.write_bytes(b"garbage")
    with caplog.at_level(logging.ERROR, logger="finbot.storage"):
        out = bar_store.read("bitcoin", "1h")
    assert out.height == 24 * 31
    assert "quarantined" in caplog.text and str(path) in caplog.text
    assert (home.quarantine_dir / path.relative_to(bar_store.root)).exists()


def test_upsert_over_a_corrupt_file_quarantines_it_first(bar_store: BarStore, home) -> None:
    bar_store.upsert("bitcoin", "1h", make_bars(5))
    path = _month_file(bar_store, "bitcoin", "1h", 2024, 1)
    path.write_bytes(b"garbage")
    assert bar_store.upsert("bitcoin", "1h", make_bars(2)).inserted == 2
    assert (home.quarantine_dir / path.relative_to(bar_store.root)).read_bytes() == b"garbage"


def test_stale_temp_file_is_noted_and_removed_by_the_next_write(bar_store: BarStore) -> None:
    bar_store.upsert("bitcoin", "1h", make_bars(5))
    stale = _month_file(bar_store, "bitcoin", "1h", 2024, 1).parent / ".part.parquet.1.ab.tmp"
    stale.write_bytes(b"half")
    report = bar_store.verify()
    assert report.ok and any("interrupted write" in n for n in report.notes)
    bar_store.upsert("bitcoin", "1h", make_bars(6))
    assert not stale.exists()


def test_datasets_are_verified_for_readability_and_unique_keys(bar_store: BarStore) -> None:
    prices = ParquetDataset(
        bar_store.root, "prices", ["ts"], quarantine_dir=bar_store.quarantine_dir
    )
    snapshot = pl.DataFrame({"ts": [JAN_2024_MS, JAN_2024_MS + 1], "usd": [1.0, 2.0]})
    prices.upsert(snapshot, "bitcoin")
    assert bar_store.verify().ok
    path = next((bar_store.root / "prices").rglob("part.parquet"))
    table = pq.read_table(path)
    pq.write_table(
        pa.concat_tables([table, table]).replace_schema_metadata(table.schema.metadata), path
    )
    [problem] = bar_store.verify().problems
    assert "2 duplicate keys (ts)" in problem["problem"]
    path.write_bytes(b"broken")
    report = bar_store.verify()
    assert report.quarantined and "unreadable" in report.problems[0]["problem"]


# ---------------------------------------------------------------- retention
NOW_MS = JAN_2024_MS + 90 * DAY_MS  # 2024-03-31
MAR_2024_MS = JAN_2024_MS + 60 * DAY_MS


@pytest.mark.parametrize(
    ("keep_days", "expected_first"),
    [
        (None, JAN_2024_MS),
        (1000, JAN_2024_MS),
        (60, NOW_MS - 60 * DAY_MS),
        (40, NOW_MS - 40 * DAY_MS),
        (20, MAR_2024_MS),  # the window ends inside the newest month, which is kept whole
    ],
)
def test_retention_drops_rows_older_than_the_window(
    bar_store: BarStore, keep_days: int | None, expected_first: int
) -> None:
    bars = make_bars(24 * 90)  # Jan 1 → Mar 30
    bar_store.upsert("bitcoin", "1h", bars)
    bar_store.upsert("ethereum", "1h", bars)
    expected_removed = 2 * bars.filter(pl.col("ts") < expected_first).height
    assert bar_store.apply_retention("1h", keep_days, NOW_MS, dry_run=True) == expected_removed
    assert bar_store.read("bitcoin", "1h").height == bars.height  # dry run changed nothing
    assert bar_store.apply_retention("1h", keep_days, NOW_MS) == expected_removed
    for coin in ("bitcoin", "ethereum"):
        assert bar_store.first_ts(coin, "1h") == expected_first
        assert bar_store.last_ts(coin, "1h") == bars["ts"][-1]
    assert bar_store.verify().ok
    assert bar_store.apply_retention("1h", keep_days, NOW_MS) == 0  # idempotent


def test_retention_never_removes_the_newest_month(bar_store: BarStore) -> None:
    bars = make_bars(24 * 45)  # Jan 1 → Feb 14, then collection stopped
    bar_store.upsert("bitcoin", "1h", bars)
    far_future = JAN_2024_MS + 3650 * DAY_MS
    removed = bar_store.apply_retention("1h", 7, far_future)
    assert removed == 24 * 31
    out = bar_store.read("bitcoin", "1h")
    assert out.height == 24 * 14 and out["ts"][-1] == bars["ts"][-1]


def test_retention_of_other_timeframes_leaves_them_alone(bar_store: BarStore) -> None:
    bar_store.upsert("bitcoin", "1d", make_bars(90, step_ms=DAY_MS))
    assert bar_store.apply_retention("1h", 1, NOW_MS) == 0
    assert bar_store.read("bitcoin", "1d").height == 90


def test_retention_days_must_be_positive(bar_store: BarStore) -> None:
    with pytest.raises(UsageError, match="retention_days.1h"):
        bar_store.apply_retention("1h", 0, NOW_MS)


def test_flipped_bytes_inside_a_data_page_are_found_by_their_checksum(
    bar_store: BarStore,
) -> None:
    bar_store.upsert("bitcoin", "1h", make_bars(200))
    [path] = list(bar_store.root.rglob("part.parquet"))
    column = pq.ParquetFile(path).metadata.row_group(0).column(1)  # "open"
    raw = bytearray(path.read_bytes())
    raw[column.data_page_offset + column.total_compressed_size // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    assert pl.read_parquet(path).height == 200  # a plain read sees changed prices, no error
    [problem] = bar_store.verify().problems
    assert "damaged page (checksum)" in problem["problem"]
    assert not path.exists()
    [waiting] = bar_store.verify().problems  # until the backfill refills the month
    assert "quarantined, not refilled yet" in waiting["problem"]
