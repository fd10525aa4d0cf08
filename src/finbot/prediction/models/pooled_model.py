"""The pooled model's inference half: one LightGBM per horizon over every coin of a pool.

``PooledModel.predict(features)`` takes rows of ``pooled_dataset`` / ``pooled_frames`` (a
``coin`` column and ``POOLED_FEATURE_NAMES``) and returns shrunk log returns. Its input is
``POOLED_FEATURE_NAMES``, plus the coin as a categorical code (its index in ``pool``; a coin
outside the pool reads as missing) when ``coin_feature``. Training lives in
``finbot.prediction.training.pooled_trainer``; the store keeps a pooled version per coin
(``algorithm`` "pooled", the booster in LightGBM's text format, ``extra`` naming the pool).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from finbot.algorithms import Algorithm
from finbot.prediction.features import POOLED_FEATURE_NAMES
from finbot.prediction.models.algorithms import Predictor, save_native
from finbot.prediction.models.model_meta import COIN_FEATURE

POOLED = Algorithm.POOLED


def coin_code(pool: tuple[str, ...], coin: str) -> float:
    """The coin's categorical code: its index in the pool (NaN, missing, when outside it)."""
    return float(pool.index(coin)) if coin in pool else float("nan")


def pooled_input(features: pl.DataFrame, pool: tuple[str, ...], coin_feature: bool) -> np.ndarray:
    """The model input of ``features`` (``coin`` and ``POOLED_FEATURE_NAMES`` columns): the
    features, and the coin's code last when ``coin_feature``."""
    x = features.select(POOLED_FEATURE_NAMES).to_numpy().astype(np.float64, copy=False)
    if not coin_feature:
        return x
    codes = np.array([coin_code(pool, c) for c in features["coin"].to_list()])
    return np.column_stack([x, codes])


@dataclass(frozen=True)
class PooledModel:
    """A fitted pooled booster and what it needs to be served: the pool (coin codes), whether
    the coin is an input, the shrink toward zero, and the objective it was fitted with."""

    predictor: Predictor
    pool: tuple[str, ...]
    timeframe: str
    horizon: str
    objective: str
    coin_feature: bool
    shrink: float

    @property
    def feature_names(self) -> tuple[str, ...]:
        return (*POOLED_FEATURE_NAMES, COIN_FEATURE) if self.coin_feature else POOLED_FEATURE_NAMES

    def input_matrix(self, features: pl.DataFrame) -> np.ndarray:
        """The model input of ``features`` (``coin`` and ``POOLED_FEATURE_NAMES`` columns)."""
        return pooled_input(features, self.pool, self.coin_feature)

    def row_input(self, coin: str, row: np.ndarray) -> np.ndarray:
        """The model input of one live row (``latest_pooled_row``) of ``coin``."""
        if not self.coin_feature:
            return row
        return np.column_stack([row, [[coin_code(self.pool, coin)]]])

    def predict(self, features: pl.DataFrame) -> np.ndarray:
        """Shrunk predicted log returns, one per row of ``features``."""
        if features.is_empty():
            return np.zeros(0)
        raw = np.asarray(self.predictor.predict(self.input_matrix(features)), dtype=np.float64)
        return self.shrink * raw

    def save(self, folder: Path) -> str | None:
        """The booster in LightGBM's text format; returns the file name."""
        return save_native(POOLED, self.predictor, folder)

    def extra(self) -> dict[str, Any]:
        """What a stored version records about the pooled fit (``meta.json``'s ``extra``)."""
        return {
            "pool": list(self.pool),
            "objective": self.objective,
            "coin_feature": self.coin_feature,
        }
