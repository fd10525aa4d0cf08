"""Crash-safe Parquet files: atomic writes, per-partition locks, month partitions, quarantine.

Every dataset file is replaced whole: the new content goes to a temporary file in the same
folder, is flushed and fsynced, then ``os.replace``-d over the old one. A crash or a full disk
at any moment leaves either the old file or the new one, never a partial file. Writers of the
same partition (the scheduler and a CLI command) serialise on a lock file next to it; readers
need no lock because a rename is atomic.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import filelock
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from finbot.errors import DataError
from finbot.i18n import N_, Message, error_message
from finbot.storage.months import MONTH_DIR, YEAR_DIR, month_end_ms, month_start_ms
from finbot.storage.refill import record as record_refill

log = logging.getLogger(__name__)

PART_FILE = "part.parquet"
MONTH_WORKERS = 4
T = TypeVar("T")
R = TypeVar("R")
LOCK_TIMEOUT_S = 120.0


class StorageWriteError(DataError):
    """A file could not be written (disk full, permissions); the previous file is unchanged."""


# ---------------------------------------------------------------- month partitions
def month_files(base: Path) -> list[tuple[int, int, Path]]:
    """Every ``year=/month=/part.parquet`` under ``base``, oldest first."""
    found: list[tuple[int, int, Path]] = []
    if not base.is_dir():
        return found
    for year_dir in base.iterdir():
        year_match = YEAR_DIR.match(year_dir.name)
        if not year_match or not year_dir.is_dir():
            continue
        for mdir in year_dir.iterdir():
            month_match = MONTH_DIR.match(mdir.name)
            if month_match and (mdir / PART_FILE).is_file():
                year, month = int(year_match.group(1)), int(month_match.group(1))
                found.append((year, month, mdir / PART_FILE))
    return sorted(found)


def files_in_range(
    base: Path, start_ms: int | None, end_ms: int | None
) -> list[tuple[int, int, Path]]:
    """The month files of ``base`` that may hold rows with ``start_ms <= ts <= end_ms``."""
    chosen = []
    for year, month, path in month_files(base):
        if start_ms is not None and month_end_ms(year, month) <= start_ms:
            continue
        if end_ms is not None and month_start_ms(year, month) > end_ms:
            continue
        chosen.append((year, month, path))
    return chosen


def split_by_month(
    frame: pl.DataFrame, ts_column: str = "ts"
) -> Iterator[tuple[int, int, pl.DataFrame]]:
    """Split rows by the UTC month of ``ts_column`` (epoch ms)."""
    keyed = frame.with_columns(
        pl.from_epoch(pl.col(ts_column), time_unit="ms").dt.year().alias("__year"),
        pl.from_epoch(pl.col(ts_column), time_unit="ms").dt.month().alias("__month"),
    )
    for (year, month), part in keyed.group_by(["__year", "__month"], maintain_order=True):
        yield int(str(year)), int(str(month)), part.drop("__year", "__month")


def run_months(work: Callable[[T], R], jobs: list[T], workers: int = MONTH_WORKERS) -> list[R]:
    """``work`` over month partitions; a few in parallel for a multi-month batch (each month
    has its own lock and file, and the time goes to compression and fsync, which release the
    GIL). The first failure is raised after the others finished."""
    if len(jobs) <= 1:
        return [work(job) for job in jobs]
    with ThreadPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        return list(pool.map(work, jobs))


# ---------------------------------------------------------------- locking
def partition_lock(path: Path, timeout: float = LOCK_TIMEOUT_S) -> filelock.FileLock:
    """The lock serialising writers of ``path`` (a hidden file beside it, across processes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return filelock.FileLock(str(path.parent / f".{path.name}.lock"), timeout=timeout)


def remove_stale_temps(folder: Path) -> None:
    """Temporary files left by a writer that crashed (call with the partition lock held)."""
    for stale in folder.glob(f".{PART_FILE}.*.tmp"):
        log.warning(
            "%s",
            Message(
                N_("removing temporary file left by an interrupted write: {path}"), path=str(stale)
            ),
        )
        stale.unlink(missing_ok=True)


# ---------------------------------------------------------------- atomic write / read
def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles (Windows)
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on directories
        pass
    finally:
        os.close(fd)


def _to_arrow(frame: pl.DataFrame, metadata: Mapping[str, str]) -> pa.Table:
    table = frame.to_arrow()
    return table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})


def _write_options(table: pa.Table) -> dict[str, object]:
    """zstd; floats byte-stream-split and integers (timestamps) delta-encoded, which makes
    price series about 15 % smaller than plain encoding; dictionaries for the rest."""
    encodings: dict[str, str] = {}
    for column in table.schema:
        if pa.types.is_floating(column.type):
            encodings[column.name] = "BYTE_STREAM_SPLIT"
        elif (
            pa.types.is_int64(column.type)
            or pa.types.is_int32(column.type)
            or pa.types.is_timestamp(column.type)
        ):
            encodings[column.name] = "DELTA_BINARY_PACKED"
    others = [c.name for c in table.schema if c.name not in encodings]
    return {
        "compression": "zstd",
        "use_dictionary": others,
        "column_encoding": encodings,
        "write_page_checksum": True,  # CRC32 per page: verify() finds flipped bytes
    }


def atomic_write(path: Path, frame: pl.DataFrame, metadata: Mapping[str, str]) -> None:
    """Write ``frame`` (zstd, key-value ``metadata``) to ``path`` through temp + fsync + rename.

    On any failure the temporary file is removed and the old ``path`` is left untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.parent / f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        with open(temp, "wb") as handle:
            table = _to_arrow(frame, metadata)
            pq.write_table(table, handle, **_write_options(table))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise StorageWriteError(
            N_("storage: could not write {path} ({error}); the previous file is unchanged"),
            path=str(path),
            error=str(exc.strerror or exc),
        ) from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def read_file(path: Path) -> pl.DataFrame:
    """One Parquet file as a frame; DataError when it is unreadable (corrupt or truncated)."""
    try:
        return pl.read_parquet(path, hive_partitioning=False)
    except FileNotFoundError:
        raise
    except Exception as exc:  # polars/arrow raise many kinds for a damaged file
        raise DataError(UNREADABLE, path=str(path), error=str(exc)) from exc


def check_pages(path: Path) -> None:
    """Read every page with its CRC checked; DataError naming the file when one is damaged.

    Files written before checksums existed have none to check and pass (a page without a CRC
    cannot be verified, only decoded)."""
    try:
        pq.read_table(path, page_checksum_verification=True)
    except FileNotFoundError:
        raise
    except Exception as exc:  # arrow raises OSError or ArrowException kinds for bad pages
        raise DataError(
            N_("storage: {path} has a damaged page ({error})"), path=str(path), error=str(exc)
        ) from exc


def read_metadata(path: Path) -> dict[str, str]:
    """The file's key-value metadata (decoded), DataError when unreadable."""
    try:
        raw = pq.read_schema(path).metadata or {}
    except (pa.ArrowException, OSError) as exc:  # damaged, truncated or not Parquet at all
        raise DataError(UNREADABLE, path=str(path), error=str(exc)) from exc
    return {k.decode(): v.decode() for k, v in raw.items() if not k.startswith(b"ARROW:")}


UNREADABLE = N_("storage: {path} is not a readable Parquet file ({error})")


def quarantine(path: Path, root: Path, quarantine_dir: Path, reason: str) -> Path:
    """Move a damaged file out of the dataset, keeping its path relative to ``root``."""
    try:
        relative = path.relative_to(root)
    except ValueError:
        relative = Path(path.name)
    target = quarantine_dir / relative
    if target.exists():
        target = target.with_name(f"{target.name}.{uuid.uuid4().hex[:8]}")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(path), str(target))
    log.error(
        "%s",
        Message(
            N_("storage: quarantined {path} → {target} ({reason})"),
            path=str(path),
            target=str(target),
            reason=reason,
        ),
    )
    record_refill(quarantine_dir, relative, target)  # a bar month: a gap the backfill refills
    return target


@dataclass(frozen=True)
class FileSet:
    """The month files of one dataset root: locked writes, reads that quarantine damage."""

    root: Path
    quarantine_dir: Path
    lock_timeout: float = LOCK_TIMEOUT_S

    def lock(self, path: Path) -> filelock.FileLock:
        return partition_lock(path, self.lock_timeout)

    def read_one(self, path: Path, *, locked: bool = False) -> pl.DataFrame | None:
        """One file, or None when it is absent or damaged (then quarantined, logged)."""
        try:
            return read_file(path)
        except FileNotFoundError:
            return None
        except DataError as exc:
            if locked:
                if path.exists():
                    quarantine(path, self.root, self.quarantine_dir, error_message(exc))
                return None
            with self.lock(path):  # a writer may have replaced it meanwhile: look again
                return self.read_one(path, locked=True)

    def read_many(self, paths: list[Path]) -> list[pl.DataFrame]:
        """Several files in one parallel read; one by one when that fails (damage, schemas)."""
        if not paths:
            return []
        try:
            return [pl.read_parquet(paths, hive_partitioning=False)]
        except Exception:  # find the damaged file, or read differing schemas separately
            frames = (self.read_one(path) for path in paths)
            return [frame for frame in frames if frame is not None]
