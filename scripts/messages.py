"""Regenerate the message catalogs (``make messages``): extract → update → compile.

1. extract: Babel's extractor reads every message marked in ``src/finbot`` (the calls named in
   ``KEYWORDS``) into the template ``src/finbot/locale/finbot.pot``; the file is rewritten only
   when its messages changed (not for a new creation date alone);
2. update: each language's ``finbot.po`` gains the new messages (untranslated) and loses the
   removed ones; a changed English text keeps its old translation marked fuzzy;
3. compile: each ``finbot.po`` becomes the ``finbot.mo`` finbot loads (committed, shipped),
   after checking that each translation uses the ``{placeholders}`` of its English text.
   (Babel's own ``pybabel compile`` would check printf-style ``%`` placeholders instead, and
   finbot's ``%`` is the percent sign: "{lvl} % interval" is no "% i" placeholder.)

Then translate what is new or fuzzy in the ``.po`` and run it again: ``tests/unit/i18n`` fails
while a message lacks a translation or a ``.mo`` is older than its ``.po``. Babel builds the
catalogs and is also a runtime dependency: finbot reads the ``.mo`` files with the standard
library and writes numbers, money and dates with Babel's CLDR data (``finbot.i18n.formatting``).
"""

from __future__ import annotations

import io
import os
import string
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[1]
MAPPING = "babel.cfg"
SOURCES = "src/finbot"  # relative: the template's locations are the files' repository paths
LOCALE = Path(SOURCES) / "locale"
DOMAIN = "finbot"
TEMPLATE = LOCALE / f"{DOMAIN}.pot"
# The functions whose string arguments are messages (GNU xgettext's keyword syntax: the
# message's argument number, ``Nc`` for a context): ``AppContext.tr`` / ``tr_context`` and
# ``finbot.i18n``'s ``translate`` / ``translate_context`` / ``N_``.
KEYWORDS = ("tr", "tr_context:1c,2", "translate:2", "translate_context:2c,3", "N_")
TRANSLATOR_COMMENTS = "TRANSLATORS:"


def pybabel(*args: str | Path) -> None:
    """Run one ``pybabel`` command from the repository root."""
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        status = CommandLineInterface().run(  # type: ignore[no-untyped-call]
            ["pybabel", "--quiet", *map(str, args)]
        )
    finally:
        os.chdir(cwd)
    if status:
        raise SystemExit(f"pybabel {args[0]} failed ({status})")


def extract(output: Path) -> None:
    """Every marked message of ``src/finbot`` into the template ``output``."""
    pybabel(
        "extract",
        f"--mapping-file={MAPPING}",
        "--no-default-keywords",
        *(f"--keyword={k}" for k in KEYWORDS),
        f"--add-comments={TRANSLATOR_COMMENTS}",
        "--strip-comments",
        "--add-location=file",
        "--sort-output",
        f"--project={DOMAIN}",
        "--copyright-holder=the finbot authors",
        f"--output-file={output}",
        SOURCES,
    )


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def _messages(path: Path) -> list[tuple[object, ...]]:
    return [(m.id, m.context, m.locations, m.auto_comments) for m in read_catalog(path)]


def placeholders(text: str) -> set[str]:
    """The ``str.format`` fields of ``text`` (``{name}``, ``{t:.1f}`` → ``t``)."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def problems(catalog: Catalog) -> list[str]:
    """Each translation whose placeholders differ from its English text's."""
    return [
        f"{message.id!r}: {sorted(placeholders(str(message.string)))} for "
        f"{sorted(placeholders(str(message.id)))}"
        for message in catalog
        if message.id
        and message.string
        and placeholders(str(message.string)) != placeholders(str(message.id))
    ]


def compiled(catalog: Catalog) -> bytes:
    """The ``.mo`` of ``catalog`` (fuzzy translations left out)."""
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def compile_all() -> None:
    """Each language's ``.po`` into its ``.mo``; refuses a translation with other placeholders."""
    for po in sorted((REPO / LOCALE).glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        catalog = read_catalog(po)
        wrong = problems(catalog)
        if wrong:
            raise SystemExit(f"{po}: placeholders differ:\n  " + "\n  ".join(wrong))
        po.with_suffix(".mo").write_bytes(compiled(catalog))


def main() -> int:
    template = REPO / TEMPLATE
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / template.name
        extract(fresh)
        if not template.exists() or _messages(fresh) != _messages(template):
            template.write_bytes(fresh.read_bytes())
    pybabel(
        "update",
        f"--input-file={TEMPLATE}",
        f"--output-dir={LOCALE}",
        f"--domain={DOMAIN}",
        "--ignore-obsolete",
        "--ignore-pot-creation-date",
    )
    compile_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
