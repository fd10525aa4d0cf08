"""Load a folder of OHLCV CSV files (``<coin>_<tf>.csv`` or ``.csv.gz``, columns
``timestamp,open,high,low,close,volume``) as a replay history.

Volume unit: ``"usd"`` or ``"base"`` (base-asset volume, as Binance reports it, converted
to USD as volume x close). ``"auto"`` reads the folder's ``finbot_synthetic.json`` manifest
(written by ``finbot.replay.synthetic``) and otherwise assumes base-asset volume, the
convention of exchange exports; pass ``"usd"`` for USD volumes (e.g. Yahoo daily files).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from pathlib import Path

import polars as pl

from finbot.errors import DataError, UsageError
from finbot.i18n import N_, Message
from finbot.replay.history import HistorySource
from finbot.replay.units import ReplayVolumeUnit
from finbot.timeframes import duration_ms

MANIFEST = "finbot_synthetic.json"
COLUMNS = ("timestamp", "open", "high", "low", "close", "volume")

_NAME = re.compile(r"^(?P<coin>[a-z0-9][a-z0-9-]*)_(?P<tf>\d+[mhdw])\.csv(?:\.gz)?$")
# the same messages as the store's CSV import (storage.csv_import)
ROW = N_("line {line}: {problem}")
FIELDS = N_("expected {width} fields (as in the header), got {got}")
NUMBER = N_("{name}: expected a number, got {got}")


def _manifest(folder: Path) -> dict[str, object]:
    path = folder / MANIFEST
    if not path.is_file():
        return {}
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _timestamps_ms(column: pl.Series) -> pl.Series:
    if column.dtype.is_integer() or column.dtype.is_float():
        values = column.cast(pl.Int64)
        return values * 1000 if int(values.max() or 0) < 10**11 else values  # type: ignore[arg-type]
    parsed = column.str.replace(r"Z$", "+00:00").str.to_datetime(time_zone="UTC", time_unit="ms")
    return parsed.dt.epoch("ms")


def _line_problems(text: str) -> tuple[list[str], list[str]]:
    """(header, "line N: problem" for every row with the wrong number of fields or a value
    that is not a number): the file's own line numbers, checked before polars reads it."""
    rows = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(rows, [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        missed = Message(N_("missing column(s) {missing}"), missing=", ".join(missing))
        return header, [Message(ROW, line=1, problem=missed)]
    numeric = [header.index(c) for c in COLUMNS[1:]]
    problems: list[str] = []
    for line, values in enumerate(rows, start=2):
        if not values:
            continue
        if len(values) != len(header):
            width = Message(FIELDS, width=len(header), got=len(values))
            problems.append(Message(ROW, line=line, problem=width))
            continue
        for i in numeric:
            try:
                float(values[i] or "nan")  # an empty value is a missing one (dropped later)
            except ValueError:
                bad = Message(NUMBER, name=header[i], got=repr(values[i]))
                problems.append(Message(ROW, line=line, problem=bad))
                break
    return header, problems


def read_ohlcv_csv(path: Path, *, volume_unit: ReplayVolumeUnit, source: str) -> pl.DataFrame:
    """One CSV file → canonical bars (USD volume, no market cap); a DataError naming the
    file's first bad line (its own line numbers) for rows that do not fit the header."""
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    header, problems = _line_problems(raw.decode("utf-8-sig", errors="replace"))
    if problems:
        template = (
            N_("{file}: {problem} (and {n} more); expected the columns {columns}")
            if len(problems) > 1
            else N_("{file}: {problem}; expected the columns {columns}")
        )
        raise DataError(
            template,
            file=path.name,
            problem=problems[0],
            n=len(problems) - 1,
            columns=",".join(COLUMNS),
        )
    try:
        frame = pl.read_csv(raw, schema_overrides={c: pl.Float64 for c in COLUMNS[1:]})
        frame = frame.with_columns(_timestamps_ms(frame["timestamp"]).alias("ts"))
    except (pl.exceptions.PolarsError, KeyError) as exc:  # e.g. a timestamp that is no time
        raise DataError(
            N_(
                "{file}: timestamp: expected ISO 8601 times or epoch seconds/milliseconds ({error})"
            ),
            file=path.name,
            error=type(exc).__name__,
        ) from None
    volume = pl.col("volume").cast(pl.Float64)
    if volume_unit == ReplayVolumeUnit.BASE:
        volume = volume * pl.col("close").cast(pl.Float64)
    return (
        frame.select(
            pl.col("ts").cast(pl.Int64),
            *(pl.col(c).cast(pl.Float64) for c in ("open", "high", "low", "close")),
            volume.alias("volume"),
            pl.lit(None, pl.Float64).alias("market_cap"),
            pl.lit(source).alias("source"),
        )
        .drop_nulls(["ts", "close"])
        .sort("ts")
    )


def load_csv_dir(
    folder: Path,
    *,
    volume_unit: ReplayVolumeUnit | str = ReplayVolumeUnit.AUTO,
    coins: list[str] | None = None,
) -> HistorySource:
    """Every ``<coin>_<tf>.csv[.gz]`` of ``folder`` as a HistorySource (label from the manifest
    when there is one, else ``csv:<folder name>``)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(
            N_("--csv-dir: expected a folder of <coin>_<tf>.csv files, got {folder}"),
            folder=str(folder),
        )
    manifest = _manifest(folder)
    unit = (
        volume_unit
        if volume_unit != ReplayVolumeUnit.AUTO
        else str(manifest.get("volume_unit", ReplayVolumeUnit.BASE))
    )
    if unit not in (ReplayVolumeUnit.USD, ReplayVolumeUnit.BASE):
        raise UsageError(
            N_("volume unit: expected usd, base or auto, got {got}"), got=repr(volume_unit)
        )
    label = str(manifest.get("label", f"csv:{folder.name}"))
    history: dict[str, dict[str, pl.DataFrame]] = {}
    for path in sorted(folder.iterdir()):
        match = _NAME.match(path.name)
        if match is None or (coins and match["coin"] not in coins):
            continue
        duration_ms(match["tf"], field="timeframe")
        history.setdefault(match["coin"], {})[match["tf"]] = read_ohlcv_csv(
            path, volume_unit=ReplayVolumeUnit(unit), source=label
        )
    if not history:
        raise UsageError(N_("--csv-dir: no <coin>_<tf>.csv files in {folder}"), folder=str(folder))
    return HistorySource(history, label=label)
