"""CSV import: timestamp formats, per-line errors, all-or-nothing default, fuzzed row parser."""

from __future__ import annotations

import gzip
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finbot.errors import DataError, UsageError
from finbot.storage.csv_import import (
    CsvRejected,
    header_columns,
    import_csv,
    parse_csv,
    parse_row,
    parse_timestamp,
)
from finbot.storage.parquet_writer import BarStore

pytestmark = pytest.mark.unit

HEADER = "timestamp,open,high,low,close,volume\n"
COLUMNS = {"timestamp": 0, "open": 1, "high": 2, "low": 3, "close": 4, "volume": 5}
T0 = 1_704_067_200_000  # 2024-01-01T00:00:00Z


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-01T00:00:00Z", T0),
        ("2024-01-01T00:00:00+00:00", T0),
        ("2024-01-01T01:00:00+01:00", T0),
        ("2024-01-01 00:00:00", T0),  # no offset: UTC
        ("2024-01-01", T0),
        ("1704067200", T0),  # epoch seconds
        ("1704067200.0", T0),
        ("1704067200000", T0),  # epoch milliseconds
        (" 1704067200000 ", T0),
        ("1.7040672e9", T0),
    ],
)
def test_timestamps_are_auto_detected(text: str, expected: int) -> None:
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "ISO 8601"),
        ("yesterday", "ISO 8601"),
        ("nan", "finite"),
        ("inf", "finite"),
        ("1_704_067_200", "ISO 8601"),
        ("0", "between 2009 and 2100"),
        ("99999999999999999", "between 2009 and 2100"),
        ("1900-01-01", "between 2009 and 2100"),
    ],
)
def test_bad_timestamps_name_the_field(text: str, match: str) -> None:
    with pytest.raises(DataError, match=f"timestamp: .*{match}"):
        parse_timestamp(text)


@pytest.mark.parametrize(
    ("row", "match"),
    [
        (["2024-01-01", "1", "2", "0.5", "1.5"], "expected 6 fields, got 5"),
        (["2024-01-01", "x", "2", "0.5", "1.5", "10"], "open: expected a number, got 'x'"),
        (["2024-01-01", "1", "2", "0.5", "nan", "10"], "close: expected a finite number"),
        (["2024-01-01", "0", "2", "0.5", "1.5", "10"], "open: expected a price > 0"),
        (["2024-01-01", "1", "1.2", "0.5", "1.5", "10"], r"high: expected >= max\(open, close\)"),
        (["2024-01-01", "1", "2", "1.2", "1.5", "10"], r"low: expected <= min\(open, close\)"),
        (["2024-01-01", "1", "2", "0.5", "1.5", "-10"], "volume: expected a value >= 0"),
        (["2024-01-01T00:30:00Z", "1", "2", "0.5", "1.5", "10"], "60-minute grid"),
    ],
)
def test_bad_rows_name_the_field_and_expectation(row: list[str], match: str) -> None:
    with pytest.raises(DataError, match=match):
        parse_row(row, COLUMNS, step_ms=3_600_000)


@pytest.mark.parametrize(
    ("volume", "unit", "expected"),
    [("10", "quote", 10.0), ("10", "base", 15.0), ("", "quote", None), ("", "base", None)],
)
def test_volume_units(volume: str, unit: str, expected: float | None) -> None:
    row = ["2024-01-01", "1", "2", "0.5", "1.5", volume]
    assert parse_row(row, COLUMNS, volume_unit=unit)[5] == expected  # type: ignore[arg-type]


def test_market_cap_column_is_used_when_present() -> None:
    columns = header_columns(["Date", "Open", "High", "Low", "Close", "Vol", "market_cap"])
    row = ["2024-01-01", "1", "2", "0.5", "1.5", "10", "1e9"]
    assert parse_row(row, columns) == (T0, 1.0, 2.0, 0.5, 1.5, 10.0, 1e9)


def test_missing_header_columns_are_named() -> None:
    with pytest.raises(CsvRejected, match="missing column.s. volume") as caught:
        header_columns(["timestamp", "open", "high", "low", "close"])
    assert caught.value.exit_code == 2


def _write(tmp_path: Path, body: str, *, gz: bool = False, name: str = "bars.csv") -> Path:
    path = tmp_path / name
    data = (HEADER + body).encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


GOOD = (
    "2024-01-01T00:00:00Z,100,110,90,105,1000\n"
    "2024-01-01T01:00:00Z,105,106,100,101,2000\n"
    "1704074400,101,103,99,102,1500\n"
    "1704078000000,102,104,101,103,\n"
)


@pytest.mark.parametrize("gz", [False, True])
def test_good_file_imports_every_row(bar_store: BarStore, tmp_path: Path, gz: bool) -> None:
    path = _write(tmp_path, GOOD, gz=gz)
    report = import_csv(bar_store, path, "bitcoin", "1h", source="mine")
    assert (report.rows_read, report.result.inserted, report.errors) == (4, 4, [])
    out = bar_store.read("bitcoin", "1h")
    assert out["ts"].to_list() == [T0 + i * 3_600_000 for i in range(4)]
    assert out["volume"].to_list() == [1000.0, 2000.0, 1500.0, None]
    assert set(out["source"]) == {"mine"}
    again = import_csv(bar_store, path, "bitcoin", "1h", source="mine")
    assert again.result.unchanged == 4 and bar_store.read("bitcoin", "1h").height == 4


BAD = (
    "2024-01-01T02:00:00Z,101,103,99,102,1500\n"  # line 2: fine
    "2024-01-01T03:00:00Z,100,90,95,99,10\n"  # line 3: high below open
    "\n"  # line 4: blank, skipped
    "garbage\n"  # line 5: too few fields
    "2024-01-01T05:00:00Z,1,2,0.5,1.5,-3\n"
)  # line 6: negative volume


def test_bad_rows_import_nothing_by_default(bar_store: BarStore, tmp_path: Path) -> None:
    bar_store.upsert("bitcoin", "1h", parse_csv(_write(tmp_path, GOOD, name="g.csv"), "1h").bars)
    before = bar_store.read("bitcoin", "1h")
    with pytest.raises(CsvRejected) as caught:
        import_csv(bar_store, _write(tmp_path, BAD), "bitcoin", "1h")
    assert [e.line for e in caught.value.errors] == [3, 5, 6]
    assert "3 of 4 rows rejected, nothing imported" in str(caught.value)
    assert "line 3: high: expected >= max(open, close)" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert bar_store.read("bitcoin", "1h").equals(before)


def test_skip_bad_imports_the_valid_rows(bar_store: BarStore, tmp_path: Path) -> None:
    report = import_csv(bar_store, _write(tmp_path, BAD), "bitcoin", "1h", skip_bad=True)
    assert report.result.inserted == 1
    data = report.to_dict()
    assert data["rejected"] == 3 and [e["line"] for e in data["errors"]] == [3, 5, 6]
    assert data["errors"][1]["problem"] == "expected 6 fields (as in the header), got 1"


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("", "empty file"),
        ("a,b,c\n1,2,3\n", "missing column"),
        (HEADER, "no valid rows"),
        (HEADER + "x,1,1,1,1,1\n", "1 of 1 rows rejected"),
    ],
)
def test_unusable_files(bar_store: BarStore, tmp_path: Path, content: str, match: str) -> None:
    path = tmp_path / "f.csv"
    path.write_text(content)
    with pytest.raises(CsvRejected, match=match):
        import_csv(bar_store, path, "bitcoin", "1h")


def test_duplicate_timestamps_keep_the_last(bar_store: BarStore, tmp_path: Path) -> None:
    body = "2024-01-01T00:00:00Z,100,110,90,105,1\n1704067200,100,110,90,106,2\n"
    report = import_csv(bar_store, _write(tmp_path, body), "bitcoin", "1h")
    assert report.duplicates == 1 and report.result.inserted == 1
    assert bar_store.read("bitcoin", "1h")["close"].to_list() == [106.0]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"volume_unit": "coins"}, UsageError, "volume-unit"),
        ({"timeframe": "2h"}, UsageError, "timeframe"),
    ],
)
def test_bad_options(
    bar_store: BarStore, tmp_path: Path, kwargs: dict, error: type, match: str
) -> None:
    args = {"timeframe": "1h", **kwargs}
    timeframe = args.pop("timeframe")
    with pytest.raises(error, match=match):
        import_csv(bar_store, _write(tmp_path, GOOD), "bitcoin", timeframe, **args)


def test_missing_file_is_a_usage_error(bar_store: BarStore, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        import_csv(bar_store, tmp_path / "nope.csv", "bitcoin", "1h")


def test_weekly_bars_are_not_grid_checked(bar_store: BarStore, tmp_path: Path) -> None:
    body = "2024-01-01T00:00:00Z,100,110,90,105,1\n2024-01-08T00:00:00Z,105,110,90,100,1\n"
    assert import_csv(bar_store, _write(tmp_path, body), "bitcoin", "1w").result.inserted == 2


def test_undecodable_bytes_are_row_errors(bar_store: BarStore, tmp_path: Path) -> None:
    path = tmp_path / "bin.csv"
    path.write_bytes(HEADER.encode() + b"\xff\xfe\x00,1,2,0.5,1.5,1\n")
    parsed = parse_csv(path, "1h")
    assert [e.line for e in parsed.errors] == [2] and "timestamp" in parsed.errors[0].problem
    assert parsed.bars.schema["ts"] == pl.Int64


# ---------------------------------------------------------------- fuzzing
_cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "nan",
            "inf",
            "-inf",
            "-1",
            "0",
            "1e308",
            "1e-320",
            "",
            " ",
            "1_0",
            "2024-01-01",
            "2024-13-45T99:99",
            "1704067200",
            "1704067200000",
        ]
    ),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    row=st.lists(_cell, min_size=0, max_size=8),
    step=st.sampled_from([None, 300_000, 3_600_000]),
    unit=st.sampled_from(["base", "quote"]),
)
def test_fuzzed_rows_parse_or_raise_data_error(row: list[str], step: int | None, unit: str) -> None:
    try:
        ts, o, h, lo, c, volume, _ = parse_row(row, COLUMNS, step_ms=step, volume_unit=unit)  # type: ignore[arg-type]
    except DataError as exc:
        assert "\n" not in str(exc)
        return
    assert 0 < lo <= min(o, c) <= max(o, c) <= h
    assert volume is None or volume >= 0
    assert step is None or ts % step == 0


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.one_of(
        st.text(max_size=40),
        st.floats().map(str),
        st.integers().map(str),
        st.datetimes().map(lambda d: d.isoformat()),
    )
)
def test_fuzzed_timestamps_parse_or_raise_data_error(text: str) -> None:
    try:
        stamp = parse_timestamp(text)
    except DataError:
        return
    assert 1_230_768_000_000 <= stamp < 4_102_444_800_000


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(body=st.binary(max_size=300))
def test_fuzzed_files_never_crash(tmp_path: Path, body: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(HEADER.encode() + body)
    parsed = parse_csv(path, "1h")
    assert parsed.rows_read == parsed.bars.height + len(parsed.errors)


def test_rows_with_more_fields_than_the_header_are_rejected(
    bar_store: BarStore, tmp_path: Path
) -> None:
    path = tmp_path / "extra.csv"
    path.write_text(
        "timestamp,open,high,low,close,volume\n"
        "2024-01-01T00:00:00Z,100,110,90,105,2\n"
        "2024-01-01T01:00:00Z,100,110,90,105,3,99\n"
    )
    with pytest.raises(CsvRejected, match="line 3: expected 6 fields"):
        import_csv(bar_store, path, "bitcoin", "1h")
    assert bar_store.read("bitcoin", "1h").height == 0


def test_zero_volume_rows_are_kept_and_counted(bar_store: BarStore, tmp_path: Path) -> None:
    path = tmp_path / "zero.csv"
    path.write_text(
        "timestamp,open,high,low,close,volume\n"
        "2024-01-01T00:00:00Z,100,110,90,105,0\n"
        "2024-01-01T01:00:00Z,100,110,90,105,3\n"
    )
    report = import_csv(bar_store, path, "bitcoin", "1h")
    assert report.zero_volume == 1 and report.to_dict()["zero_volume"] == 1
    assert bar_store.read("bitcoin", "1h").height == 2
