"""A saved volatility model: plain JSON (+ LightGBM text), forecasting exactly as the fitted
one, and refused with one ModelError line when it is not what it should be."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from finbot.errors import ModelError
from finbot.prediction.volatility import (
    CANDIDATES,
    VolatilityForecast,
    forecast_volatility,
    load_volatility,
    save_volatility,
)
from finbot.prediction.volatility.persist import BOOSTER_FILE, FORMAT_VERSION, MODEL_FILE

from . import fitted_models

pytestmark = pytest.mark.unit

MOVES = (0.005, 0.02, -0.005, -0.02)


def _numbers(f: VolatilityForecast) -> np.ndarray:
    touch = [f.touch_probability(m) for m in MOVES]
    values = [f.variance, *f.interval, f.p_up, f.p_down, *touch]
    return np.array([math.nan if v is None else v for v in values])


def _reject_constant(name: str) -> None:
    raise AssertionError(f"{name} in a saved model")


@pytest.mark.parametrize("name", CANDIDATES)
def test_a_loaded_model_forecasts_as_the_fitted_one(tmp_path: Path, name: str) -> None:
    fitted = fitted_models.variants()[name]
    save_volatility(fitted, tmp_path)
    loaded = load_volatility(tmp_path)
    assert loaded == fitted  # every field (the booster compares by its smearing factor)
    bars = fitted_models.all_bars()
    for until in (fitted_models.FIT_BARS, fitted_models.N_BARS - 7, fitted_models.N_BARS):
        before = forecast_volatility(fitted, bars.head(until))
        after = forecast_volatility(loaded, bars.head(until))
        np.testing.assert_allclose(_numbers(after), _numbers(before), rtol=1e-12)
        assert after.to_dict() == before.to_dict()
        assert after.ts == int(bars["ts"][until - 1]) and after.model == name


def test_the_fitted_models_own_forecast_is_the_loaded_ones(tmp_path: Path) -> None:
    model = fitted_models.model()
    save_volatility(model.fitted, tmp_path)
    loaded = forecast_volatility(load_volatility(tmp_path), model.bars)
    assert loaded.to_dict() == model.forecast().to_dict()


def test_the_file_is_plain_json_with_its_format_and_version(tmp_path: Path) -> None:
    fitted = fitted_models.variants()["har_range"]
    save_volatility(fitted, tmp_path)
    doc = json.loads((tmp_path / MODEL_FILE).read_text(), parse_constant=_reject_constant)
    assert doc["format"] == "finbot.volatility" and doc["format_version"] == FORMAT_VERSION
    assert doc["timeframe"] == "1h" and doc["horizon"] == "6h" and doc["h"] == 6
    model = doc["model"]
    assert model["name"] == "har_range" and len(model["coef"]) == 11  # 1 + 3 + 3 + 2 harmonics
    assert set(doc["maps"]) == {
        "quantile",
        "quantile_constant",
        "touch_up",
        "touch_down",
        "up",
        "down",
    }
    assert doc["training"]["last_ts"] == int(
        fitted_models.all_bars()["ts"][fitted_models.FIT_BARS - 1]
    )
    assert [p.name for p in tmp_path.iterdir()] == [MODEL_FILE]


def test_the_boosted_model_is_saved_as_lightgbm_text(tmp_path: Path) -> None:
    save_volatility(fitted_models.variants()["lightgbm"], tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [BOOSTER_FILE, MODEL_FILE]
    assert (tmp_path / BOOSTER_FILE).read_text().startswith("tree\nversion=")
    doc = json.loads((tmp_path / MODEL_FILE).read_text())
    assert (
        doc["model"]["booster_file"] == BOOSTER_FILE and len(doc["model"]["booster_sha256"]) == 64
    )


def test_the_garch_state_is_saved_with_its_anchor(tmp_path: Path) -> None:
    fitted = fitted_models.variants()["garch"]
    save_volatility(fitted, tmp_path)
    model = json.loads((tmp_path / MODEL_FILE).read_text())["model"]
    assert set(model) == {"name", "omega", "alpha", "beta", "anchor_ts", "next_variance"}
    assert model["anchor_ts"] == fitted.training.last_ts


def test_an_unmeasured_figure_is_saved_as_null(tmp_path: Path) -> None:
    fitted = fitted_models.variants()["har"]
    unmeasured = dataclasses.replace(fitted.skill, qlike_ratio=math.nan, touch_brier_ratio=math.nan)
    save_volatility(dataclasses.replace(fitted, skill=unmeasured), tmp_path)
    doc = json.loads((tmp_path / MODEL_FILE).read_text(), parse_constant=_reject_constant)
    assert doc["skill"]["qlike_ratio"] is None
    skill = load_volatility(tmp_path).skill
    assert math.isnan(skill.qlike_ratio) and math.isnan(skill.touch_brier_ratio)
    assert skill.direction == fitted.skill.direction and not skill.touch


def test_a_non_finite_parameter_is_not_saved(tmp_path: Path) -> None:
    fitted = fitted_models.variants()["har"]
    broken = dataclasses.replace(fitted, maps=dataclasses.replace(fitted.maps, quantile=math.inf))
    with pytest.raises(ModelError, match="non-finite"):
        save_volatility(broken, tmp_path)


def test_saving_again_replaces_the_files(tmp_path: Path) -> None:
    variants = fitted_models.variants()
    save_volatility(variants["lightgbm"], tmp_path)
    save_volatility(variants["garch"], tmp_path)
    assert load_volatility(tmp_path).chosen == "garch"
    assert [p.name for p in tmp_path.iterdir()] == [MODEL_FILE]  # no booster, no temporary


# ------------------------------------------------------------------------- what is refused
Edit = Callable[[Path], object]


def _edit_json(change: Callable[[dict[str, Any]], object]) -> Edit:
    """An edit of the saved document in place (``change``'s result is ignored)."""

    def edit(folder: Path) -> None:
        path = folder / MODEL_FILE
        doc = json.loads(path.read_text())
        change(doc)
        path.write_text(json.dumps(doc))

    return edit


def _write(text: str, name: str = MODEL_FILE) -> Edit:
    return lambda folder: (folder / name).write_text(text)


def _truncate(folder: Path) -> None:
    path = folder / MODEL_FILE
    path.write_text(path.read_text()[:200])


BAD: dict[str, tuple[str, Edit, str]] = {
    "missing": ("har", lambda f: (f / MODEL_FILE).unlink(), "no saved volatility model"),
    "truncated": ("har", _truncate, "not valid JSON"),
    "nan": ("har", _write('{"format": NaN}'), "not plain JSON"),
    "a list": ("har", _write("[1, 2]"), "the file is not an object"),
    "other format": ("har", _edit_json(lambda d: d.update(format="other")), "format: expected"),
    "newer version": (
        "har",
        _edit_json(lambda d: d.update(format_version=FORMAT_VERSION + 1)),
        f"format version {FORMAT_VERSION + 1}",
    ),
    "no smear": ("har", _edit_json(lambda d: d["model"].pop("smear")), "model.smear is missing"),
    "short coef": (
        "har_range",
        _edit_json(lambda d: d["model"]["coef"].pop()),
        "model.coef: expected a list of 11 numbers",
    ),
    "text level": ("har", _edit_json(lambda d: d.update(level="0.8")), "level: expected a finite"),
    "level 1": ("har", _edit_json(lambda d: d.update(level=1.0)), "level: expected a fraction"),
    "unknown model": (
        "har",
        _edit_json(lambda d: d["model"].update(name="arima")),
        "model.name: expected one of",
    ),
    "h off": ("har", _edit_json(lambda d: d.update(h=5)), "h: expected 6 (6h in 1h bars)"),
    "360m": (
        "har",
        _edit_json(lambda d: d.update(horizon="360m")),
        "horizon: expected canonical durations ('1h', '6h')",
    ),
    "bad timeframe": ("har", _edit_json(lambda d: d.update(timeframe="soon")), "timeframe"),
    "negative alpha": (
        "garch",
        _edit_json(lambda d: d["model"].update(alpha=-0.1)),
        "model.alpha: expected a number at least 0",
    ),
    "explosive": (
        "garch",
        _edit_json(lambda d: d["model"].update(alpha=0.3, beta=0.8)),
        "model.beta: expected alpha + beta at most 1",
    ),
    "no calibration": (
        "har",
        _edit_json(lambda d: d["maps"].pop("touch_up")),
        "maps.touch_up is missing",
    ),
    "boolean count": (
        "har",
        _edit_json(lambda d: d["training"].update(n_bars=True)),
        "training.n_bars: expected an integer",
    ),
    "booster edited": (
        "lightgbm",
        lambda f: (f / BOOSTER_FILE).write_text((f / BOOSTER_FILE).read_text() + "\n"),
        "does not match its SHA-256",
    ),
    "booster missing": (
        "lightgbm",
        lambda f: (f / BOOSTER_FILE).unlink(),
        "booster unreadable",
    ),
    "booster elsewhere": (
        "lightgbm",
        _edit_json(lambda d: d["model"].update(booster_file="../booster.txt")),
        "model.booster_file: expected a file name",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_file_is_one_model_error_line(tmp_path: Path, case: str) -> None:
    name, edit, expected = BAD[case]
    save_volatility(fitted_models.variants()[name], tmp_path)
    edit(tmp_path)
    with pytest.raises(ModelError) as info:
        load_volatility(tmp_path)
    message = str(info.value)
    assert expected in message
    assert str(tmp_path) in message and "\n" not in message


def test_a_booster_that_is_no_model_is_refused(tmp_path: Path) -> None:
    """Text and checksum replaced together: LightGBM's own refusal, as one line."""
    import hashlib

    save_volatility(fitted_models.variants()["lightgbm"], tmp_path)
    garbage = "tree\nversion=v4\nthis is not a model\n"
    (tmp_path / BOOSTER_FILE).write_text(garbage)
    sha = hashlib.sha256(garbage.encode()).hexdigest()
    _edit_json(lambda d: d["model"].update(booster_sha256=sha))(tmp_path)
    with pytest.raises(ModelError, match="not a LightGBM model") as info:
        load_volatility(tmp_path)
    assert "\n" not in str(info.value)
