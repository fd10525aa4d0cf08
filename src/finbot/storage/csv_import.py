"""Import a user's OHLCV CSV (``timestamp,open,high,low,close,volume``) into the bar store.

The timestamp is the bar's open time: ISO 8601 (``2024-01-01T00:00:00Z``; no offset means
UTC), or epoch seconds or milliseconds, told apart by size, row by row. Gzipped files are
recognised by their first bytes. Every row is checked (numbers finite and positive, OHLC
consistent, volume not negative, timestamp on the timeframe's grid); bad rows are reported
with their line numbers. By default one bad row imports nothing (exit code 2, the store is
unchanged); ``skip_bad`` imports the valid rows and reports the others.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from finbot.errors import DataError, UsageError
from finbot.i18n import N_, Message, error_message, in_language, translate
from finbot.storage.parquet_writer import BarStore, UpsertResult
from finbot.storage.units import VolumeUnit
from finbot.timeframes import MINUTE_MS, Timeframe, check_timeframe, duration_ms

REQUIRED = ("timestamp", "open", "high", "low", "close", "volume")
_ALIASES = {
    "ts": "timestamp",
    "time": "timestamp",
    "date": "timestamp",
    "datetime": "timestamp",
    "open_time": "timestamp",
    "vol": "volume",
    "marketcap": "market_cap",
}
MIN_TS_MS = 1_230_768_000_000  # 2009-01-01: nothing traded before Bitcoin's genesis block
MAX_TS_MS = 4_102_444_800_000  # 2100-01-01
SHOWN_ERRORS = 20

Row = tuple[int, float, float, float, float, float | None, float | None]


class CsvRejected(DataError):
    """A CSV with bad rows (or none usable): nothing was imported. User input: exit code 2."""

    exit_code = 2

    def __init__(self, message: str, errors: Sequence[RowError] = (), **values: object):
        super().__init__(message, **values)
        self.errors = list(errors)


@dataclass(frozen=True)
class RowError:
    line: int
    problem: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.problem}"

    def in_language(self, lang: str) -> str:
        """The row's line and problem in ``lang``."""
        problem = in_language(lang, self.problem)
        return translate(lang, N_("line {line}: {problem}"), line=self.line, problem=problem)


@dataclass
class ParsedCsv:
    """The valid rows as bars, and every rejected row with its line number."""

    bars: pl.DataFrame
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0

    @property
    def duplicates(self) -> int:
        return self.bars.height - self.bars["ts"].n_unique()

    @property
    def zero_volume(self) -> int:
        """Rows whose volume is 0: kept (a bar may trade nothing) but reported."""
        return int((self.bars["volume"] == 0).sum())


# ---------------------------------------------------------------- one value, one row
def _float(text: str) -> float | None:
    """``float(text)`` for plain decimal numbers only (no ``1_000``), None otherwise."""
    try:
        number = float(text)
    except ValueError:
        return None
    return None if "_" in text else number


def parse_timestamp(text: str) -> int:
    """ISO 8601 or epoch seconds/milliseconds → UTC epoch ms; DataError otherwise."""
    value = text.strip()
    number = _float(value)
    if number is not None:
        millis = number * 1000 if abs(number) < 1e11 else number  # seconds until year 5138
        if not math.isfinite(millis):
            raise DataError(
                N_("timestamp: expected a finite epoch time, got {got}"), got=repr(text[:40])
            )
        stamp = round(millis)
    else:
        try:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            stamp = round(moment.timestamp() * 1000)
        except (ValueError, OverflowError):
            raise DataError(
                N_(
                    "timestamp: expected ISO 8601 (2024-01-01T00:00:00Z) or epoch "
                    "seconds/milliseconds, got {got}"
                ),
                got=repr(text[:40]),
            ) from None
    if not MIN_TS_MS <= stamp < MAX_TS_MS:
        raise DataError(
            N_("timestamp: expected a date between 2009 and 2100, got {got}"), got=repr(text[:40])
        )
    return stamp


def _number(name: str, text: str, *, positive: bool) -> float:
    number = _float(text)
    if number is None:
        raise DataError(N_("{name}: expected a number, got {got}"), name=name, got=repr(text[:40]))
    if not math.isfinite(number):
        raise DataError(
            N_("{name}: expected a finite number, got {got}"), name=name, got=repr(text[:40])
        )
    if positive and number <= 0:
        raise DataError(
            N_("{name}: expected a price > 0, got {got}"), name=name, got=repr(text[:40])
        )
    if number < 0:
        raise DataError(
            N_("{name}: expected a value >= 0, got {got}"), name=name, got=repr(text[:40])
        )
    return number


def _optional(name: str, text: str) -> float | None:
    return None if not text.strip() else _number(name, text, positive=False)


def parse_row(
    values: Sequence[str],
    columns: dict[str, int],
    *,
    step_ms: int | None = None,
    volume_unit: VolumeUnit = VolumeUnit.QUOTE,
    width: int | None = None,
) -> Row:
    """One CSV row → (ts, open, high, low, close, volume USD, market_cap); DataError naming
    the field and what was expected when anything is wrong. ``width``: the header's field
    count, which every row must have (a shifted row would put a price in the wrong column)."""
    if width is not None and len(values) != width:
        raise DataError(
            N_("expected {width} fields (as in the header), got {got}"),
            width=width,
            got=len(values),
        )
    if max(columns.values()) >= len(values):
        raise DataError(
            N_("expected {width} fields, got {got}"), width=len(columns), got=len(values)
        )
    ts = parse_timestamp(values[columns["timestamp"]])
    if step_ms is not None and ts % step_ms:
        raise DataError(
            N_("timestamp: expected a bar open time on the {minutes}-minute grid, got {got}"),
            minutes=step_ms // MINUTE_MS,
            got=repr(values[columns["timestamp"]][:40]),
        )
    o = _number("open", values[columns["open"]], positive=True)
    h = _number("high", values[columns["high"]], positive=True)
    lo = _number("low", values[columns["low"]], positive=True)
    c = _number("close", values[columns["close"]], positive=True)
    if h < max(o, c):
        raise DataError(
            N_("high: expected >= max(open, close) = {bound}, got {got}"), bound=max(o, c), got=h
        )
    if lo > min(o, c):
        raise DataError(
            N_("low: expected <= min(open, close) = {bound}, got {got}"), bound=min(o, c), got=lo
        )
    volume = _optional("volume", values[columns["volume"]])
    if volume is not None and volume_unit == VolumeUnit.BASE:
        volume *= c
    cap_at = columns.get("market_cap")
    cap = None if cap_at is None else _optional("market_cap", values[cap_at])
    return ts, o, h, lo, c, volume, cap


# ---------------------------------------------------------------- a whole file
def _open_text(path: Path) -> io.TextIOBase:
    with open(path, "rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    raw = gzip.open(path, "rb") if gzipped else open(path, "rb")  # noqa: SIM115
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")


def header_columns(header: Sequence[str]) -> dict[str, int]:
    """Column positions from the header row; DataError naming the missing columns."""
    names = [_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    columns = {name: i for i, name in enumerate(names) if name in (*REQUIRED, "market_cap")}
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise CsvRejected(
            N_("header: missing column(s) {missing}; expected {expected} (got {got})"),
            missing=", ".join(missing),
            expected=",".join(REQUIRED),
            got=repr(",".join(header)[:80]),
        )
    return columns


def _rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str] | DataError]]:
    """(line number, fields) per non-empty row; a csv-level failure comes as a DataError."""
    line = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line += 1
            yield line, DataError(N_("unreadable CSV row ({error})"), error=str(exc))
            continue
        line += 1
        if values and any(v.strip() for v in values):
            yield line, values


def parse_csv(
    path: Path,
    timeframe: str,
    *,
    volume_unit: VolumeUnit = VolumeUnit.QUOTE,
    source: str = "csv",
) -> ParsedCsv:
    """Every row of ``path`` checked: the valid ones as bars, the others as RowErrors."""
    step = duration_ms(check_timeframe(timeframe)) if timeframe != Timeframe.W1 else None
    good: list[Row] = []
    errors: list[RowError] = []
    with _open_text(path) as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise CsvRejected(
                N_("{file}: empty file; expected a header {expected}"),
                file=path.name,
                expected=",".join(REQUIRED),
            )
        columns = header_columns(header)
        for line, values in _rows(reader):
            try:
                if isinstance(values, DataError):
                    raise values
                row = parse_row(
                    values, columns, step_ms=step, volume_unit=volume_unit, width=len(header)
                )
                good.append(row)
            except DataError as exc:
                errors.append(RowError(line, error_message(exc)))  # kept translatable
    return ParsedCsv(_to_bars(good, source), errors, len(good) + len(errors))


def _to_bars(rows: list[Row], source: str) -> pl.DataFrame:
    names = ["ts", "open", "high", "low", "close", "volume", "market_cap"]
    schema: dict[str, Any] = {"ts": pl.Int64, **{n: pl.Float64 for n in names[1:]}}
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    return frame.with_columns(pl.lit(source, dtype=pl.String).alias("source"))


@dataclass
class ImportReport:
    path: str
    coin: str
    timeframe: str
    rows_read: int
    result: UpsertResult
    errors: list[RowError]
    duplicates: int
    zero_volume: int = 0

    def to_dict(self, shown: int = SHOWN_ERRORS) -> dict[str, Any]:
        return {
            "file": self.path,
            "coin": self.coin,
            "timeframe": self.timeframe,
            "rows_read": self.rows_read,
            "inserted": self.result.inserted,
            "updated": self.result.updated,
            "unchanged": self.result.unchanged,
            "rejected": len(self.errors) + self.result.rejected,
            "duplicates": self.duplicates,
            "zero_volume": self.zero_volume,
            "errors": [{"line": e.line, "problem": e.problem} for e in self.errors[:shown]],
        }


def import_csv(
    store: BarStore,
    path: Path,
    coin: str,
    timeframe: str,
    *,
    volume_unit: VolumeUnit | str = VolumeUnit.QUOTE,
    source: str = "csv",
    skip_bad: bool = False,
) -> ImportReport:
    """Check every row of ``path``, then upsert the bars into ``store`` (see module doc)."""
    if volume_unit not in tuple(VolumeUnit):
        raise UsageError(
            N_("volume-unit: expected base or quote, got {got}"), got=repr(volume_unit)
        )
    if not path.is_file():
        raise UsageError(N_("file: {path} does not exist or is not a file"), path=str(path))
    unit = VolumeUnit(volume_unit)
    parsed = parse_csv(path, timeframe, volume_unit=unit, source=source)
    valid = parsed.bars.height
    if parsed.errors and not skip_bad:
        first = parsed.errors[0]
        raise CsvRejected(
            N_(
                "{file}: {n} of {rows} rows rejected, nothing imported (first: {first}); fix "
                "them, or pass --skip-bad to import the {valid} valid rows"
            ),
            parsed.errors,
            file=path.name,
            n=len(parsed.errors),
            rows=parsed.rows_read,
            first=Message(N_("line {line}: {problem}"), line=first.line, problem=first.problem),
            valid=valid,
        )
    if valid == 0:
        raise CsvRejected(N_("{file}: no valid rows to import"), parsed.errors, file=path.name)
    result = store.upsert(coin, timeframe, parsed.bars)
    return ImportReport(
        str(path),
        coin,
        timeframe,
        parsed.rows_read,
        result,
        parsed.errors,
        parsed.duplicates,
        parsed.zero_volume,
    )
