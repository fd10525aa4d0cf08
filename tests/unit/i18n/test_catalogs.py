"""The committed catalogs against the sources: every marked message has a French translation
with the same placeholders, the template and the ``.mo`` are current, and every message is
written so that the extractor can read it.

The extraction is ``make messages``' own (``scripts/messages.py``: Babel over ``src/finbot``).
"""

from __future__ import annotations

import ast
import importlib.util
import io
import string
import sys
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[3]
LOCALE = REPO / "src/finbot/locale"
FR_PO = LOCALE / "fr/LC_MESSAGES/finbot.po"

Key = tuple[str | None, str]  # (context, English message)


def _script() -> ModuleType:
    path = REPO / "scripts/messages.py"
    spec = importlib.util.spec_from_file_location("finbot_messages_script", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


MESSAGES = _script()


def _read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def _keys(catalog: Catalog) -> set[Key]:
    return {(m.context, str(m.id)) for m in catalog if m.id}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    template = tmp_path_factory.mktemp("messages") / "finbot.pot"
    MESSAGES.extract(template)
    catalog = _read(template)
    assert len(_keys(catalog)) > 150  # the extractor saw the sources' messages
    return catalog


@pytest.fixture(scope="module")
def french() -> Catalog:
    return _read(FR_PO)


def test_every_message_has_a_french_translation(extracted: Catalog, french: Catalog) -> None:
    missing = []
    for message in extracted:
        if not message.id:
            continue
        found = french.get(message.id, message.context)
        if found is None or not found.string or found.fuzzy:
            missing.append((message.context, message.id))
    assert missing == [], "translate these in finbot.po, then run 'make messages'"


def test_the_catalog_holds_no_stale_message(extracted: Catalog, french: Catalog) -> None:
    assert sorted(_keys(french) - _keys(extracted), key=str) == []
    assert not french.obsolete


def test_the_template_is_current(extracted: Catalog) -> None:
    assert _keys(_read(LOCALE / "finbot.pot")) == _keys(extracted)


def test_placeholders_are_the_same_in_both_languages(french: Catalog) -> None:
    differ = [
        (m.id, m.string) for m in french if m.id and _fields(str(m.id)) != _fields(str(m.string))
    ]
    assert differ == []


def test_placeholder_check_sees_a_difference() -> None:
    assert _fields("{a} of {n:.1f} %") == {"a", "n"}
    assert _fields("{a} sur {b} %") != _fields("{a} of {n:.1f} %")
    assert _fields("{{literal}} braces") == set()


def test_the_committed_mo_is_the_po_compiled(french: Catalog) -> None:
    out = io.BytesIO()
    write_mo(out, french)
    committed = (FR_PO.with_suffix(".mo")).read_bytes()
    assert committed == out.getvalue(), "run 'make messages' to compile finbot.po"


# The marker functions (as in scripts/messages.py): argument index of the message, of the
# context (None: no context), both from 0.
SPECS = {"tr": (0, None), "tr_context": (1, 0), "translate": (1, None)}
SPECS |= {"translate_context": (2, 1), "N_": (0, None)}


def test_specs_are_the_extractors_keywords() -> None:
    def spec(keyword: str) -> tuple[int, int | None]:
        name, _, args = keyword.partition(":")
        parts = args.split(",") if args else ["1"]
        message = next(int(p) - 1 for p in parts if not p.endswith("c"))
        context = next((int(p[:-1]) - 1 for p in parts if p.endswith("c")), None)
        return message, context

    assert {k.partition(":")[0]: spec(k) for k in MESSAGES.KEYWORDS} == SPECS


def _marked_calls() -> list[tuple[str, int, ast.Call, str]]:
    found = []
    for path in sorted((REPO / "src/finbot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in SPECS and len(node.args) > SPECS[name][0]:
                found.append((str(path.relative_to(REPO)), node.lineno, node, name))
    return found


def test_every_literal_message_is_extracted(extracted: Catalog) -> None:
    """A marked call the extractor cannot see (one inside an f-string, say) would stay English
    in French; a message built at run time (an f-string, a concatenation, a conditional) has
    no catalog entry at all."""
    keys, unseen, unreadable = _keys(extracted), [], []
    for where, line, call, name in _marked_calls():
        index, context_index = SPECS[name]
        message = call.args[index]
        context = None if context_index is None else call.args[context_index]
        if isinstance(message, ast.JoinedStr | ast.BinOp | ast.IfExp | ast.BoolOp):
            unreadable.append(f"{where}:{line}")
        elif isinstance(message, ast.Constant) and isinstance(message.value, str):
            ctx = context.value if isinstance(context, ast.Constant) else None
            if (ctx, message.value) not in keys:
                unseen.append(f"{where}:{line}: {message.value!r}")
    assert unreadable == [], "messages must be literal strings with {placeholders}"
    assert unseen == []
    assert len(_marked_calls()) > 150
