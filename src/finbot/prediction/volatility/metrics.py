"""Figures of a pooled ``HorizonEvaluation``: plain numbers, ready for JSON.

Ratios are ours / baseline (below 1 is skill). The variance reference is the day-mean naive
(``qlike_ratio``) and, as the stricter one, the better of the two naive forecasts out of
sample (``qlike_ratio_best_naive``).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict
from typing import Any

import numpy as np

from .evaluation import SELECTED, EventScores, HorizonEvaluation
from .scoring import brier, log_loss, log_mse, qlike, reliability_gap, reliability_table, winkler
from .targets import NAIVES


def _ratio(ours: float, base: float) -> float:
    return ours / base if base > 0 else math.nan


def variance_metrics(ev: HorizonEvaluation) -> dict[str, Any]:
    """QLIKE and log-MSE per forecast; ratios to the day-mean and to the better naive forecast
    (NaN where a naive forecast was not among the candidates)."""
    scores = {n: float(np.mean(qlike(ev.variance, f, ev.h))) for n, f in ev.forecasts.items()}
    mse = {n: float(np.mean(log_mse(ev.variance, f, ev.h))) for n, f in ev.forecasts.items()}
    naives = [n for n in NAIVES if n in scores]
    best_naive = min(naives, key=lambda n: scores[n]) if naives else None
    day, day_mse = scores.get("naive_day", math.nan), mse.get("naive_day", math.nan)
    best = scores[best_naive] if best_naive else math.nan
    return {
        "qlike": scores,
        "log_mse": mse,
        "best_naive": best_naive,
        "qlike_ratio": _ratio(scores[SELECTED], day),
        "qlike_ratio_best_naive": _ratio(scores[SELECTED], best),
        "qlike_ratio_by_candidate": {n: _ratio(s, day) for n, s in scores.items()},
        "log_mse_ratio": _ratio(mse[SELECTED], day_mse),
        "chosen": dict(Counter(ev.chosen)),
    }


def interval_metrics(ev: HorizonEvaluation, level: float) -> dict[str, Any]:
    y = ev.log_return
    norm = winkler(y, -ev.half_width, ev.half_width, level)
    const = winkler(y, -ev.half_width_constant, ev.half_width_constant, level)
    return {
        "level": level,
        "coverage": float(np.mean(np.abs(y) <= ev.half_width)),
        "coverage_constant": float(np.mean(np.abs(y) <= ev.half_width_constant)),
        "winkler": float(np.mean(norm)),
        "winkler_constant": float(np.mean(const)),
        "winkler_ratio": _ratio(float(np.mean(norm)), float(np.mean(const))),
        "mean_width": float(np.mean(2 * ev.half_width)),
        "mean_width_constant": float(np.mean(2 * ev.half_width_constant)),
    }


def event_metrics(e: EventScores, *, table: bool = False) -> dict[str, Any]:
    ours, base = brier(e.p, e.outcome), brier(e.base, e.outcome)
    out: dict[str, Any] = {
        "n": int(e.outcome.size),
        "frequency": float(np.mean(e.outcome)),
        "brier": ours,
        "brier_base": base,
        "brier_ratio": _ratio(ours, base),
        "brier_raw": brier(e.raw, e.outcome),
        "log_loss": log_loss(e.p, e.outcome),
        "log_loss_base": log_loss(e.base, e.outcome),
        "reliability_gap": reliability_gap(reliability_table(e.p, e.outcome)),
        "reliability_gap_raw": reliability_gap(reliability_table(e.raw, e.outcome)),
    }
    if table:
        out["reliability"] = [asdict(b) for b in reliability_table(e.p, e.outcome)]
    return out


def horizon_metrics(ev: HorizonEvaluation, level: float) -> dict[str, Any]:
    return {
        "n": int(ev.variance.size),
        "variance": variance_metrics(ev),
        "interval": interval_metrics(ev, level),
        "touch_up": event_metrics(ev.touch_up, table=True),
        "touch_down": event_metrics(ev.touch_down, table=True),
        "direction_up": event_metrics(ev.up),
        "direction_down": event_metrics(ev.down),
    }
