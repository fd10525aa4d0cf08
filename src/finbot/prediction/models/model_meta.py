"""What a version's ``meta.json`` says: the report a version is saved from (``ModelReport``),
the metadata written for it, the library versions it was trained with, and the check that a
loaded model was trained on today's features."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from finbot.errors import ModelError
from finbot.i18n import N_
from finbot.prediction.features import FEATURE_NAMES, POOLED_FEATURE_NAMES

LIBRARIES = ("numpy", "polars", "scikit-learn", "lightgbm", "xgboost", "skops")
_ALSO_PUBLISHED_AS = {"xgboost": ("xgboost-cpu",)}


def library_versions(names: Sequence[str] = LIBRARIES) -> dict[str, str]:
    """Installed version of each distribution in ``names`` ("absent" when not installed);
    a library also published under another name (``xgboost-cpu``) is found under either."""
    from importlib import metadata

    out = {}
    for name in names:
        out[name] = "absent"
        for dist in (name, *_ALSO_PUBLISHED_AS.get(name, ())):
            try:
                out[name] = metadata.version(dist)
                break
            except metadata.PackageNotFoundError:
                continue
    return out


class ModelReport(Protocol):
    """What the store saves as a version: a training run's figures and a way to write its
    model. ``TrainReport`` (one algorithm against naive) and ``MasterReport`` (the stacking
    master and its sub-models) satisfy it."""

    @property
    def coin(self) -> str: ...
    @property
    def timeframe(self) -> str: ...
    @property
    def horizon(self) -> str: ...
    @property
    def chosen(self) -> str: ...
    @property
    def has_edge(self) -> bool: ...
    @property
    def mae_ratio(self) -> float: ...
    @property
    def best_algorithm(self) -> str: ...
    @property
    def shrink(self) -> float: ...
    @property
    def scores(self) -> dict[str, dict[str, float]]: ...
    @property
    def feature_names(self) -> tuple[str, ...]: ...
    @property
    def train_window(self) -> tuple[int, int]: ...
    @property
    def test_window(self) -> tuple[int, int]: ...
    @property
    def n_train(self) -> int: ...
    @property
    def n_validation(self) -> int: ...
    @property
    def n_test(self) -> int: ...
    @property
    def gap_rows(self) -> int: ...
    @property
    def calibration(self) -> pl.DataFrame: ...
    @property
    def data_hash(self) -> str: ...
    @property
    def extra(self) -> dict[str, Any]: ...

    def save_model(self, folder: Path) -> str | None:
        """Write the model files into ``folder``; the main file's name (None: naive)."""
        ...


#: What the pooled model may take besides its features: the coin, as a categorical code.
COIN_FEATURE = "coin"


def expected_features(meta: dict[str, Any]) -> tuple[str, ...]:
    """The model input a version must have been trained on: ``FEATURE_NAMES``, or for a pooled
    model ``POOLED_FEATURE_NAMES`` (and the coin when it used it)."""
    if meta.get("algorithm") != "pooled":
        return FEATURE_NAMES
    with_coin = bool(meta.get("extra", {}).get("coin_feature"))
    return (*POOLED_FEATURE_NAMES, COIN_FEATURE) if with_coin else POOLED_FEATURE_NAMES


def check_features(meta: dict[str, Any]) -> None:
    """ModelError unless the model was trained on exactly the features it is expected to
    (``expected_features``)."""
    names, expected = tuple(meta.get("feature_names", ())), expected_features(meta)
    if names != expected:
        missing = sorted(set(expected) - set(names))
        unknown = sorted(set(names) - set(expected))
        raise ModelError(
            N_(
                "model {coin}/{timeframe}/{horizon}/{version} was trained on other features "
                "(missing {missing}, unknown {unknown}, or another order); retrain it with "
                "'finbot train'"
            ),
            coin=meta.get("coin"),
            timeframe=meta.get("timeframe"),
            horizon=meta.get("horizon"),
            version=meta.get("version"),
            missing=missing,
            unknown=unknown,
        )


def version_meta(
    report: ModelReport,
    version: str,
    when: datetime,
    status: str,
    reason: str | None,
    model_file: str | None,
) -> dict[str, object]:
    return {
        "coin": report.coin,
        "timeframe": report.timeframe,
        "horizon": report.horizon,
        "algorithm": report.chosen,
        "version": version,
        "model_file": model_file,
        "trained_at": when.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "feature_names": list(report.feature_names),
        "training_window": {"train": list(report.train_window), "test": list(report.test_window)},
        "samples": {
            "train": report.n_train,
            "validation": report.n_validation,
            "test": report.n_test,
            "gap": report.gap_rows,
        },
        "metrics": report.scores,
        "mae_ratio": report.mae_ratio,
        "has_edge": report.has_edge,
        "best_algorithm": report.best_algorithm,
        "shrink": report.shrink,
        "libraries": library_versions(),
        "data_hash": report.data_hash,
        "status": status,
        "reason": reason,
        "extra": report.extra,
    }
