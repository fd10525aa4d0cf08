"""finbot's own errors in the upper packages (prediction, ops, cli, web, alerts, tools and
``finbot/algorithms.py``) carry an English message id and its values, so that the CLI and the
dashboard show them in the user's language: every construction of a ``FinbotError`` subclass
there passes ``N_("...")`` (or a line that is already a message id) as its message.

The lower packages (config, collectors, storage, replay...) have their own scan.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from finbot.errors import FinbotError, UsageError
from finbot.i18n import N_, Message, translate

pytestmark = pytest.mark.unit

SRC = Path(__file__).resolve().parents[3] / "src/finbot"
SCANNED = ("prediction", "ops", "cli", "web", "alerts", "tools", "algorithms.py")
#: Being split by another change while this scan was written; their raises are converted (and
#: scanned) once that lands.
PENDING: frozenset[str] = frozenset()
#: Classes that word their own message (no message argument): AlreadyRunning builds its
#: N_ line from the PID.
SELF_WORDED = frozenset({"AlreadyRunning"})
#: (file, class) pairs whose message comes from elsewhere, already translatable or English only.
ALLOWED = frozenset(
    {
        # the collector's own recorded line (it logged and recorded the failure), else N_
        ("ops/jobs.py", "JobFailed"),
    }
)
#: Calls whose result keeps a message id: finbot.i18n's Message and error_message.
CARRIERS = frozenset({"N_", "Message", "error_message"})


def _error_classes() -> frozenset[str]:
    """FinbotError and every subclass defined in src/finbot (by name, to a fixed point)."""
    bases: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = {_name(b) for b in node.bases} - {None}
                bases.setdefault(node.name, set()).update(n for n in names if n)
    found = {"FinbotError"}
    while grown := {c for c, b in bases.items() if b & found} - found:
        found |= grown
    return frozenset(found)


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def _scanned_files() -> Iterator[tuple[str, Path]]:
    for part in SCANNED:
        root = SRC / part
        for path in sorted(root.rglob("*.py")) if root.is_dir() else [root]:
            rel = path.relative_to(SRC).as_posix()
            if rel not in PENDING:
                yield rel, path


def _module_templates(tree: ast.Module) -> set[str]:
    """Module-level names bound to an ``N_("...")`` call (``POOLED_ROWS = N_(...)``), and the
    module's functions that return a ``Message`` (``def _bad(...) -> Message``)."""
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and _is_carrier(node.value, set()):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        returns = getattr(node, "returns", None)
        if isinstance(node, ast.FunctionDef) and _name(returns) == "Message":
            names.add(node.name)
    return names


def _is_carrier(node: ast.expr, templates: set[str]) -> bool:
    if isinstance(node, ast.Call):
        return _name(node.func) in CARRIERS or _name(node.func) in templates
    return isinstance(node, ast.Name) and node.id in templates


def untemplated(rel: str, source: str, classes: frozenset[str]) -> list[str]:
    """``file:line Class`` for each construction of a finbot error without a message id."""
    tree = ast.parse(source)
    templates = _module_templates(tree)
    bad = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _name(node.func) not in classes:
            continue
        cls = _name(node.func)
        if cls in SELF_WORDED or (rel, cls) in ALLOWED:
            continue
        if not node.args or not _is_carrier(node.args[0], templates):
            bad.append(f"{rel}:{node.lineno} {cls}")
    return bad


def test_every_error_of_the_upper_packages_carries_a_message_id() -> None:
    classes = _error_classes()
    assert {"UsageError", "ModelError", "UnsupportedModel", "DeliveryFailed"} <= classes
    bad = [b for rel, path in _scanned_files() for b in untemplated(rel, path.read_text(), classes)]
    assert not bad, "raise these with N_(...) and values:\n" + "\n".join(bad)


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ('raise UsageError(f"coin: unknown {text!r}")', True),
        ('raise ModelError("a plain line")', True),
        ("raise DataError(str(exc))", True),
        ("raise UsageError()", True),
        ('raise UsageError(N_("coin: unknown {text!r}"), text=text)', False),
        ('raise UnsupportedModel(N_("{path}: no trees"), path=p) from None', False),
        ("raise ModelError(error_message(exc))", False),
        ('LINE = N_("bars: {n}")\nraise DataError(LINE, n=1)', False),
        ('raise ValueError(f"not finbot\'s {x}")', False),
    ],
)
def test_the_scan_tells_templates_from_plain_lines(source: str, flagged: bool) -> None:
    found = untemplated("x.py", source, _error_classes())
    assert bool(found) is flagged, found


def test_a_message_id_without_values_is_translated_and_its_english_kept() -> None:
    exc = UsageError(N_("coin: expected a coin"))
    assert str(exc) == "coin: expected a coin" and exc.template == "coin: expected a coin"
    assert translate("fr", exc.template) == "crypto : une crypto attendue"
    plain = FinbotError("a library's text {not a placeholder}")  # shown as it is
    assert plain.template is None and str(plain) == "a library's text {not a placeholder}"
    carried = UsageError(
        Message(N_("export: expected a .csv or .xlsx file, got {name!r}"), name="a")
    )
    assert str(carried) == "export: expected a .csv or .xlsx file, got 'a'"
    assert carried.values == {"name": "a"}
