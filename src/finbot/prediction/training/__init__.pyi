"""Training: one coin × horizon against the naive baseline, the stacking master, incremental
retraining and the fan-out over many coins."""

from .fanout import (
    tasks_for as tasks_for,
)
from .fanout import (
    train_all as train_all,
)
from .incremental_trainer import (
    run as run,
)
from .modes import (
    RetrainMode as RetrainMode,
)
from .trainer import (
    train as train,
)

__all__ = [
    "RetrainMode",
    "run",
    "tasks_for",
    "train",
    "train_all",
]
