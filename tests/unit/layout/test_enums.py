"""The typed seams: every StrEnum's members pinned, in order, and each member spelled as the
string it replaced, so JSON, printed text, stored files and the CLI choices stay as they were.

Changing a member is a decision: update the list here in the same commit, and say why.
"""

from __future__ import annotations

import json
import subprocess
import sys
from enum import StrEnum

import pytest

from finbot.algorithms import TRAINABLE, Algorithm
from finbot.cli.evaluate_cmd import WalkForwardWindow
from finbot.cli.predict_cmd import QuestionKind
from finbot.config import TrainingBackend
from finbot.prediction.decision import Action
from finbot.prediction.models import ALGORITHMS, MASTER, NAIVE, SUB_ALGORITHM
from finbot.prediction.training import RetrainMode
from finbot.replay import ReplayVolumeUnit
from finbot.storage import VolumeUnit
from finbot.timeframes import FALLBACK_TIMEFRAME, TIMEFRAMES, Timeframe

pytestmark = pytest.mark.unit

PINNED: dict[type[StrEnum], list[tuple[str, str]]] = {
    Timeframe: [("M5", "5m"), ("H1", "1h"), ("H4", "4h"), ("D1", "1d"), ("W1", "1w")],
    Algorithm: [
        ("LINEAR", "linear"),
        ("RANDOM_FOREST", "random_forest"),
        ("LIGHTGBM", "lightgbm"),
        ("XGBOOST", "xgboost"),
        ("NAIVE", "naive"),
        ("MASTER", "master"),
        ("POOLED", "pooled"),
    ],
    Action: [("BUY", "BUY"), ("SELL", "SELL"), ("HOLD", "HOLD")],
    QuestionKind: [
        ("PRICE", "price"),
        ("AMOUNT", "amount"),
        ("PROFIT", "profit"),
        ("WHEN", "when"),
        ("BEST", "best"),
    ],
    RetrainMode: [("MICRO", "micro"), ("MINI", "mini"), ("SCHEDULE", "schedule")],
    TrainingBackend: [("JOBLIB", "joblib"), ("DASK", "dask")],
    VolumeUnit: [("BASE", "base"), ("QUOTE", "quote")],
    ReplayVolumeUnit: [("AUTO", "auto"), ("USD", "usd"), ("BASE", "base")],
    WalkForwardWindow: [("EXPANDING", "expanding"), ("ROLLING", "rolling")],
}


@pytest.mark.parametrize("enum", list(PINNED), ids=lambda e: e.__name__)
def test_members_are_pinned_in_order(enum: type[StrEnum]) -> None:
    assert [(m.name, m.value) for m in enum] == PINNED[enum]
    assert list(enum.__members__) == [name for name, _ in PINNED[enum]]  # no hidden aliases


@pytest.mark.parametrize("enum", list(PINNED), ids=lambda e: e.__name__)
def test_a_member_reads_and_serialises_as_its_string(enum: type[StrEnum]) -> None:
    for member in enum:
        assert member == member.value and hash(member) == hash(member.value)
        assert str(member) == f"{member}" == f"{member:>0}" == member.value
        assert json.dumps({member: [member]}) == json.dumps({member.value: [member.value]})
        assert enum(member.value) is member
        assert {member.value: 1}[member] == 1  # a dict keyed by the old strings still works


def test_the_older_constants_are_the_members() -> None:
    assert tuple(Timeframe) == TIMEFRAMES and FALLBACK_TIMEFRAME is Timeframe.H1
    assert ALGORITHMS == TRAINABLE == tuple(Algorithm)[:4]
    assert NAIVE is Algorithm.NAIVE and MASTER is Algorithm.MASTER
    assert SUB_ALGORITHM is Algorithm.LIGHTGBM


def test_actions_vote_and_read_in_both_languages() -> None:
    assert [a.vote for a in Action] == [1, -1, 0]
    assert [a.text("en") for a in Action] == ["BUY", "SELL", "HOLD"]
    assert [a.text("fr") for a in Action] == ["ACHETER", "VENDRE", "CONSERVER"]
    assert Action("SELL").text("fr") == "VENDRE"


def test_the_cli_names_its_choices_without_loading_heavy_libraries() -> None:
    """The enums behind Typer choices live in light modules: building the CLI (every command,
    ``--help`` included) imports no numpy, polars, scipy or scikit-learn."""
    code = (
        "import sys, finbot.cli.app\n"
        "heavy = ('numpy', 'polars', 'scipy', 'sklearn', 'pandas')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "[]", out.stderr
