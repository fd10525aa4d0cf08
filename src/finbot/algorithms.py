"""The algorithm names every layer speaks: the four trainable estimators, the ``naive``
zero-return baseline, the stacking ``master`` and the ``pooled`` model across coins.

They live this low (beside ``timeframes``, below ``config``) because ``settings.json`` names
them (``training.algorithms``) and the configuration layer sits below the prediction stages;
``finbot.prediction.models`` re-exports them next to the estimator factory.
"""

from __future__ import annotations

from enum import StrEnum


class Algorithm(StrEnum):
    """What a stored model is (``meta.json``'s ``algorithm``, a prediction's ``model``)."""

    LINEAR = "linear"
    RANDOM_FOREST = "random_forest"
    LIGHTGBM = "lightgbm"
    XGBOOST = "xgboost"
    NAIVE = "naive"  # predicts a zero return; no estimator, no file
    MASTER = "master"  # the stacking model over per-timeframe sub-models
    POOLED = "pooled"  # one LightGBM per horizon over every coin, with cross-asset features


#: The algorithms ``train`` fits (and ``training.algorithms`` / ``--algorithms`` may name).
TRAINABLE: tuple[Algorithm, ...] = (
    Algorithm.LINEAR,
    Algorithm.RANDOM_FOREST,
    Algorithm.LIGHTGBM,
    Algorithm.XGBOOST,
)
