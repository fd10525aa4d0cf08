"""Training: one coin × horizon against the naive baseline, the stacking master, incremental
retraining, the fan-out over many coins, the pooled model across coins (and its
selection against the per-coin ones), and the purged time-series splits they (and the
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
from .pooled_fanout import (
    train_pooled_all as train_pooled_all,
)
from .pooled_selection import (
    pooled_report as pooled_report,
)
from .pooled_selection import (
    select_pooled as select_pooled,
)
from .pooled_trainer import (
    PooledConfig as PooledConfig,
)
from .pooled_trainer import (
    PooledRun as PooledRun,
)
from .pooled_trainer import (
    fit_pooled as fit_pooled,
)
from .pooled_trainer import (
    fit_pooled_rows as fit_pooled_rows,
)
from .pooled_trainer import (
    train_pooled as train_pooled,
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
    "PooledConfig",
    "PooledRun",
    "VolatilityTraining",
    "fit_pooled",
    "fit_pooled_rows",
    "fit_shrink",
    "pooled_report",
    "run",
    "select_pooled",
    "tasks_for",
    "train",
    "train_all",
    "train_from_store",
    "train_pooled",
    "train_pooled_all",
]
