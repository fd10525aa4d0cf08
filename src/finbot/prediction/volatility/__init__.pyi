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
from .fitted import (
    VOL_TAIL_BARS as VOL_TAIL_BARS,
)
from .fitted import (
    FittedVolatility as FittedVolatility,
)
from .forecast import (
    forecast_volatility as forecast_volatility,
)
from .forecaster import (
    VolatilityConfig as VolatilityConfig,
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
from .outputs import (
    Skill as Skill,
)
from .outputs import (
    VolatilityForecast as VolatilityForecast,
)
from .persist import (
    load_volatility as load_volatility,
)
from .persist import (
    save_volatility as save_volatility,
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
from .store import (
    VolatilityStore as VolatilityStore,
)
from .targets import (
    NAIVES as NAIVES,
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
    "FittedVolatility",
    "HorizonEvaluation",
    "NAIVES",
    "Skill",
    "VOL_TAIL_BARS",
    "VolatilityConfig",
    "VolatilityForecast",
    "VolatilityModel",
    "VolatilityStore",
    "WalkForwardConfig",
    "bar_grid",
    "evaluate_horizon",
    "fit_volatility",
    "forecast_volatility",
    "horizon_data",
    "horizon_metrics",
    "load_volatility",
    "naive_forecasts",
    "qlike",
    "realized_variance",
    "reliability_table",
    "save_volatility",
    "touch_probability",
    "vol_features",
    "walk_forward",
]
