"""Models: the algorithms against the naive baseline, the stacking master's inference, and the
model store (native formats, atomic ``latest`` pointer, calibration)."""

from .algorithms import (
    ALGORITHMS as ALGORITHMS,
)
from .algorithms import (
    NAIVE as NAIVE,
)
from .algorithms import (
    Algorithm as Algorithm,
)
from .algorithms import (
    Estimator as Estimator,
)
from .algorithms import (
    check_algorithms as check_algorithms,
)
from .algorithms import (
    make_estimator as make_estimator,
)
from .algorithms import (
    save_native as save_native,
)
from .master_model import (
    MASTER as MASTER,
)
from .master_model import (
    SUB_ALGORITHM as SUB_ALGORITHM,
)
from .master_model import (
    MasterPredictor as MasterPredictor,
)
from .model_store import (
    ModelStore as ModelStore,
)
from .model_store import (
    ModelSummary as ModelSummary,
)
from .model_store import (
    StoredModel as StoredModel,
)

__all__ = [
    "ALGORITHMS",
    "Algorithm",
    "Estimator",
    "MASTER",
    "MasterPredictor",
    "ModelStore",
    "ModelSummary",
    "NAIVE",
    "SUB_ALGORITHM",
    "StoredModel",
    "check_algorithms",
    "make_estimator",
    "save_native",
]
