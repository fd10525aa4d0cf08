"""Storage: Parquet against CSV of the same bars (size), one coin-year read, one-bar upsert.

* Size: one year of hourly bars of one coin in the canonical schema, written by ``BarStore``
  (12 month files) against the same frame written as CSV by polars (shortest round-trip
  float text: the same precision, lossless). The synthetic history has full-precision
  floats; real exchange bars (``../shared/data/real``, when present) are reported too, with
  the CSV at the exchange's own precision. A float32 variant shows what a lossy schema would
  give (not adopted: the canonical schema is float64).
* Read: ``BarStore.read`` of that year (12 files) against ``pl.read_csv`` of the CSV.
* Upsert: one new bar into a month partition (lock, read, merge, atomic write + fsync)
  against the naive CSV way (read the month's CSV, append, rewrite it).

Medians of 9 runs (short operations).
"""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow.parquet as pq

from benchmarks.common import median_seconds, row
from finbot.timeframes import DAY_MS, HOUR_MS

END_MS = 1_764_028_800_000  # 2025-11-25, a fixed day: results do not drift with the date
REPEAT = 9
REAL_1H = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "binance-2024h1"


def coin_year() -> pl.DataFrame:
    """One coin-year of synthetic hourly bars in the canonical schema."""
    from finbot.replay.synthetic import generate_history

    history = generate_history(
        ["bitcoin"], END_MS - 365 * DAY_MS, END_MS, 42, ("1h",), hourly_days=365
    )
    return history["bitcoin"]["1h"]


def _median(fn: Any, repeat: int = REPEAT) -> float:
    return median_seconds(fn, repeat=repeat)


def _store_size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*.parquet"))


def _parquet_bytes(frame: pl.DataFrame) -> int:
    """Size of ``frame`` written with the store's own options as one file."""
    from finbot.storage.files import _to_arrow, _write_options

    table = _to_arrow(frame, {})
    buffer = io.BytesIO()
    pq.write_table(table, buffer, **_write_options(table))
    return len(buffer.getvalue())


def _real_ratio() -> dict[str, Any]:
    """Real Binance hourly bars (2024 H1), CSV at the exchange's precision vs our Parquet."""
    path = REAL_1H / "bitcoin_1h.csv"
    if not path.is_file():
        return {"real_data": "absent"}
    from finbot.schema import conform

    raw = pl.read_csv(path)
    frame = conform(
        raw.with_columns(
            pl.col("timestamp").str.to_datetime(time_zone="UTC").dt.epoch("ms").alias("ts"),
            pl.lit("binance").alias("source"),
        )
    )
    csv_bytes = len(frame.write_csv().encode())
    return {
        "real_binance_1h_rows": frame.height,
        "real_csv_bytes": csv_bytes,
        "real_parquet_bytes": _parquet_bytes(frame),
        "real_ratio": round(csv_bytes / _parquet_bytes(frame), 2),
    }


def _float32_ratio(frame: pl.DataFrame) -> float:
    floats = [c for c, t in frame.schema.items() if t == pl.Float64]
    lossy = frame.with_columns([pl.col(c).cast(pl.Float32) for c in floats])
    return round(len(lossy.write_csv().encode()) / _parquet_bytes(lossy), 2)


def _size_row(frame: pl.DataFrame, root: Path) -> dict[str, Any]:
    csv_bytes = len(frame.write_csv().encode())
    parquet = _store_size(root)
    ratio = csv_bytes / parquet
    note = (
        "lossless float64: the low mantissa bytes of prices are incompressible; "
        "5x needs a lossy schema (float32 gives the float32_ratio)"
    )
    return row(
        "storage: CSV size / Parquet size (1 coin-year hourly)",
        ratio,
        5.0,
        "x",
        ">= 5x smaller",
        ratio >= 5.0,
        csv_bytes=csv_bytes,
        parquet_bytes=parquet,
        files=len(list(root.rglob("*.parquet"))),
        float32_ratio=_float32_ratio(frame),
        note=note,
        **_real_ratio(),
    )


def _upsert_rows(store: Any, frame: pl.DataFrame, tmp: Path) -> dict[str, Any]:
    last = frame.tail(1)
    month = frame.filter(pl.col("ts") >= int(last["ts"][0]) - 28 * DAY_MS)
    csv_path = tmp / "month.csv"
    month.write_csv(csv_path)
    state = {"ts": int(last["ts"][0])}

    def ours() -> None:
        state["ts"] += HOUR_MS
        store.upsert("bitcoin", "1h", last.with_columns(pl.lit(state["ts"]).alias("ts")))

    def naive_csv() -> None:
        existing = pl.read_csv(csv_path, schema=dict(frame.schema))
        pl.concat([existing, last]).write_csv(csv_path)

    mine, base = _median(ours), _median(naive_csv)
    return row(
        "storage: upsert one bar into a month partition",
        mine * 1000,
        base * 1000,
        "ms",
        "<= 20 ms",
        mine * 1000 <= 20,
        baseline_is="rewrite the month's CSV",
        runs=REPEAT,
        includes="lock, read, merge, atomic write, fsync",
    )


def run() -> list[dict[str, Any]]:
    from finbot.storage.parquet_writer import BarStore

    frame = coin_year()
    tmp = Path(tempfile.mkdtemp(prefix="finbot-bench-storage-"))
    try:
        store = BarStore(tmp / "parquet")
        store.upsert("bitcoin", "1h", frame)
        size = _size_row(frame, tmp / "parquet")
        csv_path = tmp / "year.csv"
        frame.write_csv(csv_path)
        read = _median(lambda: store.read("bitcoin", "1h"))
        read_csv = _median(lambda: pl.read_csv(csv_path))
        read_row = row(
            "storage: read one coin-year hourly",
            read * 1000,
            read_csv * 1000,
            "ms",
            "<= 20 ms",
            read * 1000 <= 20,
            rows=frame.height,
            runs=REPEAT,
            baseline_is="pl.read_csv of the same bars",
        )
        return [size, read_row, _upsert_rows(store, frame, tmp)]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    for result in run():
        print(result)
