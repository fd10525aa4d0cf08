"""Integrity check of a store: every file readable, in the schema, with unique increasing
timestamps inside its month, finite positive consistent prices, and its metadata right.

A damaged (unreadable) file is moved to the quarantine folder and reported; the rest of the
dataset stays readable. Gaps (missing bars for the timeframe) are reported as information,
never as failures and never filled. Non-bar datasets (``ParquetDataset``) are checked for
readability and unique keys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypedDict

import polars as pl

from finbot.clock import iso_utc
from finbot.errors import DataError
from finbot.i18n import N_, Message, error_message
from finbot.schema import BARS_FILE_SCHEMA, SCHEMA_VERSION, conform
from finbot.storage import files, months, refill
from finbot.storage.validation import validate_bars
from finbot.timeframes import TIMEFRAMES, duration_ms


class VerifiableStore(Protocol):
    """What verification needs of a bar store (``BarStore`` is one)."""

    root: Path
    quarantine_dir: Path
    files: files.FileSet


class Gap(TypedDict):
    """Missing bars of one series (information, not a failure)."""

    coin: str
    timeframe: str
    gaps: int
    missing_bars: int
    largest_missing_bars: int
    largest_after: str


@dataclass
class VerifyReport:
    """``ok`` is False when any problem was found; gaps and notes are information only."""

    rows: int = 0
    partitions: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    awaiting_refill: list[refill.Refill] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, path: Path, text: str) -> None:
        self.problems.append({"path": str(path), "problem": text})

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "partitions": self.partitions,
            "problems": self.problems,
            "gaps": self.gaps,
            "quarantined": self.quarantined,
            "awaiting_refill": self.awaiting_refill,
            "notes": self.notes,
        }


def verify_store(store: VerifiableStore) -> VerifyReport:
    """Check every bar series, then every other dataset under the store's root."""
    report = VerifyReport()
    for tf_dir in sorted(store.root.glob("timeframe=*")):
        timeframe = tf_dir.name.split("=", 1)[1]
        for coin_dir in sorted(tf_dir.glob("coin=*")):
            _verify_series(store, report, coin_dir, timeframe, coin_dir.name.split("=", 1)[1])
    if store.root.is_dir():
        for folder in sorted(p for p in store.root.iterdir() if p.is_dir()):
            if not folder.name.startswith(("timeframe=", ".", "_")):
                _verify_dataset(store.files, report, folder)
    _note_quarantine(store.quarantine_dir, report)
    _awaiting_refill(store.quarantine_dir, report)
    return report


def _awaiting_refill(quarantine_dir: Path, report: VerifyReport) -> None:
    """Every quarantined bar month not refilled yet: a problem until the backfill stores it."""
    for entry in refill.pending(quarantine_dir):
        report.awaiting_refill.append(entry)
        if entry["quarantined"] in report.quarantined:
            continue  # moved by this very run: reported once, as the damage found
        month = iso_utc(entry["start_ms"])[:7]
        report.problems.append(
            {
                "path": entry["quarantined"],
                "problem": Message(
                    N_(
                        "{coin} {timeframe} {month}: quarantined, not refilled yet; run "
                        "'finbot collect-historical --coins {coin}'"
                    ),
                    coin=entry["coin"],
                    timeframe=entry["timeframe"],
                    month=month,
                ),
            }
        )


def _read_or_quarantine(
    fileset: files.FileSet, report: VerifyReport, path: Path
) -> tuple[pl.DataFrame, dict[str, str]] | None:
    """The file and its metadata, or None after quarantining it (reported)."""
    with fileset.lock(path):
        try:
            frame, metadata = files.read_file(path), files.read_metadata(path)
            files.check_pages(path)
            return frame, metadata
        except DataError as exc:
            reason = error_message(exc)
            target = files.quarantine(path, fileset.root, fileset.quarantine_dir, reason)
            damaged = "damaged page" in str(exc)
            text = (
                N_("damaged page (checksum) Parquet file, moved to {target}")
                if damaged
                else N_("unreadable Parquet file, moved to {target}")
            )
            report.problem(path, Message(text, target=str(target)))
            report.quarantined.append(str(target))
            return None


def _verify_series(
    store: VerifiableStore, report: VerifyReport, base: Path, timeframe: str, coin: str
) -> None:
    stamps: list[pl.Series] = []
    for year, month, path in files.month_files(base):
        _note_stale_temps(report, path.parent)
        loaded = _read_or_quarantine(store.files, report, path)
        if loaded is None:
            continue
        frame, metadata = loaded
        report.partitions += 1
        report.rows += frame.height
        for text in _bar_file_problems(frame, metadata, year, month, timeframe, coin):
            report.problem(path, text)
        if "ts" in frame.columns:  # a file's TIMESTAMP as epoch milliseconds, as conform reads it
            ts = frame["ts"]
            stamps.append(ts.dt.epoch("ms") if ts.dtype.is_temporal() else ts)
    if timeframe in TIMEFRAMES and stamps:
        gap = _gaps(pl.concat(stamps).unique().sort(), duration_ms(timeframe), coin, timeframe)
        if gap:
            report.gaps.append(gap)


def _bar_file_problems(
    frame: pl.DataFrame,
    metadata: dict[str, str],
    year: int,
    month: int,
    timeframe: str,
    coin: str,
) -> list[str]:
    schema = dict(frame.schema)
    if schema != BARS_FILE_SCHEMA:
        expected = _schema_text(BARS_FILE_SCHEMA)
        got = _schema_text(schema)
        return [Message(N_("schema: expected {expected}, got {got}"), expected=expected, got=got)]
    problems = _metadata_problems(metadata, timeframe, coin)
    frame = conform(frame)  # ts as epoch milliseconds for the checks below
    ts = frame["ts"]
    if ts.null_count():
        problems.append(Message(N_("ts: {n} null timestamps"), n=ts.null_count()))
    elif frame.height > 1 and ts.diff().drop_nulls().min() <= 0:  # type: ignore[operator]
        problems.append(
            Message(N_("ts: not strictly increasing (duplicate or unsorted timestamps)"))
        )
    outside = frame.filter(
        (ts < months.month_start_ms(year, month)) | (ts >= months.month_end_ms(year, month))
    ).height
    if outside:
        problems.append(
            Message(
                N_("ts: {n} rows outside the partition's month {month}"),
                n=outside,
                month=f"{year}-{month:02d}",
            )
        )
    for reason, count in validate_bars(frame).rejected.items():
        problems.append(Message(N_("{n} rows with {reason}"), n=count, reason=Message(reason)))
    return problems


def _metadata_problems(metadata: dict[str, str], timeframe: str, coin: str) -> list[str]:
    expected = {
        "finbot.schema_version": str(SCHEMA_VERSION),
        "finbot.timeframe": timeframe,
        "finbot.coin": coin,
    }
    return [
        Message(
            N_("metadata: {key} is {got}, expected {expected}"),
            key=key,
            got=repr(metadata.get(key)),
            expected=repr(value),
        )
        for key, value in expected.items()
        if metadata.get(key) != value
    ]


def _schema_text(schema: Mapping[str, object]) -> str:
    return ", ".join(f"{name}:{dtype}" for name, dtype in schema.items())


def _gaps(ts: pl.Series, step_ms: int, coin: str, timeframe: str) -> Gap | None:
    """Missing bars between the first and last stored ones (information, not a failure)."""
    diffs = ts.diff().drop_nulls()
    holes = diffs.filter(diffs > step_ms)
    if holes.len() == 0:
        return None
    missing = ((holes + step_ms - 1) // step_ms - 1).cast(pl.Int64)
    largest_at = int(ts.diff().arg_max() or 0)
    return Gap(
        coin=coin,
        timeframe=timeframe,
        gaps=holes.len(),
        missing_bars=int(missing.sum()),
        largest_missing_bars=int(missing.max()),  # type: ignore[arg-type]
        largest_after=iso_utc(int(ts[largest_at - 1])),
    )


def _verify_dataset(fileset: files.FileSet, report: VerifyReport, folder: Path) -> None:
    """A non-bar dataset: readable files, unique keys (from the file metadata)."""
    for part_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        for _, _, path in files.month_files(part_dir):
            loaded = _read_or_quarantine(fileset, report, path)
            if loaded is None:
                continue
            frame, metadata = loaded
            report.partitions += 1
            report.rows += frame.height
            keys = json.loads(metadata.get("finbot.key_columns", "[]"))
            if keys and set(keys) <= set(frame.columns):
                duplicated = frame.height - frame.unique(subset=keys).height
                if duplicated:
                    text = N_("{n} duplicate keys ({keys})")
                    report.problem(path, Message(text, n=duplicated, keys=", ".join(keys)))


def _note_stale_temps(report: VerifyReport, folder: Path) -> None:
    for stale in folder.glob(f".{files.PART_FILE}.*.tmp"):
        report.notes.append(
            Message(
                N_(
                    "temporary file of an interrupted write (removed by the next write to "
                    "this partition): {path}"
                ),
                path=str(stale),
            )
        )


def _note_quarantine(quarantine_dir: Path, report: VerifyReport) -> None:
    if quarantine_dir.is_dir():
        held = [
            p
            for p in quarantine_dir.rglob("*")
            if p.is_file() and not p.name.startswith(".") and p.name != refill.REFILL_FILE
        ]
        if held:
            report.notes.append(
                Message(
                    N_("{n} file(s) held in quarantine under {folder}"),
                    n=len(held),
                    folder=str(quarantine_dir),
                )
            )
