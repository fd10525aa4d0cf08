"""Every finbot error raised by the data side (config, storage, collectors, replay and the base
modules errors, timeframes, paths, schema, clock) carries an English message id and its values,
so the CLI and the dashboard can show it in the user's language.

An AST scan of those files: each construction of a FinbotError subclass passes as its message
an ``N_("...")`` template, a ``Message(...)``, or a name bound to one of those (or annotated
``Message``, which mypy then guarantees); an f-string or a plain variable would reach a French
user in English. For an ``N_`` literal the placeholders must be exactly the values given (a
missing one is a KeyError at raise time; a value named like the class's own keywords,
``status=`` of an ApiError, is taken by the class and never reaches the message).
"""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

SRC = Path(__file__).resolve().parents[3] / "src" / "finbot"
SCOPE = (
    "errors.py",
    "timeframes.py",
    "paths.py",
    "schema.py",
    "clock.py",
    "config",
    "storage",
    "collectors",
    "replay",
)
NOT_SCANNED = {"collectors/historical_collector.py"}  # converted with the prediction side
# the keywords an error class takes for itself (never message values): errors.py's __init__s
_API = {"status", "code"}
OWN_KEYWORDS = {
    "ApiError": _API,
    "QuotaExhausted": _API,
    "HistoryLimit": _API,
    "RateLimited": _API | {"retry_after"},
    "JobFailed": {"rows"},
}
# classes that build their own message from a value (AlreadyRunning(pid): both N_ lines)
NO_MESSAGE_ARGUMENT = {"AlreadyRunning"}
# (file, line text) of developer-only errors a user cannot meet; none today
ALLOWED: frozenset[tuple[str, str]] = frozenset()


def _error_classes() -> set[str]:
    """The names of FinbotError and every subclass defined anywhere in src/finbot."""
    bases: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = {
                    b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
                }
                bases.setdefault(node.name, set()).update(names)
    found = {"FinbotError"}
    while True:
        more = {name for name, parents in bases.items() if parents & found} - found
        if not more:
            return found
        found |= more


def _files() -> Iterator[Path]:
    for part in SCOPE:
        path = SRC / part
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            if file.relative_to(SRC).as_posix() not in NOT_SCANNED:
                yield file


def _called(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _is_template(node: ast.expr | None) -> bool:
    """``N_("...")``, ``Message(...)``, or a conditional choosing between such."""
    if isinstance(node, ast.IfExp):
        return _is_template(node.body) and _is_template(node.orelse)
    return isinstance(node, ast.Call) and _called(node) in {"N_", "Message"}


def _annotated_message(annotation: ast.expr | None) -> bool:
    return isinstance(annotation, ast.Name) and annotation.id == "Message"


def _bindings_are_templates(name: str, scopes: list[ast.AST]) -> bool:
    """True when ``name`` is bound, in the innermost scope that binds it, only to templates."""
    for scope in scopes:
        verdicts: list[bool] = []
        if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
            every = [*scope.args.posonlyargs, *scope.args.args, *scope.args.kwonlyargs]
            verdicts += [_annotated_message(a.annotation) for a in every if a.arg == name]
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets
            ):
                verdicts.append(_is_template(node.value))
            elif isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == name:
                verdicts.append(_annotated_message(node.annotation) or _is_template(node.value))
        if verdicts:
            return all(verdicts)
    return False


def _placeholders(template: str) -> set[str]:
    return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(template) if f}


def _problem(call: ast.Call, scopes: list[ast.AST]) -> str | None:
    """What is wrong with one error construction, or None."""
    first = call.args[0] if call.args else None
    if isinstance(first, ast.Name):
        return None if _bindings_are_templates(first.id, scopes) else "a name bound to no template"
    if not _is_template(first):
        return "no N_ template"
    assert isinstance(first, ast.Call)
    literal = first.args[0] if first.args and _called(first) == "N_" else None
    if not isinstance(literal, ast.Constant) or not isinstance(literal.value, str):
        return None  # a Message(...) or an IfExp: its values are checked where it is built
    if any(k.arg is None for k in call.keywords):
        return None  # **values: not checkable here
    values = {k.arg for k in call.keywords if k.arg} - OWN_KEYWORDS.get(_called(call), set())
    if _placeholders(literal.value) != values:
        return f"placeholders {sorted(_placeholders(literal.value))} but values {sorted(values)}"
    return None


def scan(source: str, classes: set[str]) -> list[tuple[int, str]]:
    """(line, problem) of each error construction of ``source`` that carries no template."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, scopes: list[ast.AST]) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            scopes = [node, *scopes]
        if isinstance(node, ast.Call) and _called(node) in classes - NO_MESSAGE_ARGUMENT:
            problem = _problem(node, scopes)
            if problem:
                found.append((node.lineno, problem))
        for child in ast.iter_child_nodes(node):
            visit(child, scopes)

    tree = ast.parse(source)
    visit(tree, [tree])
    return found


def _constructions(source: str, classes: set[str]) -> int:
    return sum(
        isinstance(n, ast.Call) and _called(n) in classes for n in ast.walk(ast.parse(source))
    )


def test_every_error_of_the_data_side_is_raised_with_a_message_id() -> None:
    classes = _error_classes()
    assert {"UsageError", "ApiError", "RateLimited", "StorageWriteError", "CsvRejected"} <= classes
    problems, seen = [], 0
    for file in _files():
        source = file.read_text("utf-8")
        lines = source.splitlines()
        seen += _constructions(source, classes)
        rel = file.relative_to(SRC).as_posix()
        problems += [
            f"{rel}:{line}: {problem}: {lines[line - 1].strip()}"
            for line, problem in scan(source, classes)
            if (rel, lines[line - 1].strip()) not in ALLOWED
        ]
    assert problems == []
    assert seen >= 90  # the scan looked at the raise sites (about a hundred today)


@pytest.mark.parametrize(
    ("snippet", "problem"),
    [
        ("raise UsageError(f'coin: unknown {text!r}')", "no N_ template"),
        ("raise DataError('fx: ' + reason)", "no N_ template"),
        ("def f(detail):\n    raise ApiError(detail, status=1)", "a name bound to no template"),
        (
            "raise ApiError(N_('HTTP {status}'), status=404)",
            "placeholders ['status'] but values []",
        ),
        ("raise UsageError(N_('{a} and {b}'), a=1)", "placeholders ['a', 'b'] but values ['a']"),
    ],
)
def test_the_scan_finds_an_untranslatable_error(snippet: str, problem: str) -> None:
    classes = {"UsageError", "DataError", "ApiError"}
    assert [p for _, p in scan(snippet, classes)] == [problem]


@pytest.mark.parametrize(
    "snippet",
    [
        "raise UsageError(N_('coin: unknown {text!r}'), text=text)",
        "raise ApiError(N_('CoinGecko {endpoint}: HTTP 429'), status=429, endpoint=path)",
        "def f(detail: Message):\n    raise ApiError(detail, status=1)",
        "UNREADABLE = N_('{path} unreadable')\nraise DataError(UNREADABLE, path=p)",
        "t = N_('a {n}') if many else N_('b {n}')\nraise DataError(t, n=n)",
        "raise DataError(N_('fx: expected a JSON object'))",
    ],
)
def test_the_scan_accepts_a_message_id(snippet: str) -> None:
    assert scan(snippet, {"UsageError", "DataError", "ApiError"}) == []
