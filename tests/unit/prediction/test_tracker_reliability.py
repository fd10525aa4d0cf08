"""The tracker scores each answer's stated outcome and tabulates its confidence against how
often that outcome happened; a database made before those columns gains them."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import MetaData, Table, create_engine, inspect

from finbot.paths import Paths
from finbot.prediction.tracking.prediction_tracker import PredictionRow, PredictionTracker
from finbot.prediction.tracking.reliability import OUTCOME_COLUMNS, reliability
from finbot.storage.db import engine_for
from finbot.storage.parquet_writer import BarStore
from tests.fixtures.tracker import T0, flat_bars, new_prediction

pytestmark = pytest.mark.unit
H = 3_600_000


@pytest.fixture
def tracker(home: Paths, db_backend: str) -> PredictionTracker:
    return PredictionTracker(engine_for(home.db_url))


def test_stated_outcomes_are_scored_and_tabulated(tracker: PredictionTracker, home: Paths) -> None:
    store = BarStore(home.parquet_dir)
    store.upsert("bitcoin", "1h", flat_bars({T0 + H: 100.5}))  # realised: +0.5 %
    cases = [("up", 62.0, True), ("flat", 35.0, False), ("down", 20.0, False)]
    for i, (outcome, confidence, _) in enumerate(cases):  # one as-of bar each: none deduplicated
        tracker.record(
            new_prediction(
                confidence=confidence, outcome=outcome, outcome_threshold=0.004, bar_ts=T0 - i * H
            )
        )
    tracker.record(new_prediction(confidence=50.0))  # stated nothing: left out of the table
    assert tracker.resolve_due(store, T0 + 3 * H) == 4
    hits = {r["outcome"]: r["outcome_hit"] for r in tracker.recent(10)}
    assert hits == {o: hit for o, _, hit in cases} | {None: None}
    table = tracker.reliability(T0 + 3 * H)
    assert table["n"] == 3
    assert [(b["low"], b["n"], b["frequency"]) for b in table["bins"]] == [
        (0.2, 1, 0.0),
        (0.3, 1, 0.0),
        (0.6, 1, 1.0),
    ]
    assert table["gap"] == pytest.approx((0.2 + 0.35 + 0.38) / 3)


def test_the_table_of_a_calibrated_forecaster_has_a_small_gap() -> None:
    rng = np.random.default_rng(7)
    p = rng.uniform(0, 1, 20_000)
    hit = rng.uniform(0, 1, p.size) < p
    table = reliability(zip(p.tolist(), hit.tolist(), strict=True))
    assert table["n"] == p.size and len(table["bins"]) == 10 and table["gap"] < 0.02
    coin_flips = (rng.uniform(0, 1, p.size) < 0.5).tolist()
    overconfident = reliability(zip(p.tolist(), coin_flips, strict=True))
    assert overconfident["gap"] > 0.2
    assert reliability([]) == {"n": 0, "gap": None, "bins": []}


def test_a_database_made_before_the_outcome_columns_gains_them(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    old = Table(
        PredictionRow.__tablename__,
        MetaData(),
        *[c.copy() for c in PredictionRow.__table__.columns if c.name not in OUTCOME_COLUMNS],
    )
    old.create(engine)
    tracker = PredictionTracker(engine)
    columns = {c["name"] for c in inspect(engine).get_columns(PredictionRow.__tablename__)}
    assert set(OUTCOME_COLUMNS) <= columns
    tracker.record(new_prediction(outcome="up", outcome_threshold=0.004))
    assert tracker.recent(1)[0]["outcome"] == "up"
    PredictionTracker(engine)  # a second open finds nothing to add
    assert math.isfinite(tracker.recent(1)[0]["outcome_threshold"])
