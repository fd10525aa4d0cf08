"""Every line finbot logs at INFO and above is a ``finbot.i18n.Message``: the console shows it
in the user's language (``ops.logs.LanguageFormatter``), the log file keeps the English.

Read from the source (an AST scan, cheap): a logging call passes ``"%s"`` and one Message, a
call of a helper annotated to return one, or a local name bound to one of those in the same
function. DEBUG lines are developer diagnostics (``-v``) and stay English: they are not scanned.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

SRC = Path(__file__).resolve().parents[3] / "src" / "finbot"
LEVELS = {"info", "warning", "error", "exception", "critical"}
LOGGERS = {"log", "logger", "logging"}
# Message itself, and the name web.app imports it under (starlette.types has a Message too)
MESSAGE = {"Message", "Line"}


def _makers(trees: dict[Path, ast.Module]) -> set[str]:
    """Message, and every function or method of src annotated to return one."""
    found = set(MESSAGE)
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and isinstance(
                node.returns, ast.Name | ast.Constant
            ):
                returns = (
                    node.returns.id if isinstance(node.returns, ast.Name) else node.returns.value
                )
                if returns in MESSAGE:
                    found.add(node.name)
    return found


def _called(node: ast.expr) -> str | None:
    if isinstance(node, ast.Call):
        func = node.func
        return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return None


def _is_message(node: ast.expr, makers: set[str], bound: set[str]) -> bool:
    if isinstance(node, ast.IfExp):
        return _is_message(node.body, makers, bound) and _is_message(node.orelse, makers, bound)
    if isinstance(node, ast.Name):
        return node.id in bound
    return _called(node) in makers


def _bound(function: ast.AST, makers: set[str]) -> set[str]:
    """Local names assigned a Message in ``function``."""
    names: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and _is_message(node.value, makers, set()):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _is_logger(node: ast.expr) -> bool:
    """``log``, ``logger``, ``logging``, ``self._log``, ``logging.getLogger(...)``."""
    if isinstance(node, ast.Call):
        return _called(node) == "getLogger"
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")
    return name in LOGGERS or name.lstrip("_").endswith(("log", "logger"))


def _log_calls(tree: ast.Module) -> Iterator[tuple[ast.AST, ast.Call]]:
    scopes: list[ast.AST] = [tree]
    scopes += [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    seen: set[int] = set()
    for scope in reversed(scopes):  # innermost function first: its names bind its calls
        for node in ast.walk(scope):
            func = node.func if isinstance(node, ast.Call) else None
            if (
                isinstance(node, ast.Call)
                and isinstance(func, ast.Attribute)
                and func.attr in LEVELS
                and _is_logger(func.value)
                and id(node) not in seen
            ):
                seen.add(id(node))
                yield scope, node


def plain_log_lines(root: Path = SRC) -> list[str]:
    trees = {p: ast.parse(p.read_text("utf-8")) for p in sorted(root.rglob("*.py"))}
    makers = _makers(trees)
    plain = []
    for path, tree in trees.items():
        for scope, call in _log_calls(tree):
            args, bound = call.args, _bound(scope, makers)
            one = len(args) == 1 and _is_message(args[0], makers, bound)
            two = (
                len(args) == 2
                and isinstance(args[0], ast.Constant)
                and args[0].value == "%s"
                and _is_message(args[1], makers, bound)
            )
            if not (one or two):
                plain.append(f"{path.relative_to(root.parent)}:{call.lineno}")
    return sorted(plain, key=lambda at: (at.split(":")[0], int(at.split(":")[1])))


def test_every_logged_line_is_a_message() -> None:
    assert plain_log_lines() == []


def test_the_scan_finds_a_plain_line(tmp_path: Path) -> None:
    """The check can fail: plain English lines, however written, are reported."""
    pkg = tmp_path / "finbot"
    pkg.mkdir()
    (pkg / "m.py").write_text(
        "import logging\n"
        "from finbot.i18n import N_, Message\n"
        "log = logging.getLogger(__name__)\n"
        "def f(exc):\n"
        "    log.warning('cache failed: %s', exc)\n"  # 5: plain
        "    log.error('%s', str(exc))\n"  # 6: plain
        "    line = Message(N_('x {e}'), e=exc)\n"
        "    log.error('%s', line)\n"  # 8: a Message
        "    log.info('%s', Message(N_('done')))\n"  # 9: a Message
        "    log.debug('developer detail %s', exc)\n"  # 10: DEBUG, not scanned
        "def g():\n"
        "    log.info('%s', line)\n"  # 12: 'line' is not bound here
        "    logging.getLogger('x').error('inline %s', 1)\n",  # 13: plain
        "utf-8",
    )
    assert plain_log_lines(pkg) == [
        "finbot/m.py:5",
        "finbot/m.py:6",
        "finbot/m.py:12",
        "finbot/m.py:13",
    ]
