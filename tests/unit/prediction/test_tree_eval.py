"""The numpy tree evaluator equals LightGBM's and XGBoost's own predictions (missing values,
values exactly at thresholds), and ``finbot predict`` of a LightGBM model imports neither
library (nor scikit-learn, scipy or pandas): the cold CLI took ~3.7 s for those imports."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import lightgbm
import numpy as np
import pytest
import xgboost

from finbot.errors import ModelError
from finbot.prediction.models.algorithms import load_native, save_native
from finbot.prediction.models.tree_eval import (
    TreeEnsemble,
    UnsupportedModel,
    load_lightgbm,
    parse_base_score,
)

N_FEATURES = 6


def _matrix(rng: np.random.Generator, n: int, *, nan: float, zero: float) -> np.ndarray:
    x = rng.normal(size=(n, N_FEATURES))
    x[rng.random(x.shape) < nan] = np.nan
    x[rng.random(x.shape) < zero] = 0.0
    return x


def _train_data(with_nan: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    x = _matrix(rng, 1500, nan=0.1 if with_nan else 0.0, zero=0.05)
    y = np.nan_to_num(x[:, 0]) - 0.5 * np.nan_to_num(x[:, 1]) + 0.3 * rng.normal(size=len(x))
    return x, y


def _probe_rows(model: TreeEnsemble, n: int = 4000) -> np.ndarray:
    """Random rows with NaNs, zeros, tiny values, and columns set exactly at split thresholds."""
    rng = np.random.default_rng(11)
    x = _matrix(rng, n, nan=0.1, zero=0.05)
    x[rng.random(x.shape) < 0.01] = 1e-40
    splits = np.flatnonzero(model.left != np.arange(model.left.size))
    for row in range(0, n, 2):
        for node in rng.choice(splits, size=3):
            x[row, model.feature[node]] = float(model.threshold[node])
    return x


def _lightgbm_booster(folder: Path, **params: Any) -> lightgbm.Booster:
    x, y = _train_data(params.pop("with_nan", True))
    estimator = lightgbm.LGBMRegressor(
        n_estimators=60,
        learning_rate=0.1,
        num_leaves=15,
        min_child_samples=20,
        verbose=-1,
        random_state=0,
        n_jobs=1,
        **params,
    ).fit(x, y)
    folder.mkdir(parents=True, exist_ok=True)
    save_native("lightgbm", estimator, folder)
    return lightgbm.Booster(model_file=str(folder / "model.txt"))


@pytest.mark.parametrize(
    "params",
    [
        {"objective": "l1"},
        {"objective": "l1", "with_nan": False},
        {"objective": "huber"},
        {"objective": "huber", "with_nan": False},
        {"objective": "l1", "zero_as_missing": True},
        {"objective": "l1", "use_missing": False},
        {"objective": "l1", "boosting_type": "rf", "subsample": 0.7, "subsample_freq": 1},
    ],
    ids=["l1", "l1-no-nan", "huber", "huber-no-nan", "zero-missing", "no-missing", "rf"],
)
def test_lightgbm_equals_booster_predict(tmp_path: Path, params: dict[str, Any]) -> None:
    booster = _lightgbm_booster(tmp_path, **params)
    model = load_native("lightgbm", tmp_path)
    assert isinstance(model, TreeEnsemble)
    rows = _probe_rows(model)
    np.testing.assert_allclose(model.predict(rows), booster.predict(rows), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(
        model.predict(rows[:1]), booster.predict(rows[:1]), rtol=1e-9, atol=1e-15
    )


@pytest.mark.parametrize("objective", ["reg:absoluteerror", "reg:pseudohubererror"])
@pytest.mark.parametrize("with_nan", [True, False])
def test_xgboost_equals_booster_predict(tmp_path: Path, objective: str, with_nan: bool) -> None:
    x, y = _train_data(with_nan)
    estimator = xgboost.XGBRegressor(
        tree_method="hist",
        objective=objective,
        n_estimators=60,
        learning_rate=0.1,
        max_depth=5,
        n_jobs=1,
        random_state=0,
    ).fit(x, y)
    save_native("xgboost", estimator, tmp_path)
    booster = xgboost.Booster()
    booster.load_model(str(tmp_path / "model.json"))
    model = load_native("xgboost", tmp_path)
    assert isinstance(model, TreeEnsemble)
    rows = _probe_rows(model)
    np.testing.assert_allclose(
        model.predict(rows), booster.inplace_predict(rows), rtol=1e-9, atol=1e-15
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [("[5E-1]", 0.5), ("5E-1", 0.5), ("[-5.673227E-3]", float(np.float32(-5.673227e-3)))],
)
def test_base_score_in_both_formats(text: str, value: float) -> None:
    assert parse_base_score(text) == value


def test_several_base_scores_are_unsupported() -> None:
    with pytest.raises(UnsupportedModel):
        parse_base_score("[1E0,2E0]")


def test_categorical_splits_fall_back_to_the_library(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(800, N_FEATURES))
    x[:, 2] = rng.integers(0, 5, size=len(x))
    y = x[:, 2] + 0.1 * rng.normal(size=len(x))
    booster = lightgbm.train(
        {"objective": "l1", "verbose": -1, "num_leaves": 7},
        lightgbm.Dataset(x, y, categorical_feature=[2]),
        10,
    )
    save_native("lightgbm", booster, tmp_path)
    with pytest.raises(UnsupportedModel, match="categorical"):
        load_lightgbm(tmp_path / "model.txt")
    model = load_native("lightgbm", tmp_path)
    assert not isinstance(model, TreeEnsemble)
    np.testing.assert_allclose(model.predict(x[:50]), booster.predict(x[:50]))


def test_wrong_column_count_and_corrupt_files_raise_model_error(tmp_path: Path) -> None:
    _lightgbm_booster(tmp_path, objective="l1")
    model = load_native("lightgbm", tmp_path)
    assert model is not None
    with pytest.raises(ModelError, match="expected 6 columns"):
        model.predict(np.zeros((1, 5)))
    (tmp_path / "model.txt").write_text(
        "tree\nmax_feature_idx=5\nobjective=regression_l1\nTree=0\nnum_leaves=2\nleaf_value=1\n"
    )
    with pytest.raises(ModelError, match="cannot load"):
        load_native("lightgbm", tmp_path)
    (tmp_path / "model.json").write_text(json.dumps({"learner": {}}))
    with pytest.raises(ModelError, match="cannot load"):
        load_native("xgboost", tmp_path)


# ------------------------------------------------------------------ the cold predict path
HEAVY = ("lightgbm", "xgboost", "sklearn", "scipy", "pandas", "httpx")
WRAPPER = """
import json, runpy, sys
sys.argv = ["finbot", "--home", sys.argv[1], "predict", "--coin", "bitcoin", "--horizon", "1h",
            "--json"]
try:
    runpy.run_module("finbot", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = sorted(m for m in sys.modules if m.split(".")[0] in set(HEAVY_NAMES))
sys.stderr.write("HEAVY=" + json.dumps({"code": code, "modules": heavy}) + "\\n")
""".replace("HEAVY_NAMES", repr(HEAVY))


@pytest.fixture(scope="module")
def lightgbm_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with recent bitcoin hourly bars and a LightGBM model served for 1 h."""
    from finbot.paths import Paths
    from finbot.prediction.features.feature_builder import feature_matrix
    from finbot.prediction.models.algorithms import make_estimator
    from finbot.prediction.models.model_store import ModelStore
    from finbot.prediction.training.trainer import dataset, train
    from finbot.storage.parquet_writer import BarStore
    from finbot.timeframes import duration_ms
    from tests.fixtures.bars import planted_signal

    home = tmp_path_factory.mktemp("lgb-home")
    paths = Paths.resolve(home).ensure()
    step = duration_ms("1h")
    bars = planted_signal(
        1200, 11, timeframe="1h", start_ms=(int(time.time() * 1000) // step - 1200) * step
    )
    BarStore(paths.parquet_dir).upsert("bitcoin", "1h", bars)
    report = train("bitcoin", "1h", "1h", bars, algorithms=("lightgbm",))
    data = dataset(bars, "1h")
    fitted = make_estimator("lightgbm", 0).fit(feature_matrix(data), data["target"].to_numpy())
    ModelStore(paths.models_dir).save(
        dataclasses.replace(report, chosen="lightgbm", model=fitted, shrink=1.0)
    )
    return home


def test_cli_predict_of_a_lightgbm_model_imports_no_heavy_library(lightgbm_home: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(lightgbm_home)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    line = next(x for x in out.stderr.splitlines() if x.startswith("HEAVY="))
    result = json.loads(line.removeprefix("HEAVY="))
    assert result["code"] in (0, None), out.stderr[-2000:]
    answer = json.loads(out.stdout)
    assert answer["model"] == "lightgbm" and np.isfinite(answer["predicted_return"])
    assert result["modules"] == []


def test_pipeline_prediction_equals_the_library(lightgbm_home: Path) -> None:
    from finbot.paths import Paths
    from finbot.prediction.features.feature_builder import TAIL_BARS, latest_row
    from finbot.prediction.models.model_store import ModelStore
    from finbot.prediction.pipeline import predict, recent_bars
    from finbot.storage.parquet_writer import BarStore

    paths = Paths.resolve(lightgbm_home)
    store, bar_store = ModelStore(paths.models_dir), BarStore(paths.parquet_dir)
    prediction = predict("bitcoin", "1h", store=store, bar_store=bar_store)
    stored = prediction.stored
    assert isinstance(stored.predictor, TreeEnsemble)
    latest = latest_row(recent_bars(bar_store, "bitcoin", "1h", TAIL_BARS))
    assert latest is not None
    booster = lightgbm.Booster(model_file=str(stored.folder / "model.txt"))
    expected = stored.shrink * float(booster.predict(latest[1])[0])
    assert prediction.predicted_return == pytest.approx(expected, rel=1e-9, abs=1e-15)


def test_the_store_evaluates_trees_with_the_evaluator_it_is_given(lightgbm_home: Path) -> None:
    """``NUMPY_TREES`` (the default) gives a TreeEnsemble, ``LIBRARY_TREES`` the library's
    booster, the reference it is checked against: same predictions through the store."""
    from finbot.paths import Paths
    from finbot.prediction.features import build_features, feature_matrix
    from finbot.prediction.models import LIBRARY_TREES, NUMPY_TREES, ModelStore
    from finbot.storage import BarStore

    models = Paths.resolve(lightgbm_home).models_dir
    default = ModelStore(models).load_latest("bitcoin", "1h", "1h")
    fast = ModelStore(models, trees=NUMPY_TREES).load_latest("bitcoin", "1h", "1h")
    reference = ModelStore(models, trees=LIBRARY_TREES).load_latest("bitcoin", "1h", "1h")
    assert isinstance(default.predictor, TreeEnsemble)
    assert isinstance(fast.predictor, TreeEnsemble)
    assert not isinstance(reference.predictor, TreeEnsemble)
    assert isinstance(reference.predictor.booster, lightgbm.Booster)  # type: ignore[attr-defined]
    trees = fast.predictor
    bars = BarStore(Paths.resolve(lightgbm_home).parquet_dir).read("bitcoin", "1h")
    rows = feature_matrix(build_features(bars))
    at_threshold = rows.copy()  # the same rows with split features exactly at a threshold
    rng = np.random.default_rng(5)
    splits = np.flatnonzero(trees.left != np.arange(trees.left.size))
    for row, node in zip(range(len(rows)), rng.choice(splits, size=len(rows)), strict=True):
        at_threshold[row, trees.feature[node]] = float(trees.threshold[node])
    for x in (rows, at_threshold):
        np.testing.assert_allclose(fast.predict(x), reference.predict(x), rtol=1e-9, atol=1e-15)
