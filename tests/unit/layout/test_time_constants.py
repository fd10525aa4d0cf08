"""One set of time constants: ``finbot.timeframes`` defines them, every other module imports
them (no module redefines ``DAY_MS`` or writes ``3_600_000`` for an hour)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from finbot import timeframes
from finbot.timeframes import DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, WEEK_MS, duration_ms

pytestmark = pytest.mark.unit

SRC = Path(__file__).resolve().parents[3] / "src" / "finbot"
NAMES = ("SECOND_MS", "MINUTE_MS", "HOUR_MS", "DAY_MS", "WEEK_MS")
#: A minute, an hour, a day and a week in milliseconds, as literals.
LITERALS = {60_000, 3_600_000, 86_400_000, 604_800_000}


def test_constants_agree_with_the_duration_parser() -> None:
    parsed = [duration_ms(text) for text in ("1s", "1m", "1h", "1d", "1w")]
    assert parsed == [SECOND_MS, MINUTE_MS, HOUR_MS, DAY_MS, WEEK_MS]


def _offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in NAMES:
                    found.append(f"{path.name}:{node.lineno}: defines {target.id}")
        elif isinstance(node, ast.Constant) and type(node.value) is int and node.value in LITERALS:
            found.append(f"{path.name}:{node.lineno}: literal {node.value}")
    return found


def test_no_module_redefines_the_constants() -> None:
    offences = []
    for path in sorted(SRC.rglob("*.py")):
        if path != Path(timeframes.__file__):
            offences.extend(_offences(path))
    assert offences == []


def test_the_check_sees_a_redefinition(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("DAY_MS = 86_400_000\nwait = 2 * 3_600_000\nprice = 60_000.0\n")
    assert _offences(sample) == [
        "sample.py:1: defines DAY_MS",
        "sample.py:1: literal 86400000",
        "sample.py:2: literal 3600000",
    ]
