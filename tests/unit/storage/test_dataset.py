"""ParquetDataset: generic records keyed by columns, partitioned by coin/year/month."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from finbot.errors import DataError, UsageError
from finbot.storage.dataset import ParquetDataset
from finbot.storage.parquet_writer import UpsertResult
from tests.fixtures.storage import HOUR_MS, JAN_2024_MS

pytestmark = pytest.mark.unit

FEB_2024_MS = JAN_2024_MS + 31 * 24 * HOUR_MS


def _prices(ts: list[int], usd: list[float | None]) -> pl.DataFrame:
    return pl.DataFrame({"ts": ts, "usd": usd}, schema={"ts": pl.Int64, "usd": pl.Float64})


@pytest.fixture
def prices(tmp_path: Path) -> ParquetDataset:
    return ParquetDataset(tmp_path / "parquet", "prices", ["ts"], positive_columns=["usd"])


def test_upsert_is_idempotent_and_replaces(prices: ParquetDataset) -> None:
    frame = _prices([JAN_2024_MS, JAN_2024_MS + 1000, FEB_2024_MS], [1.0, 2.0, 3.0])
    assert prices.upsert(frame, partition="bitcoin") == UpsertResult(inserted=3)
    assert prices.upsert(frame, partition="bitcoin") == UpsertResult(unchanged=3)
    changed = _prices([JAN_2024_MS + 1000, JAN_2024_MS + 1000], [5.0, 6.0])  # last wins
    assert prices.upsert(changed, partition="bitcoin") == UpsertResult(updated=1)
    out = prices.read("bitcoin")
    assert out["usd"].to_list() == [1.0, 6.0, 3.0]
    assert prices.last_ts("bitcoin") == FEB_2024_MS
    relative = sorted(p.relative_to(prices.root).as_posix() for p in prices.root.rglob("*.parquet"))
    assert relative == [
        "prices/coin=bitcoin/year=2024/month=01/part.parquet",
        "prices/coin=bitcoin/year=2024/month=02/part.parquet",
    ]
    metadata = pq.read_schema(prices.root / relative[0]).metadata
    assert json.loads(metadata[b"finbot.key_columns"]) == ["ts"]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (None, None, [1.0, 2.0, 3.0]),
        (JAN_2024_MS + 1, None, [2.0, 3.0]),
        (None, JAN_2024_MS + 1000, [1.0, 2.0]),
        (FEB_2024_MS + 1, None, []),
    ],
)
def test_read_range(
    prices: ParquetDataset, start: int | None, end: int | None, expected: list[float]
) -> None:
    prices.upsert(
        _prices([JAN_2024_MS, JAN_2024_MS + 1000, FEB_2024_MS], [1.0, 2.0, 3.0]),
        partition="bitcoin",
    )
    out = prices.read("bitcoin", start_ms=start, end_ms=end)
    assert (out["usd"].to_list() if out.height else []) == expected


def test_read_all_partitions_adds_the_partition_column(prices: ParquetDataset) -> None:
    prices.upsert(_prices([JAN_2024_MS], [1.0]), partition="bitcoin")
    prices.upsert(_prices([JAN_2024_MS], [2.0]), partition="ethereum")
    out = prices.read()
    assert prices.partitions() == ["bitcoin", "ethereum"]
    assert out.sort("coin").select("coin", "usd").rows() == [("bitcoin", 1.0), ("ethereum", 2.0)]
    assert prices.read("solana").height == 0 and prices.last_ts("solana") is None
    assert ParquetDataset(prices.root, "empty", ["ts"]).read().height == 0


@pytest.mark.parametrize(
    ("usd", "reason"),
    [
        (None, None),
        (float("nan"), "usd: NaN, infinite or <= 0"),
        (-1.0, "usd: NaN, infinite or <= 0"),
        (float("inf"), "usd: NaN, infinite or <= 0"),
    ],
)
def test_bad_values_are_rejected(
    prices: ParquetDataset, usd: float | None, reason: str | None
) -> None:
    result = prices.upsert(_prices([JAN_2024_MS, JAN_2024_MS + 1], [1.0, usd]), partition="all")
    assert result.rejected == (0 if reason is None else 1)
    assert result.reasons == ({} if reason is None else {reason: 1})


def test_null_keys_are_rejected(tmp_path: Path) -> None:
    fx = ParquetDataset(tmp_path, "fx", ["ts", "currency"], partition_key="base")
    frame = pl.DataFrame(
        {"ts": [JAN_2024_MS, JAN_2024_MS], "currency": ["EUR", None], "rate": [0.9, 1.0]}
    )
    result = fx.upsert(frame, partition="usd")
    assert result.inserted == 1 and result.reasons == {"currency: null": 1}
    assert fx.read("usd").drop("ts").rows() == [("EUR", 0.9)]
    assert fx.partition_dir("usd").name == "base=usd"


def test_new_columns_are_merged(prices: ParquetDataset) -> None:
    prices.upsert(_prices([JAN_2024_MS], [1.0]), partition="bitcoin")
    prices.upsert(
        pl.DataFrame({"ts": [JAN_2024_MS + 1], "usd": [2.0], "eur": [1.8]}), partition="bitcoin"
    )
    out = prices.read("bitcoin")
    assert out.columns == ["ts", "usd", "eur"] and out["eur"].to_list() == [None, 1.8]


@pytest.mark.parametrize(
    ("kwargs", "frame", "error", "match"),
    [
        ({"name": "Prices"}, None, UsageError, "dataset name"),
        ({"name": "timeframe=1h"}, None, UsageError, "dataset name"),
        ({"key_columns": ["coin"]}, None, UsageError, "time column"),
        ({}, pl.DataFrame({"usd": [1.0]}), DataError, "missing column"),
        ({}, pl.DataFrame({"ts": ["2024"], "usd": [1.0]}), DataError, "epoch milliseconds"),
    ],
)
def test_bad_use_is_reported(
    tmp_path: Path, kwargs: dict, frame: pl.DataFrame | None, error: type[Exception], match: str
) -> None:
    args = {"name": "prices", "key_columns": ["ts"], **kwargs}
    with pytest.raises(error, match=match):
        dataset = ParquetDataset(
            tmp_path, args["name"], args["key_columns"], positive_columns=["usd"]
        )
        dataset.upsert(frame if frame is not None else _prices([1], [1.0]), partition="x")


def test_bad_partition_name_is_a_usage_error(prices: ParquetDataset) -> None:
    with pytest.raises(UsageError, match="partition"):
        prices.upsert(_prices([JAN_2024_MS], [1.0]), partition="../up")


def test_corrupt_month_is_quarantined_on_read(prices: ParquetDataset) -> None:
    prices.upsert(_prices([JAN_2024_MS, FEB_2024_MS], [1.0, 2.0]), partition="bitcoin")
    damaged = next(prices.root.rglob("month=01/part.parquet"))
    damaged.write_bytes(b"junk")
    assert prices.read("bitcoin")["usd"].to_list() == [2.0]
    assert (prices.quarantine_dir / damaged.relative_to(prices.root)).exists()
