"""The estimators (one factory) and their native, non-pickle files.

Algorithms: ``linear`` (LinearRegression), ``random_forest`` (bounded RandomForestRegressor),
``lightgbm`` (L1 objective: we select by MAE), ``xgboost`` (hist, absolute error), and
``naive`` (zero return; no estimator, no file). Files: skops for scikit-learn (loaded with an
explicit list of trusted types), LightGBM's text format, XGBoost's JSON. ``load_native``
returns an object with ``predict(X) -> ndarray``.

LightGBM and XGBoost files become predictors through a ``TreeEvaluator``, chosen by the
caller (``load_native(..., trees=)``, ``ModelStore(..., trees=)``):

* ``NUMPY_TREES`` (the default): ``tree_eval``'s pure-numpy evaluator, same outputs as the
  libraries (tests compare them), so predicting imports neither library (nor scikit-learn,
  scipy and pandas, which ``lightgbm`` pulls in: seconds on a cold start); a model using a
  feature the evaluator lacks (categorical splits, linear trees, another link) gets the
  library instead.
* ``LIBRARY_TREES``: the libraries' own boosters, the reference.

The names are ``finbot.algorithms.Algorithm`` (re-exported here and by the package): low enough
for ``settings.json``'s ``training.algorithms`` to be typed with them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final, Protocol

import numpy as np

from finbot.algorithms import TRAINABLE
from finbot.algorithms import Algorithm as Algorithm  # re-exported by the package
from finbot.errors import ModelError
from finbot.i18n import N_, error_message

ALGORITHMS: tuple[Algorithm, ...] = TRAINABLE
NAIVE = Algorithm.NAIVE
MODEL_FILES: dict[Algorithm, str] = {
    Algorithm.LINEAR: "model.skops",
    Algorithm.RANDOM_FOREST: "model.skops",
    Algorithm.LIGHTGBM: "model.txt",
    Algorithm.XGBOOST: "model.json",
    Algorithm.POOLED: "model.txt",  # a LightGBM booster over every coin (``pooled_model``)
}
_SKOPS = (Algorithm.LINEAR, Algorithm.RANDOM_FOREST)
_TREES = (Algorithm.LIGHTGBM, Algorithm.XGBOOST, Algorithm.POOLED)
# Bounded forest: depth, leaf size and bootstrap size keep it ~100x faster than an
# unbounded one at a small accuracy cost (measured in the closing report).
FOREST_PARAMS: dict[str, int | float] = {
    "n_estimators": 60,
    "max_depth": 8,
    "min_samples_leaf": 50,
    "max_samples": 0.3,
    "max_features": 0.33,
}
TRUSTED_SKOPS_TYPES: tuple[str, ...] = (
    "sklearn.linear_model._base.LinearRegression",
    "sklearn.ensemble._forest.RandomForestRegressor",
    "sklearn.tree._classes.DecisionTreeRegressor",
    "sklearn.tree._tree.Tree",
    "numpy.random._mt19937.MT19937",
    "numpy.random.mtrand.RandomState",
)


class Predictor(Protocol):
    def predict(self, x: np.ndarray) -> np.ndarray: ...


class Estimator(Predictor, Protocol):
    """An unfitted model of the scikit-learn API: ``fit`` returns the fitted estimator."""

    def fit(self, x: np.ndarray, y: np.ndarray) -> Estimator: ...


def check_algorithms(names: tuple[str, ...] | list[str]) -> tuple[Algorithm, ...]:
    """The trainable algorithms named (as members); ModelError naming them otherwise."""
    unknown = [str(n) for n in names if n not in ALGORITHMS]
    if unknown or not names:
        raise ModelError(
            N_("algorithms: expected some of {algorithms}, got {unknown}"),
            algorithms=", ".join(ALGORITHMS),
            unknown=unknown,
        )
    return tuple(Algorithm(n) for n in names)


def make_estimator(name: str, seed: int, *, n_jobs: int = 1) -> Estimator:
    """A fresh, unfitted estimator for ``name`` (scikit-learn API)."""
    if name == Algorithm.LINEAR:
        return _linear()
    if name == Algorithm.RANDOM_FOREST:
        return _random_forest(seed, n_jobs)
    if name == Algorithm.LIGHTGBM:
        return _lightgbm(seed, n_jobs)
    if name == Algorithm.XGBOOST:
        return _xgboost(seed, n_jobs)
    raise ModelError(
        N_("algorithm: expected one of {algorithms}, got {name!r}"),
        algorithms=", ".join(ALGORITHMS),
        name=str(name),
    )


def _linear() -> Estimator:
    from sklearn.linear_model import LinearRegression

    linear: Estimator = LinearRegression()  # scikit-learn ships no type information
    return linear


def _random_forest(seed: int, n_jobs: int) -> Estimator:
    from sklearn.ensemble import RandomForestRegressor

    forest: Estimator = RandomForestRegressor(**FOREST_PARAMS, n_jobs=n_jobs, random_state=seed)
    return forest


def _lightgbm(seed: int, n_jobs: int) -> Estimator:
    """L1 objective (we select by MAE), small leaves and row/column subsampling."""
    from lightgbm import LGBMRegressor

    return LGBMRegressor(
        objective="l1",
        n_estimators=200,
        learning_rate=0.05,
        max_bin=63,
        num_leaves=15,
        min_child_samples=50,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        n_jobs=n_jobs,
        random_state=seed,
        verbose=-1,
    )


def _xgboost(seed: int, n_jobs: int) -> Estimator:
    """Histogram trees with the absolute-error objective."""
    from xgboost import XGBRegressor

    return XGBRegressor(
        tree_method="hist",
        objective="reg:absoluteerror",
        n_estimators=200,
        learning_rate=0.05,
        max_depth=4,
        max_bin=64,
        subsample=0.8,
        colsample_bytree=0.8,
        n_jobs=n_jobs,
        random_state=seed,
    )


def save_native(name: str, estimator: Any, folder: Path) -> str | None:
    """Write ``estimator`` in its library's own format; returns the file name (None: naive)."""
    if name == NAIVE:
        return None
    path = folder / MODEL_FILES[Algorithm(name)]
    if name in _SKOPS:
        import skops.io as sio

        sio.dump(estimator, path)
    elif name in (Algorithm.LIGHTGBM, Algorithm.POOLED):
        booster = getattr(estimator, "booster_", estimator)
        booster.save_model(str(path))
    else:
        booster = estimator.get_booster() if hasattr(estimator, "get_booster") else estimator
        booster.save_model(str(path))
    return path.name


class _Lightgbm:
    def __init__(self, path: Path):
        import lightgbm

        self.booster = lightgbm.Booster(model_file=str(path))

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.booster.predict(x, num_threads=1))


class _Xgboost:
    def __init__(self, path: Path):
        import xgboost

        self.booster = xgboost.Booster()
        self.booster.load_model(str(path))
        self.booster.set_param({"nthread": 1})

    def predict(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.booster.inplace_predict(x))


class TreeEvaluator(Protocol):
    """Turns a saved tree model (``algorithm`` "lightgbm" or "xgboost") into a predictor."""

    @property
    def name(self) -> str: ...

    def load(self, algorithm: str, path: Path) -> Predictor: ...


class LibraryTrees:
    """The libraries' own boosters (the reference): imports lightgbm or xgboost."""

    name = "library"

    def load(self, algorithm: str, path: Path) -> Predictor:
        return _Lightgbm(path) if algorithm == Algorithm.LIGHTGBM else _Xgboost(path)


class NumpyTrees:
    """``tree_eval``'s numpy evaluator; the library itself when the evaluator lacks a feature
    the model uses (categorical splits, linear trees, a non-identity link)."""

    name = "numpy"

    def load(self, algorithm: str, path: Path) -> Predictor:
        from finbot.prediction.models import tree_eval

        try:
            if algorithm == Algorithm.LIGHTGBM:
                return tree_eval.load_lightgbm(path)
            return tree_eval.load_xgboost(path)
        except tree_eval.UnsupportedModel:
            return LIBRARY_TREES.load(algorithm, path)


LIBRARY_TREES: Final[TreeEvaluator] = LibraryTrees()
NUMPY_TREES: Final[TreeEvaluator] = NumpyTrees()


def _load_skops(path: Path) -> Predictor:
    import skops.io as sio

    untrusted = set(sio.get_untrusted_types(file=path)) - set(TRUSTED_SKOPS_TYPES)
    if untrusted:
        raise ModelError(
            N_("{path}: refusing to load untrusted types {untrusted}"),
            path=path,
            untrusted=sorted(untrusted),
        )
    model: Predictor = sio.load(path, trusted=list(TRUSTED_SKOPS_TYPES))
    return model


def load_native(name: str, folder: Path, *, trees: TreeEvaluator = NUMPY_TREES) -> Predictor | None:
    """The saved model of ``name`` in ``folder`` (None for naive); ModelError if unreadable.
    ``trees`` evaluates LightGBM and XGBoost files."""
    if name == NAIVE:
        return None
    if name not in MODEL_FILES:
        raise ModelError(
            N_("algorithm: expected one of {algorithms}, got {name!r}"),
            algorithms=", ".join(ALGORITHMS),
            name=str(name),
        )
    path = folder / MODEL_FILES[Algorithm(name)]
    if not path.is_file():
        raise ModelError(N_("{path}: model file missing"), path=path)
    try:
        if name in _TREES:
            return trees.load(Algorithm.LIGHTGBM if name == Algorithm.POOLED else name, path)
        return _load_skops(path)
    except ModelError:
        raise
    except Exception as exc:  # a corrupt file in any library's format
        raise ModelError(
            N_("{path}: cannot load {name} model ({exc})"),
            path=path,
            name=name,
            exc=error_message(exc),
        ) from exc
