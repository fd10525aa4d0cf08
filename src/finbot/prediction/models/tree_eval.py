"""A small pure-numpy evaluator for saved LightGBM text models and XGBoost JSON models.

``finbot predict`` only needs a model's trees, not its library: importing ``lightgbm`` pulls
in scikit-learn, scipy and pandas (seconds on a cold start). ``load_lightgbm(path)`` and
``load_xgboost(path)`` return a ``TreeEnsemble`` whose ``predict(X)`` equals the library's
``Booster.predict`` (same missing-value rules, same float precision, same summation order).

Every tree of the ensemble lives in flat node arrays; a leaf points to itself, so all rows and
all trees walk down together for ``depth`` steps (iterating over depth, never over rows).
Unsupported models (categorical splits, linear trees, non-identity links, several outputs)
raise ``UnsupportedModel`` (a ModelError). This is the numpy half of the ``TreeEvaluator``
interface (``algorithms.NUMPY_TREES``, which loads the library itself for an unsupported
model); ``algorithms.LIBRARY_TREES`` is the reference it is tested against.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from finbot.algorithms import Algorithm
from finbot.errors import ModelError
from finbot.i18n import N_, error_message

N = TypeVar("N", int, float)

LGB_ZERO = float(np.float32(1e-35))  # LightGBM's kZeroThreshold (a float): |x| <= it is 0
MISSING_NONE, MISSING_ZERO, MISSING_NAN = 0, 1, 2
LGB_OBJECTIVES = frozenset(
    {"regression", "regression_l2", "regression_l1", "huber", "fair", "quantile", "mape"}
)
XGB_OBJECTIVES = frozenset({"reg:absoluteerror", "reg:pseudohubererror", "reg:squarederror"})
_PARSE_ERRORS = (KeyError, ValueError, TypeError, IndexError, AttributeError, OSError)
ROW_CHUNK = 4096  # rows evaluated at once (bounds the rows x trees work arrays)


class UnsupportedModel(ModelError):
    """A valid model that this evaluator does not handle (use the library instead)."""


@dataclass(frozen=True)
class TreeEnsemble:
    """All trees in flat node arrays (a leaf has left == right == itself)."""

    kind: Algorithm  # LIGHTGBM or XGBOOST
    n_features: int
    roots: np.ndarray  # int64, one root node per tree
    feature: np.ndarray  # int64 per node (0 at leaves)
    threshold: np.ndarray  # float64 (LightGBM) or float32 (XGBoost) per node
    left: np.ndarray  # int64 per node
    right: np.ndarray  # int64 per node
    default_left: np.ndarray  # bool per node
    missing: np.ndarray  # int8 per node: MISSING_NONE / MISSING_ZERO / MISSING_NAN
    value: np.ndarray  # leaf values (float64 LightGBM, float32 XGBoost), 0 elsewhere
    depth: int  # the deepest leaf's depth
    base_score: float = 0.0
    average: bool = False

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The ensemble's raw (identity-link) output for each row of ``x``."""
        data = np.asarray(x, dtype=np.float64)
        if data.ndim == 1:
            data = data.reshape(1, -1)
        if data.ndim != 2 or data.shape[1] != self.n_features:
            raise ModelError(
                N_("features: expected {n_features} columns, got {got}"),
                n_features=self.n_features,
                got=data.shape[1] if data.ndim == 2 else data.shape,
            )
        if data.shape[0] == 0:
            return np.zeros(0)
        parts = [
            self._predict_chunk(data[i : i + ROW_CHUNK]) for i in range(0, data.shape[0], ROW_CHUNK)
        ]
        return np.concatenate(parts)

    def _predict_chunk(self, data: np.ndarray) -> np.ndarray:
        leaves = self._leaves(_prepare(data, self.kind))
        return _sum_leaves(self, self.value[leaves])

    def _leaves(self, data: np.ndarray) -> np.ndarray:
        """Leaf node reached by each (row, tree)."""
        n_rows = data.shape[0]
        rows = np.arange(n_rows)[:, None]
        node = np.broadcast_to(self.roots, (n_rows, self.roots.size))
        for _ in range(self.depth):
            values = data[rows, self.feature[node]]
            node = np.where(_goes_left(self, node, values), self.left[node], self.right[node])
        return node


def _prepare(data: np.ndarray, kind: Algorithm) -> np.ndarray:
    if kind == Algorithm.XGBOOST:
        return data.astype(np.float32)  # XGBoost compares in single precision
    # LightGBM drops |x| <= kZeroThreshold from a dense row: those read as exactly 0
    return np.where(np.abs(data) <= LGB_ZERO, 0.0, data)


def _goes_left(model: TreeEnsemble, node: np.ndarray, values: np.ndarray) -> np.ndarray:
    nan = np.isnan(values)
    if model.kind == Algorithm.XGBOOST:
        with np.errstate(invalid="ignore"):
            left = np.where(nan, model.default_left[node], values < model.threshold[node])
        return np.asarray(left, dtype=bool)
    kind = model.missing[node]
    values = np.where(nan & (kind != MISSING_NAN), 0.0, values)
    is_missing = ((kind == MISSING_ZERO) & (values == 0.0)) | ((kind == MISSING_NAN) & nan)
    with np.errstate(invalid="ignore"):
        left = np.where(is_missing, model.default_left[node], values <= model.threshold[node])
    return np.asarray(left, dtype=bool)


def _sum_leaves(model: TreeEnsemble, leaf_values: np.ndarray) -> np.ndarray:
    """Tree outputs summed in tree order, in the library's precision."""
    if model.kind == Algorithm.XGBOOST:
        start = np.full((leaf_values.shape[0], 1), model.base_score, dtype=np.float32)
        terms = np.concatenate([start, leaf_values.astype(np.float32)], axis=1)
        return np.cumsum(terms, axis=1, dtype=np.float32)[:, -1].astype(np.float64)
    total = np.cumsum(leaf_values, axis=1, dtype=np.float64)[:, -1]
    return total / leaf_values.shape[1] if model.average else total


# ---------------------------------------------------------------------------------- building
@dataclass
class _Nodes:
    """Nodes accumulated across trees before freezing into a TreeEnsemble."""

    feature: list[int]
    threshold: list[float]
    left: list[int]
    right: list[int]
    default_left: list[bool]
    missing: list[int]
    value: list[float]
    roots: list[int]

    @classmethod
    def empty(cls) -> _Nodes:
        return cls([], [], [], [], [], [], [], [])

    def add_leaf(self, value: float) -> int:
        index = len(self.feature)
        self._append(0, 0.0, index, index, False, MISSING_NONE, value)
        return index

    def _append(
        self,
        feature: int,
        threshold: float,
        left: int,
        right: int,
        default_left: bool,
        missing: int,
        value: float,
    ) -> None:
        self.feature.append(feature)
        self.threshold.append(threshold)
        self.left.append(left)
        self.right.append(right)
        self.default_left.append(default_left)
        self.missing.append(missing)
        self.value.append(value)

    def add_split(self, feature: int, threshold: float, default_left: bool, missing: int) -> int:
        index = len(self.feature)
        self._append(feature, threshold, -1, -1, default_left, missing, 0.0)
        return index

    def freeze(
        self, kind: Algorithm, n_features: int, *, base_score: float = 0.0, average: bool = False
    ) -> TreeEnsemble:
        if not self.roots:
            raise UnsupportedModel(N_("{kind} model: no trees"), kind=kind)
        float_type = np.float32 if kind == Algorithm.XGBOOST else np.float64
        left, right = np.asarray(self.left, np.int64), np.asarray(self.right, np.int64)
        feature = np.asarray(self.feature, np.int64)
        if feature.size and int(feature.max()) >= n_features:
            raise ModelError(
                N_("{kind} model: split on feature {feature} of {n_features}"),
                kind=kind,
                feature=int(feature.max()),
                n_features=n_features,
            )
        return TreeEnsemble(
            kind=kind,
            n_features=n_features,
            roots=np.asarray(self.roots, np.int64),
            feature=feature,
            threshold=np.asarray(self.threshold, float_type),
            left=left,
            right=right,
            default_left=np.asarray(self.default_left, bool),
            missing=np.asarray(self.missing, np.int8),
            value=np.asarray(self.value, float_type),
            depth=_max_depth(self.roots, left, right),
            base_score=base_score,
            average=average,
        )


def _max_depth(roots: list[int], left: np.ndarray, right: np.ndarray) -> int:
    deepest, stack = 0, [(root, 0) for root in roots]
    while stack:
        node, depth = stack.pop()
        if left[node] == node:
            deepest = max(deepest, depth)
            continue
        if depth > len(left):
            raise ModelError(N_("tree model: a cycle in the tree's children"))
        stack.extend(((int(left[node]), depth + 1), (int(right[node]), depth + 1)))
    return deepest


# ---------------------------------------------------------------------------------- LightGBM
def load_lightgbm(path: Path) -> TreeEnsemble:
    """A LightGBM text model (``Booster.save_model``) as a TreeEnsemble."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        header, blocks = _lightgbm_sections(text)
        objective = header.get("objective", "").split()
        if not objective or objective[0] not in LGB_OBJECTIVES or "sqrt" in objective:
            raise UnsupportedModel(
                N_("{path}: LightGBM objective {objective!r} has no identity output"),
                path=path,
                objective=" ".join(objective),
            )
        if int(header.get("num_tree_per_iteration", "1")) != 1:
            raise UnsupportedModel(N_("{path}: several trees per iteration"), path=path)
        nodes = _Nodes.empty()
        for block in blocks:
            _lightgbm_tree(block, nodes, path)
        return nodes.freeze(
            Algorithm.LIGHTGBM,
            int(header["max_feature_idx"]) + 1,
            average="average_output" in header,
        )
    except UnsupportedModel:
        raise
    except (ModelError, *_PARSE_ERRORS) as exc:
        raise ModelError(
            N_("{path}: cannot load lightgbm model ({exc})"), path=path, exc=error_message(exc)
        ) from exc


def _lightgbm_sections(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """(header keys, one dict per ``Tree=`` block); ModelError when not a LightGBM model."""
    lines = text.split("end of trees", 1)[0].splitlines()
    if not lines or lines[0].strip() != "tree":
        raise ModelError(N_("not a LightGBM text model: the first line is not 'tree'"))
    header: dict[str, str] = {}
    blocks: list[dict[str, str]] = []
    current = header
    for line in lines[1:]:
        key, _, value = line.strip().partition("=")
        if not key:
            continue
        if key == "Tree":
            current = {}
            blocks.append(current)
        else:
            current[key] = value
    return header, blocks


def _numbers(block: dict[str, str], key: str, kind: Callable[[str], N]) -> list[N]:
    return [kind(v) for v in block.get(key, "").split()]


def _lightgbm_tree(block: dict[str, str], nodes: _Nodes, path: Path) -> None:
    if block.get("is_linear", "0") != "0":
        raise UnsupportedModel(N_("{path}: linear trees are not supported"), path=path)
    if int(block.get("num_cat", "0")) != 0:
        raise UnsupportedModel(N_("{path}: categorical splits are not supported"), path=path)
    leaves = _numbers(block, "leaf_value", float)
    n_leaves = int(block["num_leaves"])
    if len(leaves) != n_leaves:
        raise ModelError(
            N_("{path}: tree has {n_values} leaf values for {n_leaves} leaves"),
            path=path,
            n_values=len(leaves),
            n_leaves=n_leaves,
        )
    if n_leaves == 1:
        nodes.roots.append(nodes.add_leaf(leaves[0]))
        return
    features = _numbers(block, "split_feature", int)
    thresholds = _numbers(block, "threshold", float)
    decisions = _numbers(block, "decision_type", int)
    children = (_numbers(block, "left_child", int), _numbers(block, "right_child", int))
    if any(d & 1 for d in decisions):
        raise UnsupportedModel(N_("{path}: categorical splits are not supported"), path=path)
    first = len(nodes.feature)
    for feature, threshold, decision in zip(features, thresholds, decisions, strict=True):
        nodes.add_split(feature, threshold, bool(decision & 2), (decision >> 2) & 3)
    leaf_ids = [nodes.add_leaf(v) for v in leaves]
    for i, (left, right) in enumerate(zip(*children, strict=True)):
        nodes.left[first + i] = first + left if left >= 0 else leaf_ids[~left]
        nodes.right[first + i] = first + right if right >= 0 else leaf_ids[~right]
    nodes.roots.append(first)


# ---------------------------------------------------------------------------------- XGBoost
def load_xgboost(path: Path) -> TreeEnsemble:
    """An XGBoost JSON model (``Booster.save_model("*.json")``) as a TreeEnsemble."""
    try:
        learner = json.loads(Path(path).read_text(encoding="utf-8"))["learner"]
        objective = learner["objective"]["name"]
        if objective not in XGB_OBJECTIVES:
            raise UnsupportedModel(
                N_("{path}: XGBoost objective {objective!r} is not identity"),
                path=path,
                objective=objective,
            )
        booster = learner["gradient_booster"]
        if booster.get("name") != "gbtree":
            raise UnsupportedModel(
                N_("{path}: XGBoost booster {name!r}"), path=path, name=booster.get("name")
            )
        params = learner["learner_model_param"]
        if int(params.get("num_target", "1")) > 1 or int(params.get("num_class", "0")) > 1:
            raise UnsupportedModel(N_("{path}: several outputs are not supported"), path=path)
        nodes = _Nodes.empty()
        for tree in booster["model"]["trees"]:
            _xgboost_tree(tree, nodes, path)
        return nodes.freeze(
            Algorithm.XGBOOST,
            int(params["num_feature"]),
            base_score=parse_base_score(params["base_score"]),
        )
    except UnsupportedModel:
        raise
    except (ModelError, *_PARSE_ERRORS) as exc:
        raise ModelError(
            N_("{path}: cannot load xgboost model ({exc})"), path=path, exc=error_message(exc)
        ) from exc


def parse_base_score(text: object) -> float:
    """XGBoost's stored base score: ``"5E-1"`` (before 3.0) or ``"[5E-1]"`` (3.x)."""
    items = [s for s in str(text).strip().strip("[]").split(",") if s.strip()]
    if len(items) != 1:
        raise UnsupportedModel(N_("base_score: expected one value, got {text!r}"), text=text)
    return float(np.float32(float(items[0])))


def _xgboost_tree(tree: dict[str, Any], nodes: _Nodes, path: Path) -> None:
    if any(int(t) != 0 for t in tree.get("split_type", [])) or tree.get("categories_nodes"):
        raise UnsupportedModel(N_("{path}: categorical splits are not supported"), path=path)
    if int(tree.get("tree_param", {}).get("size_leaf_vector", "1")) > 1:
        raise UnsupportedModel(N_("{path}: vector leaves are not supported"), path=path)
    lefts, rights = tree["left_children"], tree["right_children"]
    first = len(nodes.feature)
    for i, left in enumerate(lefts):
        condition = float(tree["split_conditions"][i])
        if left == -1:
            nodes.add_leaf(condition)
        else:
            nodes.add_split(
                int(tree["split_indices"][i]), condition, bool(tree["default_left"][i]), MISSING_NAN
            )
            nodes.left[-1], nodes.right[-1] = first + int(left), first + int(rights[i])
    nodes.roots.append(first)
