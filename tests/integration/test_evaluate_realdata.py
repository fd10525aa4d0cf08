"""Walk-forward evaluation of what the bot serves on real Binance hourly bitcoin (skipped where
the data is absent)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from finbot.config.models import Costs, Thresholds
from finbot.prediction.tracking import DecisionInputs, EvalConfig, evaluate
from finbot.schema import conform

pytestmark = [pytest.mark.integration, pytest.mark.realdata, pytest.mark.slow]


def load(real_data: Path) -> pl.DataFrame:
    raw = pl.read_csv(real_data / "binance-2024h1" / "bitcoin_1h.csv")
    return conform(
        raw.with_columns(
            ts=pl.col("timestamp").str.to_datetime("%Y-%m-%dT%H:%M:%SZ").dt.epoch("ms"),
            volume=pl.col("volume") * pl.col("close"),
            source=pl.lit("binance"),
        )
    )


def test_real_bitcoin_hourly(real_data: Path) -> None:
    inputs = DecisionInputs(Costs(), Thresholds(), {"1h": 0.5, "6h": 0.5})
    out = evaluate(
        load(real_data),
        coin="bitcoin",
        timeframe="1h",
        horizons=["1h", "6h"],
        inputs=inputs,
        config=EvalConfig(n_folds=5, algorithms=("linear", "lightgbm")),
    )
    for h in ("1h", "6h"):
        m = out.horizons[h]
        assert m["n"] > 2500
        assert abs(m["coverage"] - 0.8) <= 0.03, m  # the conformal intervals hold on real data
        assert 0.95 < m["mae_ratio"] < 1.05, m  # no miracle: about the naive baseline
        assert m["verdict"] != "loss", m  # the naive fallback keeps it from losing significantly
        assert m["qlike_ratio"] < 1 and m["interval_score_ratio"] < 1  # volatility has skill
    if not any(m["edge"] for m in out.horizons.values()):
        assert out.strategy["total_return"] >= out.cash["total_return"] - 0.02
