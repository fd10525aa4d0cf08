"""Proper scoring rules and the reliability table.

* QLIKE ``y/f − ln(y/f) − 1`` (Patton 2011: robust to noise in the realised-variance proxy,
  zero for a perfect forecast, scale-free so coins pool), and the MSE of log variance;
* the Winkler (interval) score ``(u − l) + (2/α)·(distance outside)``, ``α = 1 − level``;
* Brier and log loss for event probabilities, and a reliability table (10 equal-width bins;
  the gap is the count-weighted mean |mean forecast − observed frequency|).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .grid import FloatArray
from .targets import floored

PROB_EPS = 1e-4


def qlike(y: FloatArray, f: FloatArray, h: int) -> FloatArray:
    """Per-row QLIKE of variance forecasts ``f`` for realised variances ``y`` (both floored)."""
    ratio = floored(y, h) / floored(f, h)
    return ratio - np.log(ratio) - 1.0


def log_mse(y: FloatArray, f: FloatArray, h: int) -> FloatArray:
    return (np.log(floored(y, h)) - np.log(floored(f, h))) ** 2


def winkler(y: FloatArray, lower: FloatArray, upper: FloatArray, level: float) -> FloatArray:
    alpha = 1.0 - level
    below = np.maximum(lower - y, 0.0)
    above = np.maximum(y - upper, 0.0)
    return (upper - lower) + (2.0 / alpha) * (below + above)


def brier(p: FloatArray, outcome: FloatArray) -> float:
    return float(np.mean((p - outcome) ** 2))


def log_loss(p: FloatArray, outcome: FloatArray) -> float:
    q = np.clip(p, PROB_EPS, 1.0 - PROB_EPS)
    return float(-np.mean(outcome * np.log(q) + (1.0 - outcome) * np.log(1.0 - q)))


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    count: int
    mean_forecast: float
    frequency: float


def reliability_table(p: FloatArray, outcome: FloatArray, bins: int = 10) -> list[ReliabilityBin]:
    """Equal-width bins of the forecast; empty bins are left out."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, bins - 1)
    table = []
    for k in range(bins):
        mask = index == k
        if mask.any():
            table.append(
                ReliabilityBin(
                    low=float(edges[k]),
                    high=float(edges[k + 1]),
                    count=int(mask.sum()),
                    mean_forecast=float(p[mask].mean()),
                    frequency=float(outcome[mask].mean()),
                )
            )
    return table


def reliability_gap(table: list[ReliabilityBin]) -> float:
    total = sum(b.count for b in table)
    if total == 0:
        return float("nan")
    return sum(b.count * abs(b.mean_forecast - b.frequency) for b in table) / total
