"""Crash and full-disk safety of writes, and writers serialised by the partition lock."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from finbot.storage import files
from finbot.storage.files import StorageWriteError
from finbot.storage.parquet_writer import BarStore
from tests.fixtures.storage import HOUR_MS, make_bars

pytestmark = pytest.mark.unit


class Boom(Exception):
    """Stands for the process dying at that point."""


def _fail_replace(*_args: object, **_kwargs: object) -> None:
    raise Boom("killed between write and rename")


def _fail_enospc(*_args: object, **_kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def _fail_fsync(_fd: int) -> None:
    raise OSError(errno.EIO, "Input/output error")


@pytest.mark.parametrize(
    ("target", "replacement", "error"),
    [
        ("os.replace", _fail_replace, Boom),
        ("os.replace", _fail_enospc, StorageWriteError),
        ("pyarrow.parquet.write_table", _fail_enospc, StorageWriteError),
        ("os.fsync", _fail_fsync, StorageWriteError),
    ],
)
def test_failed_write_leaves_the_old_file_whole(
    bar_store: BarStore,
    monkeypatch: pytest.MonkeyPatch,
    target: str,
    replacement: object,
    error: type[Exception],
) -> None:
    old = make_bars(24)
    bar_store.upsert("bitcoin", "1h", old)
    [path] = list(bar_store.root.rglob("part.parquet"))
    before = path.read_bytes()
    monkeypatch.setattr(target, replacement)
    with pytest.raises(error):
        bar_store.upsert("bitcoin", "1h", make_bars(48, seed=1))
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert bar_store.read("bitcoin", "1h").equals(old)
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []
    assert bar_store.verify().ok


def test_disk_full_error_is_one_clear_line(
    bar_store: BarStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pyarrow.parquet.write_table", _fail_enospc)
    with pytest.raises(StorageWriteError) as caught:
        bar_store.upsert("bitcoin", "1h", make_bars(2))
    message = str(caught.value)
    assert "No space left on device" in message and "previous file is unchanged" in message
    assert "\n" not in message


def test_partial_temp_file_is_never_read(bar_store: BarStore) -> None:
    bars = make_bars(10)
    bar_store.upsert("bitcoin", "1h", bars)
    [path] = list(bar_store.root.rglob("part.parquet"))
    (path.parent / ".part.parquet.999.dead.tmp").write_bytes(path.read_bytes()[:50])
    assert bar_store.read("bitcoin", "1h").equals(bars)


def test_written_file_is_fsynced_before_rename(
    bar_store: BarStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    order: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr("os.fsync", lambda fd: (order.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr("os.replace", lambda a, b: (order.append("replace"), real_replace(a, b))[1])
    bar_store.upsert("bitcoin", "1h", make_bars(3))
    assert order[:2] == ["fsync", "replace"]


@pytest.mark.parametrize("writers", [2, 4])
def test_concurrent_thread_writers_end_with_the_union(bar_store: BarStore, writers: int) -> None:
    """Each writer upserts its own bars of the same month, one bar at a time."""
    per_writer = 15
    batches = [
        make_bars(per_writer, start_ms=1_704_067_200_000 + w * per_writer * HOUR_MS, seed=w)
        for w in range(writers)
    ]
    errors: list[BaseException] = []

    def write(batch: pl.DataFrame) -> None:
        try:
            for i in range(batch.height):
                bar_store.upsert("bitcoin", "1h", batch.slice(i, 1))
        except BaseException as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(b,)) for b in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    out = bar_store.read("bitcoin", "1h")
    assert out.equals(pl.concat(batches).sort("ts"))
    assert bar_store.verify().ok


def test_reader_during_writes_always_sees_a_whole_file(bar_store: BarStore) -> None:
    bar_store.upsert("bitcoin", "1h", make_bars(1))
    stop = threading.Event()
    seen: list[int] = []

    def read_loop() -> None:
        while not stop.is_set():
            seen.append(bar_store.read("bitcoin", "1h").height)

    reader = threading.Thread(target=read_loop)
    reader.start()
    try:
        for n in range(2, 40):
            bar_store.upsert("bitcoin", "1h", make_bars(n).tail(1))
    finally:
        stop.set()
        reader.join()
    assert seen and seen == sorted(seen) and set(seen) <= set(range(1, 40))
    assert not list(bar_store.quarantine_dir.rglob("*"))


def test_lock_file_is_hidden_beside_the_partition(tmp_path: Path) -> None:
    lock = files.partition_lock(tmp_path / "a" / "part.parquet", timeout=1)
    assert Path(lock.lock_file) == tmp_path / "a" / ".part.parquet.lock"


def test_parquet_written_is_readable_by_pyarrow_dataset(bar_store: BarStore) -> None:
    import pyarrow.dataset as ds

    bar_store.upsert("bitcoin", "1h", make_bars(30))
    (next(bar_store.root.rglob("month=01")) / ".part.parquet.1.x.tmp").write_bytes(b"half")
    table = ds.dataset(bar_store.root, format="parquet", partitioning="hive").to_table()
    assert table.num_rows == 30
    assert pq.read_table(next(bar_store.root.rglob("part.parquet"))).num_rows == 30
