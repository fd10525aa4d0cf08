"""Model store: native formats round-trip, atomic latest pointer, clean-up keeps the live
version, feature-list mismatch refused, reload in a new process predicts the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from finbot.errors import ModelError
from finbot.prediction.features.feature_builder import build_features, feature_matrix
from finbot.prediction.models.model_store import ModelStore
from finbot.prediction.training.trainer import TrainReport, train
from tests.fixtures.bars import planted_signal

pytestmark = pytest.mark.unit
T0 = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def reports() -> dict[str, TrainReport]:
    bars = planted_signal(1500, seed=5)
    out = {}
    for name in ("linear", "random_forest", "lightgbm", "xgboost"):
        report = train("bitcoin", "1h", "1h", bars, algorithms=[name], seed=0)
        assert report.chosen == name
        out[name] = report
    return out


@pytest.fixture(scope="module")
def x_rows() -> np.ndarray:
    return feature_matrix(build_features(planted_signal(300, seed=9)))


@pytest.mark.parametrize("algorithm", ["linear", "random_forest", "lightgbm", "xgboost"])
def test_round_trip_in_native_format(algorithm, reports, x_rows, tmp_path: Path) -> None:
    report = reports[algorithm]
    store = ModelStore(tmp_path)
    version = store.save(report, trained_at=T0)
    folder = tmp_path / "bitcoin" / "1h" / "1h" / version
    assert not list(folder.glob("*.pkl")) and not list(folder.glob("*.pickle"))
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["algorithm"] == algorithm and meta["status"] == "accepted"
    assert meta["metrics"]["naive"]["mae"] > 0 and meta["trained_at"] == "2024-01-01T00:00:00Z"
    assert {"libraries", "data_hash", "training_window", "samples", "shrink"} <= set(meta)
    loaded = store.load_latest("bitcoin", "1h", "1h")
    expected = report.shrink * np.asarray(report.model.predict(x_rows))
    np.testing.assert_allclose(loaded.predict(x_rows), expected, rtol=1e-6, atol=1e-9)
    assert loaded.calibration().columns == ["ts", "y_true", "y_pred"]


def test_new_process_predicts_the_same_numbers(reports, x_rows, tmp_path: Path) -> None:
    store = ModelStore(tmp_path)
    versions = {
        name: store.save(r, trained_at=T0, make_latest=False) for name, r in reports.items()
    }
    np.save(tmp_path / "x.npy", x_rows)
    script = (
        "import sys, json, numpy as np; from pathlib import Path;"
        "from finbot.prediction.models.model_store import ModelStore;"
        "root = Path(sys.argv[1]); x = np.load(root / 'x.npy'); versions = json.loads(sys.argv[2]);"
        "s = ModelStore(root);"
        "print(json.dumps({n: s.load('bitcoin', '1h', '1h', v).predict(x).tolist()"
        " for n, v in versions.items()}))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path), json.dumps(versions)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    again = json.loads(out.stdout)
    for name, values in again.items():
        local = ModelStore(tmp_path).load("bitcoin", "1h", "1h", versions[name]).predict(x_rows)
        np.testing.assert_array_equal(np.asarray(values), local)


def test_latest_pointer_only_moves_to_complete_accepted_versions(reports, tmp_path: Path) -> None:
    store = ModelStore(tmp_path)
    first = store.save(reports["linear"], trained_at=T0)
    rejected = store.save(
        reports["lightgbm"],
        trained_at=T0 + timedelta(days=1),
        status="rejected",
        reason="worse than current",
    )
    assert store.latest_version("bitcoin", "1h", "1h") == first
    assert store.read_meta("bitcoin", "1h", "1h", rejected)["reason"] == "worse than current"

    class Boom(RuntimeError):
        pass

    def crash(folder: Path) -> None:
        raise Boom("disk died mid-write")

    with pytest.raises(Boom):
        store.save(reports["xgboost"], trained_at=T0 + timedelta(days=2), extra_files=crash)
    assert store.latest_version("bitcoin", "1h", "1h") == first
    assert store.versions("bitcoin", "1h", "1h") == [first, rejected]
    assert not [p for p in (tmp_path / "bitcoin" / "1h" / "1h").iterdir() if p.name.startswith(".")]
    assert store.load_latest("bitcoin", "1h", "1h").algorithm == "linear"


def test_cleanup_never_deletes_latest(reports, tmp_path: Path) -> None:
    """The original deleted live models after 7 days; the latest version always stays."""
    store = ModelStore(tmp_path)
    live = store.save(reports["linear"], trained_at=T0)
    newer = [
        store.save(reports["lightgbm"], trained_at=T0 + timedelta(days=d), status="rejected")
        for d in (1, 2, 3)
    ]
    now_ms = int((T0 + timedelta(days=30)).timestamp() * 1000)
    plan = store.cleanup(keep=1, max_age_days=7, dry_run=True, now_ms=now_ms)
    assert [r["version"] for r in plan] == newer[:2]
    assert len(store.versions("bitcoin", "1h", "1h")) == 4  # dry run deleted nothing
    store.cleanup(keep=1, max_age_days=7, now_ms=now_ms)
    assert store.versions("bitcoin", "1h", "1h") == [live, newer[2]]
    assert store.load_latest("bitcoin", "1h", "1h").version == live
    assert store.cleanup(keep=0, now_ms=now_ms) == [
        {"coin": "bitcoin", "timeframe": "1h", "horizon": "1h", "version": newer[2]}
    ]
    assert store.versions("bitcoin", "1h", "1h") == [live]


def test_cleanup_respects_age(reports, tmp_path: Path) -> None:
    store = ModelStore(tmp_path)
    for d in range(4):
        store.save(reports["linear"], trained_at=T0 + timedelta(days=d))
    now_ms = int((T0 + timedelta(days=3, hours=12)).timestamp() * 1000)
    assert len(store.cleanup(keep=1, max_age_days=2, now_ms=now_ms)) == 2  # days 0 and 1


def test_feature_list_mismatch_raises(reports, tmp_path: Path) -> None:
    store = ModelStore(tmp_path)
    version = store.save(reports["linear"], trained_at=T0)
    meta_path = tmp_path / "bitcoin" / "1h" / "1h" / version / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["feature_names"] = meta["feature_names"][:-1] + ["old_feature"]
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ModelError, match=r"other features.*old_feature.*retrain"):
        store.load_latest("bitcoin", "1h", "1h")


def test_list_models_and_missing_model(reports, tmp_path: Path) -> None:
    store = ModelStore(tmp_path)
    assert store.list_models() == []
    with pytest.raises(ModelError, match="finbot train"):
        store.load_latest("bitcoin", "1h", "1h")
    version = store.save(reports["xgboost"], trained_at=T0)
    (rows,) = store.list_models()
    assert rows["version"] == version and rows["algorithm"] == "xgboost"
    keys = {"coin", "timeframe", "horizon", "trained_at", "mae_ratio", "has_edge", "status"}
    assert keys <= set(rows)


def test_corrupt_files_raise_model_error(reports, tmp_path: Path) -> None:
    store = ModelStore(tmp_path)
    version = store.save(reports["lightgbm"], trained_at=T0)
    folder = tmp_path / "bitcoin" / "1h" / "1h" / version
    (folder / "model.txt").write_text("garbage")
    with pytest.raises(ModelError, match="cannot load"):
        store.load_latest("bitcoin", "1h", "1h")
    (folder / "meta.json").write_text("{")
    with pytest.raises(ModelError, match="unreadable"):
        store.load_latest("bitcoin", "1h", "1h")
    with pytest.raises(ModelError, match="no complete version"):
        store.set_latest("bitcoin", "1h", "1h", "nope")


def test_library_versions_find_xgboost_under_its_cpu_name():
    """meta.json records the real version even when xgboost is installed as xgboost-cpu."""
    from finbot.prediction.models.model_store import library_versions

    versions = library_versions()
    assert versions["xgboost"] != "absent"
    assert library_versions(("no-such-distribution",)) == {"no-such-distribution": "absent"}
