"""The stacking master's inference half: sub-models per timeframe and their blend weights.

Training lives in ``finbot.prediction.training.master_trainer``; the model store loads a saved
master through ``load_master`` and the pipeline hands it one feature row per timeframe.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from finbot.algorithms import Algorithm
from finbot.errors import ModelError
from finbot.i18n import N_
from finbot.prediction.models.algorithms import NUMPY_TREES, Predictor, TreeEvaluator, load_native

MASTER = Algorithm.MASTER  # the stacking model's algorithm name and timeframe
SUB_ALGORITHM = Algorithm.LIGHTGBM


class MasterPredictor:
    """Sub-models per timeframe and the blend weights; ``predict`` takes sub-predictions."""

    def __init__(self, subs: dict[str, Predictor], weights: list[float], base_tf: str):
        self.subs, self.weights, self.base_tf = subs, np.asarray(weights), base_tf

    def predict(self, sub_predictions: np.ndarray) -> np.ndarray:
        return np.asarray(sub_predictions @ self.weights)

    def predict_features(self, rows: dict[str, np.ndarray]) -> float:
        preds = np.array([[float(self.subs[tf].predict(rows[tf])[0]) for tf in self.subs]])
        return float(self.predict(preds)[0])


def load_master(
    folder: Path, meta: dict[str, Any], *, trees: TreeEvaluator = NUMPY_TREES
) -> MasterPredictor:
    blend = json.loads((folder / "blend.json").read_text(encoding="utf-8"))
    subs: dict[str, Predictor] = {}
    for tf in blend["sub_timeframes"]:
        sub = load_native(SUB_ALGORITHM, folder / f"sub_{tf}", trees=trees)
        if sub is None:  # only naive has no model file, and no sub-model is naive
            raise ModelError(
                N_("{folder}: sub-model {tf} has no model file; retrain the master"),
                folder=folder,
                tf=tf,
            )
        subs[tf] = sub
    return MasterPredictor(subs, blend["weights"], blend["base_timeframe"])
