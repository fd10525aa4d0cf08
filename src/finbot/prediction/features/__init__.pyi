"""Features: the 26 scale-free indicators of a bar series (computed by one of two indicator
engines, TA-Lib or numpy) and the targets they predict."""

from .feature_builder import (
    FEATURE_NAMES as FEATURE_NAMES,
)
from .feature_builder import (
    TAIL_BARS as TAIL_BARS,
)
from .feature_builder import (
    build_features as build_features,
)
from .feature_builder import (
    feature_matrix as feature_matrix,
)
from .feature_builder import (
    latest_row as latest_row,
)
from .indicators import (
    NUMPY_INDICATORS as NUMPY_INDICATORS,
)
from .indicators import (
    TALIB_INDICATORS as TALIB_INDICATORS,
)
from .indicators import (
    IndicatorEngine as IndicatorEngine,
)
from .targets import (
    forward_log_returns as forward_log_returns,
)
from .targets import (
    horizon_bars as horizon_bars,
)

__all__ = [
    "FEATURE_NAMES",
    "IndicatorEngine",
    "NUMPY_INDICATORS",
    "TAIL_BARS",
    "TALIB_INDICATORS",
    "build_features",
    "feature_matrix",
    "forward_log_returns",
    "horizon_bars",
    "latest_row",
]
