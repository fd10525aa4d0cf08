"""Tracking: every prediction recorded and scored against what happened; walk-forward
evaluation and its report."""

from .backtest import (
    DecisionInputs as DecisionInputs,
)
from .evaluation import (
    evaluate as evaluate,
)
from .prediction_tracker import (
    Accuracy as Accuracy,
)
from .prediction_tracker import (
    NewPrediction as NewPrediction,
)
from .prediction_tracker import (
    PredictionTracker as PredictionTracker,
)
from .prediction_tracker import (
    WindowStats as WindowStats,
)
from .prediction_tracker import (
    live_accuracy as live_accuracy,
)
from .reliability import (
    ReliabilityJson as ReliabilityJson,
)
from .report import (
    png_data_uri as png_data_uri,
)
from .report import (
    pyplot as pyplot,
)
from .report import (
    write_report as write_report,
)

__all__ = [
    "Accuracy",
    "DecisionInputs",
    "NewPrediction",
    "PredictionTracker",
    "ReliabilityJson",
    "WindowStats",
    "evaluate",
    "live_accuracy",
    "png_data_uri",
    "pyplot",
    "write_report",
]
