"""Config fields that take a fixed vocabulary are enum-typed: the settings hand members to the
code, and a bad value is one ConfigError line naming the field and the allowed values."""

from __future__ import annotations

import json

import pytest

from finbot.algorithms import TRAINABLE, Algorithm
from finbot.config import TrainingBackend, effective_config, load_settings
from finbot.errors import ConfigError
from finbot.paths import Paths
from finbot.timeframes import Timeframe

pytestmark = pytest.mark.unit


def _settings_file(home: Paths, data: dict[str, object]) -> None:
    (home.config_dir / "settings.json").write_text(json.dumps(data), encoding="utf-8")


def test_defaults_are_members(settings) -> None:
    general = settings.general
    assert general.training.algorithms == TRAINABLE
    assert all(type(a) is Algorithm for a in general.training.algorithms)
    assert general.training.backend is TrainingBackend.JOBLIB
    assert general.timeframes == (Timeframe.M5, Timeframe.H1, Timeframe.D1)
    assert all(type(tf) is Timeframe for tf in (*general.timeframes, *general.history_days))


def test_user_values_become_members_and_dump_as_strings(home: Paths) -> None:
    _settings_file(
        home,
        {
            "timeframes": ["1h", "4h"],
            "history_days": {"4h": 10},
            "training": {"algorithms": ["xgboost", "linear"], "backend": "dask"},
        },
    )
    general = load_settings(home).general
    assert general.training.algorithms == (Algorithm.XGBOOST, Algorithm.LINEAR)
    assert general.training.backend is TrainingBackend.DASK
    assert general.timeframes == (Timeframe.H1, Timeframe.H4)
    assert general.history_days[Timeframe.H4] == 10  # merged over the defaults' keys
    assert all(type(tf) is Timeframe for tf in general.history_days)
    dumped = effective_config(load_settings(home))["settings.json"]
    assert json.loads(json.dumps(dumped))["training"]["algorithms"] == ["xgboost", "linear"]
    assert dumped["training"]["backend"] == "dask" and dumped["history_days"]["4h"] == 10


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"training": {"backend": "ray"}}, "training.backend: Input should be 'joblib' or 'dask'"),
        (
            {"training": {"algorithms": ["linear", "naive"]}},
            "training.algorithms.1: Input should be 'linear', 'random_forest', 'lightgbm' or "
            "'xgboost', got 'naive'",
        ),
        ({"training": {"algorithms": ["master"]}}, "training.algorithms.0: Input should be"),
        ({"training": {"algorithms": ["svm"]}}, "got 'svm'"),
        (
            {"timeframes": ["1h", "2h"]},
            "timeframes: expected timeframes among 5m, 1h, 4h, 1d, 1w, got '2h'",
        ),
        ({"history_days": {"2h": 3}}, "history_days['2h']: expected a timeframe and days > 0"),
        ({"history_days": {"1h": 0}}, "history_days['1h']: expected a timeframe and days > 0"),
    ],
)
def test_a_bad_value_is_one_clear_line(home: Paths, data: dict[str, object], message: str) -> None:
    _settings_file(home, data)
    with pytest.raises(ConfigError) as info:
        load_settings(home)
    text = str(info.value)
    assert message in text and "settings.json" in text and "\n" not in text
    assert "<" not in text  # no enum repr such as <Algorithm.NAIVE: 'naive'>
