"""Decision: confidence, costs, volatility-scaled thresholds and BUY / SELL / HOLD."""

from .confidence import (
    LiveAccuracy as LiveAccuracy,
)
from .confidence import (
    coverage_from_frame as coverage_from_frame,
)
from .cost_model import (
    CostBreakdown as CostBreakdown,
)
from .cost_model import (
    SpreadQuote as SpreadQuote,
)
from .cost_model import (
    resolve_spread as resolve_spread,
)
from .cost_model import (
    round_trip_cost as round_trip_cost,
)
from .decision_engine import (
    Action as Action,
)
from .decision_engine import (
    Decision as Decision,
)
from .decision_engine import (
    HorizonDecision as HorizonDecision,
)
from .decision_engine import (
    HorizonSignal as HorizonSignal,
)
from .decision_engine import (
    Reason as Reason,
)
from .decision_engine import (
    decide as decide,
)
from .decision_engine import (
    decide_horizon as decide_horizon,
)
from .hit_rate import (
    direction_hit as direction_hit,
)
from .hit_rate import (
    direction_hits as direction_hits,
)
from .hit_rate import (
    hit_rate as hit_rate,
)
from .spread_proxy import (
    estimate_from_bars as estimate_from_bars,
)
from .threshold_policy import (
    HorizonThresholds as HorizonThresholds,
)
from .threshold_policy import (
    horizon_thresholds as horizon_thresholds,
)

__all__ = [
    "Action",
    "CostBreakdown",
    "Decision",
    "HorizonDecision",
    "HorizonSignal",
    "HorizonThresholds",
    "LiveAccuracy",
    "Reason",
    "SpreadQuote",
    "coverage_from_frame",
    "decide",
    "decide_horizon",
    "direction_hit",
    "direction_hits",
    "estimate_from_bars",
    "hit_rate",
    "horizon_thresholds",
    "resolve_spread",
    "round_trip_cost",
]
