"""The layout is the flow: no import cycle (files or packages) and no import against the layers.

The graph comes from ``scripts/import_graph.py`` and counts every import, lazy ones and those
under ``TYPE_CHECKING`` included.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[3]

# Lowest first. A module may import its own package, any lower layer, nothing above it and no
# other package of its own layer.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("finbot", "finbot.errors"),
    ("finbot.paths", "finbot.schema", "finbot.clock", "finbot.timeframes", "finbot.i18n"),
    ("finbot.config",),
    ("finbot.storage",),
    ("finbot.collectors", "finbot.prediction", "finbot.replay"),
    ("finbot.alerts",),  # reads predictions, usage and collector runs; sends through apprise
    ("finbot.services",),
    ("finbot.ops",),
    ("finbot.web",),
    ("finbot.cli", "finbot.tools"),
    ("finbot.__main__",),
)
# Inside prediction, the stages in order: features, then models (and the volatility forecasts
# beside them), then what uses them.
PREDICTION_STAGES: tuple[tuple[str, ...], ...] = (
    ("finbot.prediction.features", "finbot.prediction.decision"),
    ("finbot.prediction.models", "finbot.prediction.volatility"),
    ("finbot.prediction.training", "finbot.prediction.pipeline"),
    ("finbot.prediction.tracking",),
    ("finbot.prediction.questions",),
)


def _graph_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_graph", REPO / "scripts/import_graph.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("import_graph", module)
    spec.loader.exec_module(module)
    return module


GRAPH = _graph_module()


def _home(name: str, layers: tuple[tuple[str, ...], ...]) -> tuple[int, str] | None:
    best: tuple[int, str] | None = None
    for rank, members in enumerate(layers):
        for member in members:
            if (name == member or name.startswith(member + ".")) and (
                best is None or len(member) > len(best[1])
            ):
                best = (rank, member)
    return best


def _violations(layers: tuple[tuple[str, ...], ...], scope: str) -> list[str]:
    found = []
    for src, deps in GRAPH.file_graph().items():
        here = _home(src, layers)
        if here is None or not src.startswith(scope):
            continue
        for dst in deps:
            there = _home(dst, layers)
            if there is None or there[1] == here[1] or not dst.startswith(scope):
                continue
            if there[0] >= here[0]:
                found.append(f"{src} -> {dst}")
    return sorted(found)


def test_every_module_has_a_layer() -> None:
    missing = [m for m in GRAPH.file_graph() if _home(m, LAYERS) is None]
    assert missing == []
    stages = [m for m in GRAPH.file_graph() if m.startswith("finbot.prediction.")]
    assert [m for m in stages if _home(m, PREDICTION_STAGES) is None] == []


@pytest.mark.parametrize("depth", [None, 2, 3, 4])
def test_no_import_cycle(depth: int | None) -> None:
    graph = GRAPH.file_graph()
    if depth is not None:
        graph = GRAPH.package_graph(graph, depth)
    assert GRAPH.cycles(graph) == []


def test_no_import_against_the_layers() -> None:
    assert _violations(LAYERS, "finbot") == []


def test_prediction_stages_import_downwards_only() -> None:
    assert _violations(PREDICTION_STAGES, "finbot.prediction.") == []


def test_the_checker_sees_a_cycle_and_a_violation() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert GRAPH.cycles(graph) == [["a", "b", "c"]]
    assert _home("finbot.cli.app", LAYERS) == (9, "finbot.cli")
    assert _home("finbot", LAYERS) == (0, "finbot")
    assert _home("finbot.prediction.models.tree_eval", PREDICTION_STAGES) == (
        1,
        "finbot.prediction.models",
    )
