"""Versioned models on disk: ``root/<coin>/<timeframe>/<horizon>/<version>/``.

Public API (stable): ``ModelStore(root)`` with ``save(report, ...) -> version``,
``load_latest(coin, timeframe, horizon) -> StoredModel``, ``load(coin, timeframe, horizon,
version)``, ``latest_version(...)``, ``list_models()``, ``cleanup(keep, max_age_days,
dry_run, now_ms)``; ``StoredModel`` with ``meta``, ``predict(X)`` (shrink applied),
``calibration()`` (ts, y_true, y_pred out of sample).

A version folder holds the model in its library's native format (no pickle), ``meta.json``
and ``calibration.parquet``. It is written under a temporary name and renamed when complete;
the ``latest`` pointer file is replaced atomically only afterwards, so a crash never serves a
half-written model. Clean-up never deletes the version ``latest`` points to (the original
deleted live models after 7 days).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypedDict

import numpy as np
import polars as pl

from finbot.errors import ModelError
from finbot.i18n import N_
from finbot.prediction.models.algorithms import (
    NUMPY_TREES,
    Algorithm,
    Predictor,
    TreeEvaluator,
    load_native,
)
from finbot.prediction.models.master_model import MASTER, load_master
from finbot.prediction.models.model_files import (
    CALIBRATION,
    LATEST,
    META,
    STALE_TMP_S,
    new_version,
    remove_stale_temporaries,
    remove_version,
    write_atomic,
)
from finbot.prediction.models.model_meta import (
    LIBRARIES,
    ModelReport,
    check_features,
    library_versions,
    version_meta,
)

__all__ = [
    "CALIBRATION",
    "LATEST",
    "LIBRARIES",
    "META",
    "STALE_TMP_S",
    "ModelReport",
    "ModelStore",
    "ModelSummary",
    "StoredModel",
    "Writer",
    "check_features",
    "library_versions",
]

Writer = Callable[[Path], None]


class ModelSummary(TypedDict):
    """One group's ``latest`` version as ``list_models`` shows it (from its ``meta.json``)."""

    coin: str
    timeframe: str
    horizon: str
    version: str
    algorithm: str | None
    trained_at: str | None
    mae_ratio: float | None
    has_edge: bool | None
    status: str | None
    versions: int


@dataclass
class StoredModel:
    """A loaded version: its metadata and a predictor returning shrunk log returns."""

    meta: dict[str, Any]
    folder: Path
    predictor: Predictor | None

    @property
    def version(self) -> str:
        return str(self.meta["version"])

    @property
    def algorithm(self) -> Algorithm:
        name = self.meta["algorithm"]
        try:
            return Algorithm(name)
        except ValueError:
            raise ModelError(
                N_("{folder}: unknown algorithm {name!r}"), folder=self.folder, name=name
            ) from None

    @property
    def shrink(self) -> float:
        return float(self.meta.get("shrink", 1.0))

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predicted log returns (``shrink`` applied; zeros for naive)."""
        if self.predictor is None:
            return np.zeros(x.shape[0])
        return self.shrink * np.asarray(self.predictor.predict(x), dtype=np.float64)

    def calibration(self) -> pl.DataFrame:
        """Out-of-sample test-window predictions: ts, y_true, y_pred."""
        return pl.read_parquet(self.folder / CALIBRATION)


class ModelStore:
    """The models of one home. Loaded versions are cached per instance (a version folder
    never changes once written), so a long-lived store makes warm predictions cheap.
    ``trees`` evaluates the LightGBM and XGBoost models it loads (``algorithms``)."""

    def __init__(self, root: Path, *, cache_size: int = 256, trees: TreeEvaluator = NUMPY_TREES):
        self.root = Path(root)
        self.trees = trees
        self._cache: dict[tuple[str, str, str, str], StoredModel] = {}
        self._cache_size = cache_size

    def group(self, coin: str, timeframe: str, horizon: str) -> Path:
        return self.root / coin / timeframe / horizon

    # ------------------------------------------------------------------ writing
    def save(
        self,
        report: ModelReport,
        *,
        status: str = "accepted",
        reason: str | None = None,
        make_latest: bool = True,
        trained_at: datetime | None = None,
        extra_files: Writer | None = None,
    ) -> str:
        """Write ``report`` (a TrainReport or MasterReport) as a new version; returns its name.

        ``status`` "rejected" (with ``reason``) keeps the version without pointing ``latest``
        at it. ``extra_files`` writes more files into the version folder before the rename.
        """
        when = trained_at or datetime.now(UTC)
        group = self.group(report.coin, report.timeframe, report.horizon)
        group.mkdir(parents=True, exist_ok=True)
        version = new_version(group, when)
        tmp = group / f".tmp-{version}-{uuid.uuid4().hex[:6]}"
        tmp.mkdir()
        try:
            self._write_version(tmp, report, version, when, status, reason, extra_files)
            os.replace(tmp, group / version)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if make_latest and status == "accepted":
            write_atomic(group / LATEST, version + "\n")
        return version

    def _write_version(
        self,
        folder: Path,
        report: ModelReport,
        version: str,
        when: datetime,
        status: str,
        reason: str | None,
        extra_files: Writer | None,
    ) -> None:
        model_file = report.save_model(folder)
        report.calibration.write_parquet(folder / CALIBRATION)
        if extra_files is not None:
            extra_files(folder)
        meta = version_meta(report, version, when, status, reason, model_file)
        write_atomic(folder / META, json.dumps(meta, indent=2, sort_keys=True))

    def set_latest(self, coin: str, timeframe: str, horizon: str, version: str) -> None:
        group = self.group(coin, timeframe, horizon)
        if not (group / version / META).is_file():
            raise ModelError(
                N_("version: no complete version {version!r} in {group}"),
                version=version,
                group=group,
            )
        write_atomic(group / LATEST, version + "\n")

    # ------------------------------------------------------------------ reading
    def latest_version(self, coin: str, timeframe: str, horizon: str) -> str | None:
        pointer = self.group(coin, timeframe, horizon) / LATEST
        if not pointer.is_file():
            return None
        return pointer.read_text(encoding="utf-8").strip() or None

    def load_latest(self, coin: str, timeframe: str, horizon: str) -> StoredModel:
        version = self.latest_version(coin, timeframe, horizon)
        if version is None:
            raise ModelError(
                N_(
                    "no model for {coin} {timeframe} {horizon}; run "
                    "'finbot train --coin {coin} --timeframe {timeframe} --horizon {horizon}' first"
                ),
                coin=coin,
                timeframe=timeframe,
                horizon=horizon,
            )
        return self.load(coin, timeframe, horizon, version)

    def read_meta(self, coin: str, timeframe: str, horizon: str, version: str) -> dict[str, Any]:
        path = self.group(coin, timeframe, horizon) / version / META
        try:
            meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ModelError(N_("{parent}: not a saved model version"), parent=path.parent) from exc
        except json.JSONDecodeError as exc:
            raise ModelError(
                N_("{path}: unreadable metadata ({msg})"), path=path, msg=exc.msg
            ) from exc
        return meta

    def load(self, coin: str, timeframe: str, horizon: str, version: str) -> StoredModel:
        """Load one version (cached); ModelError when its features differ from the builder's."""
        key = (coin, timeframe, horizon, version)
        if key not in self._cache:
            if len(self._cache) >= self._cache_size:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = self._load(coin, timeframe, horizon, version)
        return self._cache[key]

    def _load(self, coin: str, timeframe: str, horizon: str, version: str) -> StoredModel:
        meta = self.read_meta(coin, timeframe, horizon, version)
        check_features(meta)
        folder = self.group(coin, timeframe, horizon) / version
        if meta["algorithm"] == MASTER:
            master = load_master(folder, meta, trees=self.trees)
            return StoredModel(meta=meta, folder=folder, predictor=master)
        predictor = load_native(str(meta["algorithm"]), folder, trees=self.trees)
        return StoredModel(meta=meta, folder=folder, predictor=predictor)

    def versions(self, coin: str, timeframe: str, horizon: str) -> list[str]:
        """Complete versions of a group, oldest first."""
        group = self.group(coin, timeframe, horizon)
        if not group.is_dir():
            return []
        return sorted(
            p.name
            for p in group.iterdir()
            if p.is_dir() and not p.name.startswith(".") and (p / META).is_file()
        )

    def groups(self) -> list[tuple[str, str, str]]:
        if not self.root.is_dir():
            return []
        return sorted(
            (g.parts[-3], g.parts[-2], g.parts[-1]) for g in self.root.glob("*/*/*") if g.is_dir()
        )

    def list_models(self) -> list[ModelSummary]:
        """The ``latest`` version of every group (or the newest when none is accepted)."""
        rows: list[ModelSummary] = []
        for coin, timeframe, horizon in self.groups():
            version = self.latest_version(coin, timeframe, horizon)
            versions = self.versions(coin, timeframe, horizon)
            version = version if version in versions else (versions[-1] if versions else None)
            if version is None:
                continue
            meta = self.read_meta(coin, timeframe, horizon, version)
            rows.append(
                ModelSummary(  # every saved meta.json names its group and version
                    coin=meta.get("coin", coin),
                    timeframe=meta.get("timeframe", timeframe),
                    horizon=meta.get("horizon", horizon),
                    version=meta.get("version", version),
                    algorithm=meta.get("algorithm"),
                    trained_at=meta.get("trained_at"),
                    mae_ratio=meta.get("mae_ratio"),
                    has_edge=meta.get("has_edge"),
                    status=meta.get("status"),
                    versions=len(versions),
                )
            )
        return rows

    # ------------------------------------------------------------------ clean-up
    def cleanup(
        self,
        keep: int = 5,
        max_age_days: float | None = None,
        dry_run: bool = False,
        now_ms: int | None = None,
    ) -> list[dict[str, str]]:
        """Delete old versions beyond the ``keep`` newest (and older than ``max_age_days``
        when given); the ``latest`` version is never deleted. A version is renamed out of sight
        before it is deleted (a kill midway never leaves a half-deleted version that looks
        complete), and temporaries of saves that died midway are removed. Returns what was (or
        would be) deleted."""
        now = datetime.now(UTC) if now_ms is None else datetime.fromtimestamp(now_ms / 1000, UTC)
        removed = []
        for coin, timeframe, horizon in self.groups():
            if not dry_run:
                remove_stale_temporaries(self.group(coin, timeframe, horizon), now)
            live = self.latest_version(coin, timeframe, horizon)
            versions = self.versions(coin, timeframe, horizon)
            for version in versions[: max(0, len(versions) - keep)]:
                if version == live or not self._old_enough(
                    coin, timeframe, horizon, version, now, max_age_days
                ):
                    continue
                removed.append(
                    {"coin": coin, "timeframe": timeframe, "horizon": horizon, "version": version}
                )
                if not dry_run:
                    remove_version(self.group(coin, timeframe, horizon) / version)
                    self._cache.pop((coin, timeframe, horizon, version), None)
        return removed

    def _old_enough(
        self,
        coin: str,
        timeframe: str,
        horizon: str,
        version: str,
        now: datetime,
        max_age_days: float | None,
    ) -> bool:
        if max_age_days is None:
            return True
        trained = self.read_meta(coin, timeframe, horizon, version).get("trained_at", "")
        when = datetime.fromisoformat(str(trained).replace("Z", "+00:00"))
        return (now - when).total_seconds() > max_age_days * 86400
