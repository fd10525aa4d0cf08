"""The bar store: a Hive-partitioned zstd Parquet dataset in the canonical bars schema.

Layout: ``root/timeframe=1h/coin=bitcoin/year=2024/month=01/part.parquet`` (one file per
month), readable directly by polars, DuckDB, pyarrow or Spark. Writes are upserts keyed by
``ts``: a re-collected bar replaces the stored one, never duplicates it. Invalid bars are
dropped with a warning and counted in the result; they never raise (a collector keeps the good
part of a payload), except a batch whose columns are missing or of the wrong type (DataError).
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from finbot.clock import iso_utc
from finbot.errors import DataError, UsageError
from finbot.i18n import N_, Message
from finbot.schema import BAR_COLUMNS, BARS_SCHEMA, SCHEMA_VERSION, conform, empty_bars, to_file
from finbot.storage import files, months, refill
from finbot.storage.retention import apply_retention
from finbot.storage.schema_migration import META_VERSION, migrate_bar_files
from finbot.storage.validation import as_bars, validate_bars
from finbot.storage.verify import VerifyReport, verify_store
from finbot.timeframes import check_timeframe

log = logging.getLogger(__name__)

_COIN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_VALUE_COLUMNS = tuple(c for c in BAR_COLUMNS if c != "ts")
META_KIND = "finbot.kind"
META_TIMEFRAME = "finbot.timeframe"
META_COIN = "finbot.coin"
TAIL_CACHE_SIZE = 64


#: (coin, timeframe, start_ms, end_ms, last_n) of a cached tail read
_TailKey = tuple[str, str, int | None, int | None, int]
#: (inode, size, mtime in ns) of each file a cached tail depends on
_FileStates = tuple[tuple[int, int, int], ...]


class SeriesSummary(TypedDict):
    """One series as its file footers describe it (``BarStore.summary``)."""

    rows: int
    files: int
    oldest: str | None
    newest: str | None
    newest_ms: int | None


@dataclass(frozen=True)
class UpsertResult:
    """What an upsert did: new bars, replaced bars (values changed), identical re-sends, and
    invalid bars dropped (``reasons``: count per failed rule)."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def __add__(self, other: UpsertResult) -> UpsertResult:
        reasons = dict(self.reasons)
        for reason, count in other.reasons.items():
            reasons[reason] = reasons.get(reason, 0) + count
        return UpsertResult(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.rejected + other.rejected,
            reasons,
        )


def check_coin(coin: str) -> str:
    """A coin id safe to use as a partition folder name."""
    if not _COIN.match(coin):
        raise UsageError(
            N_("coin: expected a CoinGecko id like 'bitcoin' (a-z, 0-9, -), got {coin!r}"),
            coin=coin,
        )
    return coin


def merge_on_key(
    existing: pl.DataFrame, incoming: pl.DataFrame, keys: list[str]
) -> tuple[pl.DataFrame, int, int, int]:
    """``existing`` with ``incoming`` upserted on ``keys`` (incoming deduped, last wins).

    Returns the merged frame sorted by ``keys`` and the inserted/updated/unchanged counts.
    """
    if incoming.select(pl.struct(keys).is_duplicated().any()).item():
        incoming = incoming.unique(subset=keys, keep="last", maintain_order=True)
    if existing.height == 0:
        return incoming.sort(keys), incoming.height, 0, 0
    values = [c for c in incoming.columns if c not in keys and c in existing.columns]
    marked = existing.select(*keys, *values).with_columns(pl.lit(True).alias("__present"))
    joined = incoming.join(marked, on=keys, how="left", suffix="__old", nulls_equal=False)
    present = pl.col("__present").fill_null(False)
    same = pl.all_horizontal([pl.col(c).eq_missing(pl.col(f"{c}__old")) for c in values])
    flags = joined.select(
        (~present).sum().alias("inserted"),
        (present & same).sum().alias("unchanged"),
        (present & ~same).sum().alias("updated"),
    ).row(0)
    kept = existing.join(incoming.select(keys), on=keys, how="anti")
    merged = pl.concat([kept, incoming], how="diagonal_relaxed").sort(keys)
    return merged, int(flags[0]), int(flags[2]), int(flags[1])


class BarStore:
    """Upserts and reads bars per (coin, timeframe); see the module docstring for the layout."""

    def __init__(
        self,
        root: Path,
        *,
        quarantine_dir: Path | None = None,
        lock_timeout: float = files.LOCK_TIMEOUT_S,
    ):
        self.root = Path(root)
        self.quarantine_dir = (
            Path(quarantine_dir) if quarantine_dir else self.root.parent / "quarantine"
        )
        self.files = files.FileSet(self.root, self.quarantine_dir, lock_timeout)
        # Tail reads (``last_n``) of this instance, each with the stat of every folder and file
        # it came from: a long-lived store (live predictions) re-reads nothing that is unchanged
        # (a write replaces the file, so its inode, size or mtime differ). Per instance only.
        self._tails: dict[_TailKey, tuple[list[Path], _FileStates, pl.DataFrame]] = {}
        self._current = False  # this instance has checked the files' schema version

    # ------------------------------------------------------------ layout
    def series_dir(self, coin: str, timeframe: str) -> Path:
        return self.root / f"timeframe={check_timeframe(timeframe)}" / f"coin={check_coin(coin)}"

    def _metadata(self, coin: str, timeframe: str) -> dict[str, str]:
        return {
            META_VERSION: str(SCHEMA_VERSION),
            META_KIND: "bars",
            META_TIMEFRAME: timeframe,
            META_COIN: coin,
        }

    # ------------------------------------------------------------ writing
    def upsert(self, coin: str, timeframe: str, bars: pl.DataFrame) -> UpsertResult:
        """Insert or replace ``bars`` (keyed by ``ts``); invalid rows are dropped and counted."""
        base = self.series_dir(coin, timeframe)
        if not self._current:  # older files migrated before this store writes new ones
            self.migrate()
        checked = validate_bars(as_bars(bars))
        if checked.rejected:
            reasons = [
                Message(N_("{n} {reason}"), n=n, reason=Message(reason))
                for reason, n in checked.rejected.items()
            ]
            log.warning(
                "%s",
                Message(
                    N_("storage: {coin} {timeframe}: rejected {n} of {total} bars ({reasons})"),
                    coin=coin,
                    timeframe=timeframe,
                    n=checked.rejected_total,
                    total=bars.height,
                    reasons=Message.joined("; ", reasons),
                ),
            )
        result = UpsertResult(rejected=checked.rejected_total, reasons=checked.rejected)
        metadata = self._metadata(coin, timeframe)
        jobs = [
            (months.month_dir(base, year, month) / files.PART_FILE, part)
            for year, month, part in files.split_by_month(checked.good)
        ]
        for done in files.run_months(lambda job: self._upsert_month(*job, metadata), jobs):
            result = result + done
        return result

    def _upsert_month(
        self, path: Path, part: pl.DataFrame, metadata: dict[str, str]
    ) -> UpsertResult:
        with self.files.lock(path):
            files.remove_stale_temps(path.parent)
            existing = self._read_month(path, locked=True)
            existing = empty_bars() if existing is None else existing
            merged, inserted, updated, unchanged = merge_on_key(existing, part, ["ts"])
            if inserted or updated:
                files.atomic_write(path, to_file(merged.select(BAR_COLUMNS)), metadata)
        return UpsertResult(inserted, updated, unchanged)

    def rewrite_month(self, path: Path, keep: pl.Expr) -> int:
        """Keep only the rows of one month file matching ``keep`` (retention); rows removed."""
        with self.files.lock(path):
            frame = self._read_month(path, locked=True)
            if frame is None:
                return 0
            kept = frame.filter(keep)
            if kept.height == frame.height:
                return 0
            if kept.height == 0:
                path.unlink()
            else:
                metadata = files.read_metadata(path) | {META_VERSION: str(SCHEMA_VERSION)}
                files.atomic_write(path, to_file(kept), metadata)
            return frame.height - kept.height

    # ------------------------------------------------------------ reading
    def _read_month(self, path: Path, *, locked: bool = False) -> pl.DataFrame | None:
        """One month file in the schema, or None when absent or damaged (then quarantined)."""
        frame = self.files.read_one(path, locked=locked)
        return None if frame is None else _bars(frame, path)

    def _read_months(self, paths: list[Path]) -> list[pl.DataFrame]:
        where = paths[0].parent.parent.parent if paths else self.root  # the series folder
        return [_bars(frame, where) for frame in self.files.read_many(paths)]

    def read(
        self,
        coin: str,
        timeframe: str,
        start_ms: int | None = None,
        end_ms: int | None = None,
        last_n: int | None = None,
    ) -> pl.DataFrame:
        """Bars with ``start_ms <= ts <= end_ms`` (the last ``last_n`` of them when given),
        sorted by ``ts``, unique, in the canonical schema; reads only the months needed."""
        if last_n is not None and last_n <= 0:
            raise UsageError(
                N_("last_n: expected a positive number of bars, got {last_n}"), last_n=last_n
            )
        if last_n is not None:
            return self._read_tail(coin, timeframe, start_ms, end_ms, last_n)
        months = [
            p
            for _, _, p in files.files_in_range(self.series_dir(coin, timeframe), start_ms, end_ms)
        ]
        frames = self._read_months(months)
        if not frames:
            return empty_bars()
        return _sorted_unique(_in_range(pl.concat(frames), start_ms, end_ms))

    def _read_tail(
        self, coin: str, timeframe: str, start_ms: int | None, end_ms: int | None, last_n: int
    ) -> pl.DataFrame:
        """The last ``last_n`` bars in range, from this instance's cache when no file or
        folder they depend on changed since (a few ``stat`` calls instead of Parquet reads)."""
        key = (coin, timeframe, start_ms, end_ms, last_n)
        cached = self._tails.get(key)
        if cached is not None and _stat_all(cached[0]) == cached[1]:
            return cached[2]
        base = self.series_dir(coin, timeframe)
        months = [p for _, _, p in files.files_in_range(base, start_ms, end_ms)]
        frames, used = self._read_newest(months, start_ms, end_ms, last_n)
        out = (
            _sorted_unique(_in_range(pl.concat(frames), start_ms, end_ms)).tail(last_n)
            if frames
            else empty_bars()
        )
        watched = [base, *sorted({p.parent.parent for p in used}), *used]
        state = _stat_all(watched)
        if state is not None:
            if len(self._tails) >= TAIL_CACHE_SIZE:
                self._tails.pop(next(iter(self._tails)))
            self._tails[key] = (watched, state, out)
        return out

    def _read_newest(
        self, months: list[Path], start_ms: int | None, end_ms: int | None, last_n: int
    ) -> tuple[list[pl.DataFrame], list[Path]]:
        """The newest months, in batches of growing size, until ``last_n`` rows are in range;
        with the paths of the months read."""
        frames: list[pl.DataFrame] = []
        rows, batch, stop = 0, 1, len(months)
        while stop > 0 and rows < last_n:
            start = max(0, stop - batch)
            chunk = self._read_months(months[start:stop])
            frames = chunk + frames
            rows += sum(_in_range(f, start_ms, end_ms).height for f in chunk)
            stop, batch = start, batch * 2
        return frames, months[stop:]

    def last_ts(self, coin: str, timeframe: str) -> int | None:
        """Open time (ms) of the newest stored bar, None when there is none."""
        frame = self.read(coin, timeframe, last_n=1)
        return int(frame["ts"][0]) if frame.height else None

    def first_ts(self, coin: str, timeframe: str) -> int | None:
        """Open time (ms) of the oldest stored bar, None when there is none."""
        for _, _, path in files.month_files(self.series_dir(coin, timeframe)):
            frame = self._read_month(path)
            if frame is not None and frame.height:
                return int(frame["ts"][0])  # month files are sorted
        return None

    def migrate(self) -> int:
        """Bring older bar files to the current schema version (once); files rewritten."""
        self._current = True
        return migrate_bar_files(self)

    # ------------------------------------------------------------ quarantined months
    def pending_refills(self, coin: str, timeframe: str) -> list[tuple[int, int]]:
        """``[start_ms, end_ms)`` of each quarantined month of the series still to refill."""
        return [
            (e["start_ms"], e["end_ms"])
            for e in refill.pending(self.quarantine_dir, coin, timeframe)
        ]

    def refilled(self, coin: str, timeframe: str, start_ms: int, end_ms: int) -> int:
        """Forget the quarantined months inside ``[start_ms, end_ms]`` (stored again)."""
        return refill.mark_refilled(self.quarantine_dir, coin, timeframe, start_ms, end_ms)

    # ------------------------------------------------------------ listing
    def timeframes(self, coin: str) -> list[str]:
        """Timeframes holding at least one file for ``coin``."""
        check_coin(coin)
        found = []
        for tf_dir in sorted(self.root.glob("timeframe=*")):
            timeframe = tf_dir.name.split("=", 1)[1]
            if files.month_files(tf_dir / f"coin={coin}"):
                found.append(timeframe)
        return found

    def coins(self) -> list[str]:
        """Coins holding at least one file in any timeframe."""
        names = {
            p.parent.name.split("=", 1)[1] for p in self.root.glob("timeframe=*/coin=*/year=*")
        }
        return sorted(n for n in names if _COIN.match(n))

    def summary(self) -> dict[str, dict[str, SeriesSummary]]:
        """``{coin: {timeframe: {rows, files, oldest, newest, newest_ms}}}`` from file footers."""
        out: dict[str, dict[str, SeriesSummary]] = {}
        for coin in self.coins():
            for timeframe in self.timeframes(coin):
                out.setdefault(coin, {})[timeframe] = self._series_summary(coin, timeframe)
        return out

    def _series_summary(self, coin: str, timeframe: str) -> SeriesSummary:
        months = files.month_files(self.series_dir(coin, timeframe))
        rows = 0
        for _, _, path in months:
            try:
                rows += pq.read_metadata(path).num_rows
            except (pa.ArrowException, OSError):  # a damaged footer: verify() quarantines it
                line = Message(
                    N_("storage: cannot read the footer of {path}; run 'finbot storage verify'"),
                    path=str(path),
                )
                log.warning("%s", line)
        newest = self.last_ts(coin, timeframe)
        oldest = self.first_ts(coin, timeframe)
        return {
            "rows": rows,
            "files": len(months),
            "oldest": iso_utc(oldest) if oldest is not None else None,
            "newest": iso_utc(newest) if newest is not None else None,
            "newest_ms": newest,
        }

    # ------------------------------------------------------------ maintenance
    def verify(self) -> VerifyReport:
        """Integrity check of the whole dataset (see ``finbot.storage.verify``)."""
        return verify_store(self)

    def apply_retention(
        self, timeframe: str, keep_days: int | None, now_ms: int, *, dry_run: bool = False
    ) -> int:
        """Drop bars older than ``keep_days`` (never the newest month); rows removed."""
        return apply_retention(self, timeframe, keep_days, now_ms, dry_run=dry_run)


def _stat_all(paths: list[Path]) -> _FileStates | None:
    """(inode, size, mtime) of each path; None when one is missing (never cache that)."""
    try:
        return tuple((st.st_ino, st.st_size, st.st_mtime_ns) for st in map(os.stat, paths))
    except OSError:
        return None


def _bars(frame: pl.DataFrame, where: Path) -> pl.DataFrame:
    """``frame`` in the bars schema; DataError when a readable file holds something else."""
    if frame.schema == BARS_SCHEMA:
        return frame
    try:
        return conform(frame)
    except pl.exceptions.PolarsError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(
            N_("storage: {where} holds no bars in the bars schema ({error})"),
            where=str(where),
            error=first,
        ) from exc


def _in_range(frame: pl.DataFrame, start_ms: int | None, end_ms: int | None) -> pl.DataFrame:
    if start_ms is not None:
        frame = frame.filter(pl.col("ts") >= start_ms)
    if end_ms is not None:
        frame = frame.filter(pl.col("ts") <= end_ms)
    return frame


def _sorted_unique(frame: pl.DataFrame) -> pl.DataFrame:
    """Month files are sorted and unique already; repair only when they are not."""
    if frame.height < 2 or frame["ts"].diff().drop_nulls().min() > 0:  # type: ignore[operator]
        return frame
    return frame.unique(subset="ts", keep="last").sort("ts")
