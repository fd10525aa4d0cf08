"""The tracker's exports: predictions as CSV (times in ISO 8601 UTC) or Excel (datetime cells)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

#: The epoch-millisecond columns: exported as times (ISO 8601 UTC in CSV, datetime cells in
#: Excel), while ``recent`` and ``--json`` keep the stored milliseconds.
TIME_COLUMNS = ("made_at", "as_of", "bar_ts", "target_ts", "resolved_at", "resolved_bar_ts")
EXCEL_TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def _utc(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)


def iso_time(epoch_ms: int | None) -> str:
    """``2026-12-01T08:00:00Z`` (milliseconds only when there are some); "" for None."""
    if epoch_ms is None:
        return ""
    spec = "seconds" if epoch_ms % 1000 == 0 else "milliseconds"
    return _utc(epoch_ms).isoformat(timespec=spec).replace("+00:00", "Z")


def write_csv(path: Path, rows: list[dict[str, Any]], columns: list[str]) -> None:
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow(row | {c: iso_time(row[c]) for c in TIME_COLUMNS})


def write_xlsx(path: Path, rows: list[dict[str, Any]], columns: list[str]) -> None:
    from openpyxl import Workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "predictions"
    sheet.append(columns)
    times = {columns.index(c) + 1 for c in TIME_COLUMNS}
    for row in rows:
        # Excel has no time zones: naive datetimes, in UTC like every time finbot shows.
        sheet.append(
            [
                _utc(row[c]).replace(tzinfo=None)
                if c in TIME_COLUMNS and row[c] is not None
                else row[c]
                for c in columns
            ]
        )
        for cell in sheet[sheet.max_row]:
            if cell.column in times:
                cell.number_format = EXCEL_TIME_FORMAT
    book.save(path)
