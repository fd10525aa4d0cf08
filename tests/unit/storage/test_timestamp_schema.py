"""Parquet ``ts`` as TIMESTAMP(ms, UTC) (issue 12, item 8): other tools read times as times;
schema version 2, and version 1 files (``ts`` as a BIGINT) migrated atomically, nothing lost."""

from __future__ import annotations

import importlib.util

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from finbot.paths import Paths
from finbot.schema import SCHEMA_VERSION
from finbot.storage.parquet_writer import BarStore
from tests.fixtures.storage import make_bars

pytestmark = pytest.mark.unit


def _files(store: BarStore) -> list:  # type: ignore[type-arg]
    return sorted(store.root.rglob("part.parquet"))


def test_a_bar_file_stores_ts_as_a_utc_timestamp(home: Paths) -> None:
    store = BarStore(home.parquet_dir)
    bars = make_bars(24 * 40)
    store.upsert("bitcoin", "1h", bars)
    for path in _files(store):
        field = pq.read_schema(path).field("ts")
        assert field.type == pa.timestamp("ms", tz="UTC")  # not int64
        logical = pq.ParquetFile(path).schema.column(0).logical_type
        assert logical.type == "TIMESTAMP"
        assert '"isAdjustedToUTC":true,"timeUnit":"milliseconds"' in logical.to_json()
        assert pq.read_metadata(path).metadata[b"finbot.schema_version"] == b"2"
    assert store.read("bitcoin", "1h").equals(bars)  # in memory: epoch milliseconds still


def test_version_1_files_are_migrated_without_losing_a_row(home: Paths) -> None:
    store = BarStore(home.parquet_dir)
    bars = make_bars(24 * 50)  # two months
    store.upsert("bitcoin", "1h", bars)
    for path in _files(store):  # back to version 1: ts as int64, as older finbot wrote it
        table = pq.read_table(path)
        meta = {**table.schema.metadata, b"finbot.schema_version": b"1"}
        ts = table.column("ts").cast(pa.int64())
        old = table.set_column(0, pa.field("ts", pa.int64()), ts).replace_schema_metadata(meta)
        pq.write_table(old, path)
    (store.root / "_schema_version").unlink()
    assert pq.read_schema(_files(store)[0]).field("ts").type == pa.int64()
    fresh = BarStore(home.parquet_dir)
    assert fresh.read("bitcoin", "1h").equals(bars)  # version 1 still reads
    assert fresh.migrate() == 2
    for path in _files(fresh):
        assert pq.read_schema(path).field("ts").type == pa.timestamp("ms", tz="UTC")
    assert fresh.read("bitcoin", "1h").equals(bars)
    assert fresh.verify().ok
    assert (fresh.root / "_schema_version").read_text().strip() == str(SCHEMA_VERSION)
    assert BarStore(home.parquet_dir).migrate() == 0  # once


@pytest.mark.skipif(importlib.util.find_spec("duckdb") is None, reason="DuckDB not installed")
def test_duckdb_reads_a_time(home: Paths) -> None:  # pragma: no cover - optional tool
    import duckdb

    store = BarStore(home.parquet_dir)
    store.upsert("bitcoin", "1h", make_bars(3))
    kind = duckdb.sql(f"DESCRIBE SELECT ts FROM '{_files(store)[0]}'").fetchall()[0][1]
    assert kind.startswith("TIMESTAMP")
