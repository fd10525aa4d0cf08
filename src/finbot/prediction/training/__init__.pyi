"""Training: one coin × horizon against the naive baseline, the stacking master, incremental
retraining, the fan-out over many coins, and the purged time-series splits they (and the
walk-forward evaluation) share."""

from .fanout import (
    tasks_for as tasks_for,
)
from .fanout import (
    train_all as train_all,
)
from .from_store import (
    train_from_store as train_from_store,
)
from .incremental_trainer import (
    run as run,
)
from .modes import (
    RetrainMode as RetrainMode,
)
from .splits import (
    Fold as Fold,
)
from .splits import (
    walk_forward as walk_forward,
)
from .trainer import (
    fit_shrink as fit_shrink,
)
from .trainer import (
    train as train,
)
from .volatility_fit import (
    VolatilityTraining as VolatilityTraining,
)

__all__ = [
    "RetrainMode",
    "Fold",
    "VolatilityTraining",
    "fit_shrink",
    "run",
    "tasks_for",
    "train",
    "train_all",
    "train_from_store",
    "walk_forward",
]
