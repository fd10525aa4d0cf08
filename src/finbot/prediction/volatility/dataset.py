"""One horizon's inputs in one place: the grid, its features, outcomes and naive forecasts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .features import VolFeatures, vol_features
from .grid import BarGrid, IntArray
from .targets import Targets, naive_forecasts, targets


@dataclass(frozen=True)
class HorizonData:
    grid: BarGrid
    h: int
    features: VolFeatures
    targets: Targets
    naive: dict[str, np.ndarray]

    @property
    def ready(self) -> IntArray:
        """Slots with a bar, every HAR component and both naive forecasts: forecastable now."""
        ok = self.grid.present & self.features.ready
        for forecast in self.naive.values():
            ok &= np.isfinite(forecast)
        return np.flatnonzero(ok).astype(np.int64)

    @property
    def known(self) -> IntArray:
        """Forecastable slots whose outcome is known (every bar of the next ``h`` exists)."""
        slots = self.ready
        ok = np.isfinite(self.targets.variance[slots]) & np.isfinite(self.targets.log_return[slots])
        return slots[ok]


def horizon_data(grid: BarGrid, h: int, features: VolFeatures | None = None) -> HorizonData:
    """``features`` may be shared between horizons (they do not depend on ``h``)."""
    return HorizonData(
        grid=grid,
        h=h,
        features=vol_features(grid) if features is None else features,
        targets=targets(grid, h),
        naive=naive_forecasts(grid, h),
    )
