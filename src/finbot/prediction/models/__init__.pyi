"""Models: the algorithms against the naive baseline, the stacking master's inference, the
pooled model's inference (one booster over every coin), the model store (native formats,
atomic ``latest`` pointer, calibration) and the two tree evaluators (numpy, library) it loads
LightGBM and XGBoost files with."""

from .algorithms import (
    ALGORITHMS as ALGORITHMS,
)
from .algorithms import (
    LIBRARY_TREES as LIBRARY_TREES,
)
from .algorithms import (
    NAIVE as NAIVE,
)
from .algorithms import (
    NUMPY_TREES as NUMPY_TREES,
)
from .algorithms import (
    Algorithm as Algorithm,
)
from .algorithms import (
    Estimator as Estimator,
)
from .algorithms import (
    TreeEvaluator as TreeEvaluator,
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
from .pooled_model import (
    POOLED as POOLED,
)
from .pooled_model import (
    PooledModel as PooledModel,
)
from .pooled_model import (
    coin_code as coin_code,
)
from .pooled_model import (
    pooled_input as pooled_input,
)

__all__ = [
    "ALGORITHMS",
    "Algorithm",
    "Estimator",
    "LIBRARY_TREES",
    "MASTER",
    "MasterPredictor",
    "ModelStore",
    "ModelSummary",
    "NAIVE",
    "NUMPY_TREES",
    "POOLED",
    "PooledModel",
    "SUB_ALGORITHM",
    "StoredModel",
    "TreeEvaluator",
    "check_algorithms",
    "coin_code",
    "make_estimator",
    "pooled_input",
    "save_native",
]
