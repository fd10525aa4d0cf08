"""Honest counts: one tracker row per coin, horizon and as-of bar (issue 12, item 3), older
tables migrated, and a prediction scored at the time of its price plus the horizon."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from finbot.paths import Paths
from finbot.prediction.tracking.prediction_tracker import PredictionTracker
from finbot.storage.db import engine_for
from finbot.storage.parquet_writer import BarStore
from finbot.timeframes import HOUR_MS, MINUTE_MS
from tests.fixtures.tracker import T0, flat_bars, new_prediction

pytestmark = pytest.mark.unit


@pytest.fixture
def tracker(home: Paths, db_backend: str) -> PredictionTracker:
    return PredictionTracker(engine_for(home.db_url))


def test_asking_again_about_the_same_bar_records_nothing_new(tracker) -> None:  # type: ignore[no-untyped-def]
    first = tracker.record(new_prediction(bar_ts=T0 + HOUR_MS))
    for minute in (1, 5, 9):  # best, when, the menu: the same bar asked about again
        again = new_prediction(
            bar_ts=T0 + HOUR_MS, as_of=T0 + HOUR_MS + minute * MINUTE_MS, made_at=T0 + 2 * HOUR_MS
        )
        assert tracker.record(again) == first
    assert tracker.counts()["pending"] == 1
    tracker.record(new_prediction(bar_ts=T0 + 2 * HOUR_MS))  # the next bar: a new row
    tracker.record(new_prediction(bar_ts=T0 + HOUR_MS, horizon="6h"))  # another horizon
    assert tracker.counts()["pending"] == 3


def test_an_older_table_is_migrated_and_deduplicated(home: Paths, db_backend: str) -> None:
    engine = engine_for(home.db_url)
    PredictionTracker(engine)
    with engine.begin() as conn:  # back to the table as it was before bar_ts
        conn.execute(text("DROP INDEX ux_predictions_coin_horizon_bar"))
        conn.execute(text("ALTER TABLE predictions DROP COLUMN bar_ts"))
        for made in range(9):  # one bar counted nine times, as_of its OPEN time
            conn.execute(
                text(
                    "INSERT INTO predictions (coin, horizon, timeframe, made_at, as_of, "
                    "target_ts, last_price, predicted_price, predicted_return, source, status) "
                    "VALUES ('ethereum', '1h', '1h', :made, :as_of, :target, 100, 101, 0.01, "
                    "'cli', 'pending')"
                ),
                {"made": T0 + made, "as_of": T0, "target": T0 + HOUR_MS},
            )
    tracker = PredictionTracker(engine)
    rows = tracker.recent()
    assert len(rows) == 1 and rows[0]["made_at"] == T0  # the first of the nine kept
    assert rows[0]["as_of"] == rows[0]["bar_ts"] == T0 + HOUR_MS  # now the close time
    assert rows[0]["target_ts"] == T0 + 2 * HOUR_MS
    store = BarStore(home.parquet_dir)
    store.upsert("ethereum", "1h", flat_bars({T0 + HOUR_MS: 103.0}))  # closes at the target
    assert tracker.resolve_due(store, T0 + 3 * HOUR_MS) == 1
    assert tracker.recent()[0]["realised_price"] == 103.0  # scored as before the migration
    tracker.record(new_prediction(coin="ethereum", bar_ts=T0 + HOUR_MS))
    assert len(tracker.recent()) == 1  # the unique index holds


def test_scored_at_the_price_time_plus_the_horizon(tracker, home: Paths) -> None:  # type: ignore[no-untyped-def]
    asked = T0 + HOUR_MS + 37 * MINUTE_MS  # asked at 07:37 from a 07:37 quote
    tracker.record(new_prediction(as_of=asked, bar_ts=T0 + HOUR_MS, made_at=asked))
    row = tracker.recent()[0]
    assert row["target_ts"] == asked + HOUR_MS  # 08:37, not the bar closing at 08:00
    store = BarStore(home.parquet_dir)
    five = {asked + HOUR_MS - 5 * MINUTE_MS + i * 5 * MINUTE_MS: 100.0 + i for i in range(3)}
    store.upsert("bitcoin", "5m", flat_bars(five))  # 5 m bars closing 08:37, 08:42, 08:47
    store.upsert("bitcoin", "1h", flat_bars({T0 + HOUR_MS: 90.0, T0 + 2 * HOUR_MS: 80.0}))
    assert tracker.resolve_due(store, asked + HOUR_MS - MINUTE_MS) == 0  # not due yet
    assert tracker.resolve_due(store, asked + 2 * HOUR_MS) == 1
    done = tracker.recent()[0]
    assert done["realised_price"] == 100.0  # the 5 m bar closing at 08:37
    assert done["resolved_bar_ts"] == asked + HOUR_MS - 5 * MINUTE_MS


def test_waits_for_the_bar_nearest_the_target(tracker, home: Paths) -> None:  # type: ignore[no-untyped-def]
    asked = T0 + HOUR_MS + 37 * MINUTE_MS  # 07:37, hourly bars only
    tracker.record(new_prediction(as_of=asked, bar_ts=T0 + HOUR_MS, made_at=asked))
    store = BarStore(home.parquet_dir)
    store.upsert("bitcoin", "1h", flat_bars({T0 + HOUR_MS: 90.0, T0 + 2 * HOUR_MS: 104.0}))
    target = asked + HOUR_MS  # 08:37
    assert tracker.resolve_due(store, target + MINUTE_MS) == 0  # 08:00 is 37 min off: wait
    assert tracker.resolve_due(store, T0 + 3 * HOUR_MS) == 1  # the bar closing at 09:00
    done = tracker.recent()[0]
    assert done["realised_price"] == 104.0 and done["resolved_bar_ts"] == T0 + 2 * HOUR_MS
