"""Features: the 26 scale-free indicators of a bar series (computed by one of two indicator
engines, TA-Lib or numpy), the cross-asset, calendar and volatility features the pooled
model adds (aligned across coins by timestamp), and the targets they predict."""

from .cross_asset import (
    CROSS_FEATURE_NAMES as CROSS_FEATURE_NAMES,
)
from .cross_asset import (
    cross_tail_bars as cross_tail_bars,
)
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
from .pooled_features import (
    POOLED_FEATURE_NAMES as POOLED_FEATURE_NAMES,
)
from .pooled_features import (
    latest_pooled_row as latest_pooled_row,
)
from .pooled_features import (
    pooled_dataset as pooled_dataset,
)
from .pooled_features import (
    pooled_frames as pooled_frames,
)
from .targets import (
    forward_log_returns as forward_log_returns,
)
from .targets import (
    horizon_bars as horizon_bars,
)

__all__ = [
    "CROSS_FEATURE_NAMES",
    "FEATURE_NAMES",
    "IndicatorEngine",
    "NUMPY_INDICATORS",
    "POOLED_FEATURE_NAMES",
    "TAIL_BARS",
    "TALIB_INDICATORS",
    "build_features",
    "cross_tail_bars",
    "feature_matrix",
    "forward_log_returns",
    "horizon_bars",
    "latest_pooled_row",
    "pooled_dataset",
    "pooled_frames",
    "latest_row",
]
