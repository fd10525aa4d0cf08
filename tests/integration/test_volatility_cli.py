"""The volatility model end to end through the CLI: ``train`` fits and saves it beside the point
model, ``predict`` serves its forecast, probabilities and interval (or says why not), the when
question answers a probability per horizon, and the tracker scores the stated outcomes."""

from __future__ import annotations

import json

import pytest

from finbot.paths import Paths
from finbot.prediction.tracking.prediction_tracker import PredictionTracker
from finbot.prediction.volatility import VolatilityStore
from finbot.storage import engine_for
from finbot.storage.parquet_writer import BarStore
from tests.fixtures.bars import planted_signal
from tests.fixtures.cli import invoke

pytestmark = pytest.mark.integration
NEW_KEYS = {"volatility", "volatility_model", "volatility_note", "p_up", "p_down", "probability"}


def predict_json(home: Paths, *args: str) -> dict:  # type: ignore[type-arg]
    result = invoke(home, "predict", *args, "--json")
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def check_probabilities(data: dict) -> None:  # type: ignore[type-arg]
    up, down = data["p_up"], data["p_down"]
    if up is None:
        assert down is None and data["probability"]["reason"]
    else:
        assert 0 <= up <= 1 and 0 <= down <= 1 and up + down <= 1
        assert data["probability"]["source"] == "volatility model"
    assert 0 <= data["confidence"] <= 100


def test_train_saves_the_volatility_model_that_predict_then_serves(home: Paths) -> None:
    BarStore(home.parquet_dir).upsert("bitcoin", "1h", planted_signal(1500, seed=61))
    result = invoke(home, "train", "--coin", "BTC", "--horizon", "1h", "--algorithms", "linear")
    assert result.exit_code == 0, result.output
    assert "volatility model" in result.stdout and "saved as" in result.stdout
    version = VolatilityStore(home.models_dir).latest_version("bitcoin", "1h")
    assert version is not None
    trained = json.loads(
        invoke(home, "train", "--coin", "BTC", "--algorithms", "linear", "--json").stdout
    )["volatility"]
    assert trained["version"] != version  # a new version, the old one kept
    assert VolatilityStore(home.models_dir).versions("bitcoin", "1h") == [
        version,
        trained["version"],
    ]
    data = predict_json(home, "--coin", "btc", "--horizon", "1h")
    assert set(data) >= NEW_KEYS
    assert data["volatility_model"] == trained["model"] and data["volatility"] > 0
    assert data["volatility_note"] == ""
    check_probabilities(data)


def test_predict_json_carries_the_new_keys_or_says_why(trained_home: Paths) -> None:
    for coin, horizon in (("bitcoin", "1h"), ("bitcoin", "6h"), ("ethereum", "1h")):
        data = predict_json(trained_home, "--coin", coin, "--horizon", horizon)
        assert set(data) >= NEW_KEYS and data["volatility"] > 0
        check_probabilities(data)
        outcome = data["probability"]["outcome"]
        assert outcome == ("down" if data["predicted_return"] < 0 else "flat")
    # 10m: 1500 five-minute bars are too few to fit a volatility model
    data = predict_json(trained_home, "--coin", "bitcoin", "--horizon", "10m")
    assert data["volatility"] is None and "no volatility model" in data["volatility_note"]
    assert data["p_up"] is None and "no volatility forecast" in data["probability"]["reason"]
    assert "volatility" not in data["interval"]["method"]


def test_no_direction_skill_gives_null_probabilities_and_hold(trained_home: Paths) -> None:
    """bitcoin 6h: its direction probabilities did not beat the base rate out of sample."""
    data = predict_json(trained_home, "--coin", "bitcoin", "--horizon", "6h")
    assert data["p_up"] is None and data["p_down"] is None
    assert "no measured skill" in data["probability"]["reason"]
    assert data["probability"]["source"] == "base rate" and data["decision"] == "HOLD"
    base = data["probability"]
    flat = 1 - base["base_rate_up"] - base["base_rate_down"]
    assert data["confidence"] == pytest.approx(100 * flat, abs=0.06)
    # the skilled interval is served all the same
    assert data["interval"]["method"].startswith("normalised split conformal on the volatility")


def test_when_answers_a_probability_per_horizon(trained_home: Paths) -> None:
    low = predict_json(trained_home, "--coin", "btc", "--kind", "when", "--gain", "1")
    high = predict_json(trained_home, "--coin", "btc", "--kind", "when", "--gain", "3")
    for data in (low, high):
        assert {"horizon", "predicted_return", "confidence", "probabilities", "level"} <= set(data)
        assert list(data["probabilities"]) == ["10m", "1h", "6h"] and data["level"] == 0.5
        values = list(data["probabilities"].values())
        assert values == sorted(values) and all(0 <= p <= 1 for p in values)
    assert all(high["probabilities"][h] <= low["probabilities"][h] for h in low["probabilities"])
    if low["horizon"] is not None:
        assert low["confidence"] == pytest.approx(100 * low["probabilities"][low["horizon"]], 0.01)


def test_amount_gains_the_probability_of_the_target(trained_home: Paths) -> None:
    data = predict_json(trained_home, "--coin", "btc", "--kind", "amount", "--horizon", "6h")
    assert data["target_eur"] == 50.0 and 0 <= data["p_target"] <= 1
    assert data["p_target_source"] in ("volatility model", "base rate")


def test_text_answers_show_the_forecast_in_both_languages(trained_home: Paths) -> None:
    en = invoke(trained_home, "predict", "--coin", "btc", "--horizon", "1h")
    assert en.exit_code == 0 and "volatility" in en.stdout and "P(up > costs)" in en.stdout
    fr = invoke(trained_home, "predict", "--coin", "btc", "--horizon", "6h", lang="fr")
    assert fr.exit_code == 0 and "volatilité" in fr.stdout and "taux de base" in fr.stdout
    when = invoke(trained_home, "predict", "--coin", "btc", "--kind", "when", "--gain", "2")
    assert "P(high reaches +2 %)" in when.stdout


def test_tracker_records_the_stated_outcome_and_shows_reliability(trained_home: Paths) -> None:
    predict_json(trained_home, "--coin", "btc", "--horizon", "1h")
    rows = PredictionTracker(engine_for(trained_home.db_url)).recent(5)
    assert rows[0]["outcome"] == "down" and rows[0]["outcome_threshold"] > 0
    result = invoke(trained_home, "tracker", "--json")
    assert result.exit_code == 0, result.output
    table = json.loads(result.stdout)["reliability"]
    assert table == {"n": 0, "gap": None, "bins": []}  # nothing resolved yet
    text = invoke(trained_home, "tracker")
    assert "no resolved answers yet" in text.stdout
