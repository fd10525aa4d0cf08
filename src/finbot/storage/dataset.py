"""A generic partitioned Parquet dataset for records that are not bars (price snapshots,
markets, tickers, FX rates), with the same crash-safe upsert as the bar store.

Layout: ``root/<name>/<partition_key>=<partition>/year=YYYY/month=MM/part.parquet``; the
partition is a coin id or a fixed word (``"all"``, ``"usd"``). Rows are keyed by
``key_columns`` (which include the epoch-ms time column used to pick the month); a re-sent
record replaces the stored one. Rows with a null key, or a non-finite or non-positive value in
one of ``positive_columns``, are dropped with a warning and counted, never stored.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from finbot.errors import DataError, UsageError
from finbot.i18n import N_, Message
from finbot.storage import files, months
from finbot.storage.parquet_writer import UpsertResult, merge_on_key

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
META_DATASET = "finbot.dataset"
META_KEYS = "finbot.key_columns"


def _check_name(value: str, field: str) -> str:
    if not _NAME.match(value) or value.startswith("timeframe"):
        raise UsageError(
            N_("{field}: expected lower-case letters, digits, - or _, got {value!r}"),
            field=field,
            value=value,
        )
    return value


class ParquetDataset:
    """Upsert/read records of one kind; see the module docstring for layout and rules."""

    def __init__(
        self,
        root: Path,
        name: str,
        key_columns: Sequence[str],
        *,
        partition_key: str = "coin",
        time_column: str = "ts",
        positive_columns: Sequence[str] = (),
        quarantine_dir: Path | None = None,
        lock_timeout: float = files.LOCK_TIMEOUT_S,
    ):
        if time_column not in key_columns:
            raise UsageError(
                N_("key_columns: expected to include the time column {column!r}"),
                column=time_column,
            )
        self.root = Path(root)
        self.name = _check_name(name, "dataset name")
        self.key_columns = list(key_columns)
        self.partition_key = _check_name(partition_key, "partition_key")
        self.time_column = time_column
        self.positive_columns = list(positive_columns)
        self.quarantine_dir = (
            Path(quarantine_dir) if quarantine_dir else self.root.parent / "quarantine"
        )
        self.files = files.FileSet(self.root, self.quarantine_dir, lock_timeout)

    @property
    def base(self) -> Path:
        return self.root / self.name

    def partition_dir(self, partition: str) -> Path:
        return self.base / f"{self.partition_key}={_check_name(partition, 'partition')}"

    def partitions(self) -> list[str]:
        """Partitions holding at least one file."""
        found = []
        for folder in sorted(self.base.glob(f"{self.partition_key}=*")):
            if files.month_files(folder):
                found.append(folder.name.split("=", 1)[1])
        return found

    # ------------------------------------------------------------ writing
    def upsert(self, frame: pl.DataFrame, partition: str = "all") -> UpsertResult:
        """Insert or replace ``frame``'s records (keyed by ``key_columns``) in ``partition``."""
        base = self.partition_dir(partition)
        good, reasons = self._validate(frame)
        if reasons:
            line = Message(
                N_("storage: {name}/{partition}: rejected {n} of {total} records ({reasons})"),
                name=self.name,
                partition=partition,
                n=sum(reasons.values()),
                total=frame.height,
                reasons="; ".join(f"{n} {reason}" for reason, n in reasons.items()),
            )
            log.warning("%s", line)
        result = UpsertResult(rejected=sum(reasons.values()), reasons=reasons)
        metadata = {META_DATASET: self.name, META_KEYS: json.dumps(self.key_columns)}
        jobs = [
            (months.month_dir(base, year, month) / files.PART_FILE, part)
            for year, month, part in files.split_by_month(good, self.time_column)
        ]
        for done in files.run_months(lambda job: self._upsert_month(*job, metadata), jobs):
            result = result + done
        return result

    def _validate(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, int]]:
        missing = [c for c in (*self.key_columns, *self.positive_columns) if c not in frame.columns]
        if missing:
            raise DataError(
                N_("{dataset}: missing column(s) {columns}"),
                dataset=self.name,
                columns=", ".join(missing),
            )
        if frame.schema[self.time_column] not in (pl.Int64, pl.Int32, pl.UInt64, pl.UInt32):
            raise DataError(
                N_("{dataset}: {column}: expected epoch milliseconds (integers), got {dtype}"),
                dataset=self.name,
                column=self.time_column,
                dtype=str(frame.schema[self.time_column]),
            )
        reasons: dict[str, int] = {}
        for reason, bad in self._rules():
            flagged = frame.select(bad.fill_null(False).sum()).item()
            if flagged:
                reasons[reason] = int(flagged)
                frame = frame.filter(~bad.fill_null(False))
        return frame.with_columns(pl.col(self.time_column).cast(pl.Int64)), reasons

    def _rules(self) -> list[tuple[str, pl.Expr]]:
        rules = [(f"{key}: null", pl.col(key).is_null()) for key in self.key_columns]
        for column in self.positive_columns:
            value = pl.col(column).cast(pl.Float64, strict=False)
            rules.append(
                (
                    f"{column}: NaN, infinite or <= 0",
                    value.is_not_null() & (~value.is_finite() | (value <= 0)),
                )
            )
        return rules

    def _upsert_month(
        self, path: Path, part: pl.DataFrame, metadata: dict[str, str]
    ) -> UpsertResult:
        with self.files.lock(path):
            files.remove_stale_temps(path.parent)
            existing = self.files.read_one(path, locked=True)
            if existing is None:
                existing = part.clear()
            merged, inserted, updated, unchanged = merge_on_key(existing, part, self.key_columns)
            if inserted or updated:
                files.atomic_write(path, merged, metadata)
        return UpsertResult(inserted, updated, unchanged)

    # ------------------------------------------------------------ reading
    def read(
        self,
        partition: str | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
    ) -> pl.DataFrame:
        """Records with ``start_ms <= time <= end_ms`` sorted by key; every partition (with a
        ``partition_key`` column added when absent) when ``partition`` is None."""
        if partition is not None:
            return self._read_partition(partition, start_ms, end_ms)
        frames = []
        for name in self.partitions():
            frame = self._read_partition(name, start_ms, end_ms)
            if self.partition_key not in frame.columns:
                frame = frame.with_columns(pl.lit(name).alias(self.partition_key))
            frames.append(frame)
        return pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()

    def _read_partition(
        self, partition: str, start_ms: int | None, end_ms: int | None
    ) -> pl.DataFrame:
        months = files.files_in_range(self.partition_dir(partition), start_ms, end_ms)
        frames = self.files.read_many([path for _, _, path in months])
        if not frames:
            return pl.DataFrame()
        out = pl.concat(frames, how="diagonal_relaxed")
        if start_ms is not None:
            out = out.filter(pl.col(self.time_column) >= start_ms)
        if end_ms is not None:
            out = out.filter(pl.col(self.time_column) <= end_ms)
        return out.sort(self.key_columns)

    def last_ts(self, partition: str) -> int | None:
        """The newest time stored in ``partition``, None when empty."""
        months = files.month_files(self.partition_dir(partition))
        for _, _, path in reversed(months):
            frame = self.files.read_one(path)
            if frame is not None and frame.height:
                return int(frame[self.time_column].max())  # type: ignore[arg-type]
        return None
