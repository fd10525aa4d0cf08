"""Tracking: every prediction recorded and scored against what happened; walk-forward
evaluation of what the bot would have served, and its report."""

from .backtest import (
    DecisionInputs as DecisionInputs,
)
from .evaluation import (
    evaluate as evaluate,
)
from .evaluation import (
    evaluate_many as evaluate_many,
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
from .reliability import (
    ReliabilityJson as ReliabilityJson,
)
from .report import (
    write_report as write_report,
)
from .report_charts import (
    localise_ticks as localise_ticks,
)
from .report_charts import (
    png_data_uri as png_data_uri,
)
from .report_charts import (
    pyplot as pyplot,
)
from .result import (
    EvalConfig as EvalConfig,
)
from .result import (
    Evaluation as Evaluation,
)
from .result import (
    evaluations_json as evaluations_json,
)
from .served import (
    PerCoinSelection as PerCoinSelection,
)
from .served import (
    Selection as Selection,
)
from .served import (
    Served as Served,
)

__all__ = [
    "Accuracy",
    "DecisionInputs",
    "EvalConfig",
    "Evaluation",
    "NewPrediction",
    "PerCoinSelection",
    "PredictionTracker",
    "ReliabilityJson",
    "Selection",
    "Served",
    "WindowStats",
    "evaluate",
    "evaluate_many",
    "evaluations_json",
    "localise_ticks",
    "png_data_uri",
    "pyplot",
    "write_report",
]
