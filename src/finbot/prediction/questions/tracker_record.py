"""The tracker row of an assessed prediction."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from finbot.prediction.questions.assessment import Assessment, bar_timeframe

if TYPE_CHECKING:
    from finbot.prediction.tracking import NewPrediction


def to_record(a: Assessment, made_at: int, source: str = "cli") -> NewPrediction:
    """The tracker row for an assessed prediction."""
    from finbot.prediction.tracking import NewPrediction

    p = a.prediction
    finite = math.isfinite(a.high_return)
    return NewPrediction(
        coin=p.coin,
        horizon=p.horizon,
        timeframe=bar_timeframe(p),
        made_at=made_at,
        as_of=int(p.as_of),
        last_price=float(p.last_price),
        predicted_price=float(p.predicted_price),
        predicted_return=float(p.predicted_return),
        interval_low=a.low_price if finite else None,
        interval_high=a.high_price if finite else None,
        level=a.level,
        confidence=a.confidence.score,
        decision=a.decision.action,
        model=str(p.model),
        model_version=str(p.model_version),
        source=source,
        bar_ts=None if a.freshness is None else a.freshness.data_ts,
        outcome=a.outcome if a.outcomes is not None and a.confidence.components else None,
        outcome_threshold=a.costs.fraction,
    )
