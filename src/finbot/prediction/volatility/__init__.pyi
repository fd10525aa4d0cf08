"""Volatility: realised-variance forecasts scored against their naive baselines (QLIKE), the
conformal intervals and the touch and direction probabilities built on them, each shown only
where it measured skill out of sample."""

from .candidates import (
    CANDIDATES as CANDIDATES,
)
from .dataset import (
    horizon_data as horizon_data,
)
from .evaluation import (
    HorizonEvaluation as HorizonEvaluation,
)
from .evaluation import (
    evaluate_horizon as evaluate_horizon,
)
from .features import (
    vol_features as vol_features,
)
from .forecaster import (
    Skill as Skill,
)
from .forecaster import (
    VolatilityConfig as VolatilityConfig,
)
from .forecaster import (
    VolatilityForecast as VolatilityForecast,
)
from .forecaster import (
    VolatilityModel as VolatilityModel,
)
from .forecaster import (
    fit_volatility as fit_volatility,
)
from .grid import (
    BarGrid as BarGrid,
)
from .grid import (
    bar_grid as bar_grid,
)
from .metrics import (
    horizon_metrics as horizon_metrics,
)
from .probability import (
    Calibration as Calibration,
)
from .probability import (
    touch_probability as touch_probability,
)
from .scoring import (
    qlike as qlike,
)
from .scoring import (
    reliability_table as reliability_table,
)
from .targets import (
    naive_forecasts as naive_forecasts,
)
from .targets import (
    realized_variance as realized_variance,
)
from .walkforward import (
    WalkForwardConfig as WalkForwardConfig,
)
from .walkforward import (
    walk_forward as walk_forward,
)

__all__ = [
    "BarGrid",
    "CANDIDATES",
    "Calibration",
    "HorizonEvaluation",
    "Skill",
    "VolatilityConfig",
    "VolatilityForecast",
    "VolatilityModel",
    "WalkForwardConfig",
    "bar_grid",
    "evaluate_horizon",
    "fit_volatility",
    "horizon_data",
    "horizon_metrics",
    "naive_forecasts",
    "qlike",
    "realized_variance",
    "reliability_table",
    "touch_probability",
    "vol_features",
    "walk_forward",
]
