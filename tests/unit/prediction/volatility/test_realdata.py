"""The out-of-sample choice on real Binance hourly bitcoin beats the naive forecasts at 6h
(skipped where ../shared/data/real is absent)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from finbot.prediction.volatility import (
    VolatilityConfig,
    bar_grid,
    evaluate_horizon,
    horizon_data,
    horizon_metrics,
    walk_forward,
)
from finbot.schema import conform

pytestmark = [pytest.mark.unit, pytest.mark.realdata]


def _bars(real_data: Path) -> pl.DataFrame:
    raw = pl.read_csv(real_data / "binance-2024h1" / "bitcoin_1h.csv")
    return conform(
        raw.with_columns(
            ts=pl.col("timestamp").str.to_datetime("%Y-%m-%dT%H:%M:%SZ").dt.epoch("ms"),
            source=pl.lit("binance"),
        )
    )


def test_the_chosen_forecast_beats_the_naive_ones_at_6h(real_data: Path) -> None:
    config = VolatilityConfig()
    data = horizon_data(bar_grid(_bars(real_data), "1h"), 6)
    folds = walk_forward(data, config.walk)
    m = horizon_metrics(evaluate_horizon(data, folds, level=0.8, cost=config.cost), 0.8)
    assert m["n"] > 2500
    assert m["variance"]["qlike_ratio"] < 1.0, m["variance"]
    assert m["variance"]["qlike_ratio_best_naive"] < 1.0, m["variance"]
    assert abs(m["interval"]["coverage"] - 0.8) <= 0.03, m["interval"]
