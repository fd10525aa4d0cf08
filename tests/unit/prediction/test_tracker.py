"""Tracker: resolved exactly once, against the bar nearest the target, never the latest price."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from finbot.clock import FakeClock, now_ms
from finbot.errors import UsageError
from finbot.paths import Paths
from finbot.prediction.tracking.prediction_tracker import (
    NewPrediction,
    PredictionTracker,
)
from finbot.storage.db import engine_for
from finbot.storage.parquet_writer import BarStore
from tests.fixtures.tracker import T0, flat_bars, new_prediction

pytestmark = pytest.mark.unit
H = 3_600_000


@pytest.fixture
def tracker(home: Paths, db_backend: str) -> PredictionTracker:
    """The home's tracker on SQLite, then on PostgreSQL (the home's schema)."""
    return PredictionTracker(engine_for(home.db_url))


@pytest.fixture
def store(home: Paths) -> BarStore:
    return BarStore(home.parquet_dir)


def prediction(**over: object) -> NewPrediction:
    return new_prediction(**over)


def test_resolves_once_against_the_bar_at_the_target(tracker, store) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock(start=T0 / 1000 + 1800)
    store.upsert("bitcoin", "1h", flat_bars({T0: 100.0}))
    pid = tracker.record(prediction())
    assert tracker.resolve_due(store, now_ms(clock)) == 0  # not due yet
    store.upsert("bitcoin", "1h", flat_bars({T0 + H: 102.0}))
    clock.advance(3600)  # target bar opened but not closed yet
    assert tracker.resolve_due(store, now_ms(clock)) == 0
    clock.advance(3600)  # target bar closed; later bars exist with other prices
    store.upsert("bitcoin", "1h", flat_bars({T0 + 2 * H: 90.0, T0 + 3 * H: 80.0}))
    assert tracker.resolve_due(store, now_ms(clock)) == 1
    row = tracker.recent(1)[0]
    assert row["id"] == pid and row["status"] == "resolved"
    assert row["resolved_bar_ts"] == T0 + H and row["realised_price"] == 102.0  # not 80 (latest)
    assert row["realised_return"] == pytest.approx(math.log(1.02))
    assert row["abs_error"] == pytest.approx(abs(math.log(1.02) - math.log(1.01)))
    assert row["direction_hit"] is True and row["inside_interval"] is True
    # later prices change nothing: it is never re-checked
    store.upsert("bitcoin", "1h", flat_bars({T0 + H: 50.0}))
    clock.advance(36_000)
    assert tracker.resolve_due(store, now_ms(clock)) == 0
    assert tracker.recent(1)[0]["realised_price"] == 102.0


@pytest.mark.parametrize(
    ("bar_offsets", "tolerance", "expected_ts"),
    [
        ({-25 * 60_000: 101.0, 40 * 60_000: 105.0}, 30 * 60_000, -25 * 60_000),  # nearest
        ({40 * 60_000: 105.0}, 45 * 60_000, 40 * 60_000),  # a gap at the target
        ({-20 * 60_000: 101.0, 20 * 60_000: 105.0}, 30 * 60_000, -20 * 60_000),  # tie: earlier
    ],
)
def test_nearest_bar_within_tolerance(tracker, store, bar_offsets, tolerance, expected_ts) -> None:  # type: ignore[no-untyped-def]
    target = T0 + H
    store.upsert("bitcoin", "1h", flat_bars({target + k: v for k, v in bar_offsets.items()}))
    tracker.record(prediction())
    assert tracker.resolve_due(store, target + 2 * H, tolerance_ms=tolerance) == 1
    assert tracker.recent(1)[0]["resolved_bar_ts"] == target + expected_ts


def test_unresolved_without_a_bar_then_expires_once(tracker, store) -> None:  # type: ignore[no-untyped-def]
    store.upsert("bitcoin", "1h", flat_bars({T0: 100.0, T0 + 5 * H: 120.0}))
    tracker.record(prediction())
    assert tracker.resolve_due(store, T0 + 3 * H, tolerance_ms=30 * 60_000) == 0
    assert tracker.counts() == {"pending": 1, "resolved": 0, "expired": 0}
    assert tracker.resolve_due(store, T0 + 30 * H, tolerance_ms=30 * 60_000) == 0
    assert tracker.counts() == {"pending": 0, "resolved": 0, "expired": 1}
    assert tracker.recent()[0]["realised_price"] is None


def test_wrong_direction_and_outside_interval(tracker, store) -> None:  # type: ignore[no-untyped-def]
    store.upsert("bitcoin", "1h", flat_bars({T0 + H: 95.0}))
    store.upsert("ethereum", "1h", flat_bars({T0 + H: 95.0}))
    tracker.record(prediction())
    tracker.record(  # another coin: one row per coin, horizon and bar
        prediction(
            coin="ethereum",
            predicted_return=0.0,
            predicted_price=100.0,
            interval_low=None,
            interval_high=None,
        )
    )
    assert tracker.resolve_due(store, T0 + 3 * H) == 2
    rows = {r["predicted_return"]: r for r in tracker.recent()}
    assert rows[math.log(1.01)]["direction_hit"] is False
    assert rows[math.log(1.01)]["inside_interval"] is False
    assert rows[0.0]["direction_hit"] is None and rows[0.0]["inside_interval"] is None


def test_summary_windows(tracker, store) -> None:  # type: ignore[no-untyped-def]
    now = T0 + 40 * 24 * H
    closes = {}
    for day in (2, 5, 20, 35):  # days ago of the target
        target = now - day * 24 * H
        closes[target - H] = 101.0  # the bar that closes at the target
        tracker.record(prediction(as_of=target - H, made_at=target - H))
    store.upsert("bitcoin", "1h", flat_bars(closes))
    assert tracker.resolve_due(store, now) == 4
    summary = tracker.summary(now)
    windows = summary["bitcoin"]["1h"]
    assert [windows[w]["n"] for w in ("24h", "7d", "30d")] == [0, 2, 3]
    assert windows["30d"]["hit_rate"] == 1.0 and windows["30d"]["coverage"] == 1.0
    assert windows["30d"]["mae"] == pytest.approx(0.0, abs=1e-12)
    assert windows["24h"]["mae"] is None
    assert tracker.summary(now, coin="ethereum") == {}


def test_prune_and_export(tracker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tracker.record(prediction(made_at=T0))
    tracker.record(prediction(made_at=T0 + 100 * 24 * H, as_of=T0 + 100 * 24 * H))
    assert tracker.prune(60, T0 + 100 * 24 * H) == 1
    assert len(tracker.recent()) == 1
    out = tmp_path / "x" / "p.csv"
    assert tracker.export(out) == 1
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0]["coin"] == "bitcoin" and rows[0]["status"] == "pending"
    xlsx = tmp_path / "p.xlsx"
    assert tracker.export(xlsx) == 1
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx).active
    assert sheet is not None and sheet.cell(1, 2).value == "coin" and sheet.max_row == 2
    with pytest.raises(UsageError, match="csv or .xlsx"):
        tracker.export(tmp_path / "p.json")


def test_export_writes_times_as_times(tracker, store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    from openpyxl import load_workbook

    store.upsert("bitcoin", "1h", flat_bars({T0 + H: 102.0}))
    tracker.record(prediction())  # made 5 s after T0 + H, for the bar at T0 + H
    assert tracker.resolve_due(store, T0 + 2 * H + 500) == 1
    tracker.record(prediction(coin="ethereum", made_at=T0 + 3 * H))  # pending: no resolved_at
    assert tracker.recent()[0]["as_of"] == T0 + H  # what --json shows: the stored milliseconds
    out = tmp_path / "p.csv"
    tracker.export(out)
    by_coin = {r["coin"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    done, pending = by_coin["bitcoin"], by_coin["ethereum"]
    assert done["as_of"] == "2023-11-14T23:00:00Z" and done["target_ts"] == "2023-11-15T00:00:00Z"
    assert done["made_at"] == "2023-11-14T23:00:05Z"
    assert done["resolved_bar_ts"] == "2023-11-14T23:00:00Z"
    assert done["resolved_at"] == "2023-11-15T00:00:00.500Z"
    assert pending["resolved_at"] == "" and pending["made_at"] == "2023-11-15T01:00:00Z"
    xlsx = tmp_path / "p.xlsx"
    tracker.export(xlsx)
    sheet = load_workbook(xlsx).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    cells = {row[header.index("coin")].value: row for row in sheet.iter_rows(min_row=2)}
    as_of = cells["bitcoin"][header.index("as_of")]
    assert as_of.is_date and as_of.value == datetime(2023, 11, 14, 23, 0, 0)
    assert cells["bitcoin"][header.index("target_ts")].value == datetime(2023, 11, 15, 0, 0, 0)
    assert cells["ethereum"][header.index("resolved_at")].value is None
    assert cells["bitcoin"][header.index("last_price")].value == 100.0


def test_recent_filters_by_coin(tracker) -> None:  # type: ignore[no-untyped-def]
    tracker.record(prediction())
    tracker.record(prediction(coin="ethereum"))
    assert [r["coin"] for r in tracker.recent(coin="ethereum")] == ["ethereum"]
    assert len(tracker.recent(limit=1)) == 1
