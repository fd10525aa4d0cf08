"""Training: one coin × horizon against the naive baseline, the stacking master, incremental
retraining and the fan-out over many coins."""

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
from .trainer import (
    train as train,
)

__all__ = [
    "run",
    "tasks_for",
    "train",
    "train_all",
    "train_from_store",
]
