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
from babel.messages.extract import extract_from_file
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

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
APP = "finbot/cli/app.py"  # where the root group's texts are written
# Typer's modules whose words (read with gettext) a user of finbot's command line meets: the
# help pages' headings and "[default: …]"; its copy of Click writes English only, and finbot
# says those of its words a user meets itself (finbot.cli.usage_errors, command_help)
FRAMEWORK_SOURCES = {"typer": ("core.py",)}
FRAMEWORK_KEYWORDS = {"_": None, "ngettext": (1, 2)}
FRAMEWORK_COMMENT = "Typer's own message (help pages)"


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
    """Every message of ``src/finbot`` into the template ``output``: the marked ones, the texts
    of the ``--help`` pages and the words of Click and Typer those pages and usage errors use."""
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
    catalog = read_catalog(output)
    # file-level locations, as the extractor's (Babel reads them back with no line number)
    for text, where in help_messages():
        catalog.add(text, locations=[(where, None)])  # type: ignore[list-item]
    for message, where in framework_messages():
        catalog.add(
            message,
            locations=[(where, None)],  # type: ignore[list-item]
            auto_comments=[FRAMEWORK_COMMENT],
        )
    with output.open("wb") as f:
        write_po(f, catalog, sort_output=True, include_lineno=False, width=76)


def help_messages() -> list[tuple[str, str]]:
    """The English of every ``--help`` page: docstrings and ``help=`` texts, read from the
    command tree (where they are already written as plain text, not as marked messages)."""
    import typer.main

    from finbot.cli.app import app
    from finbot.cli.command_help import help_messages as walk

    return [(text, f"src/{where}") for text, where in walk(typer.main.get_command(app), APP)]


def framework_messages() -> list[tuple[str | tuple[str, ...], str]]:
    """The messages of Typer's ``FRAMEWORK_SOURCES`` (read from the installed package): the
    words of a help page."""
    import typer

    found: list[tuple[str | tuple[str, ...], str]] = []
    for package in (typer,):
        folder = Path(package.__file__ or "").parent
        for name in FRAMEWORK_SOURCES[package.__name__]:
            for _, message, _, _ in extract_from_file(
                "python", folder / name, keywords=FRAMEWORK_KEYWORDS
            ):
                found.append((message, f"{package.__name__}/{name}"))
    return found


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def _messages(path: Path) -> list[tuple[object, ...]]:
    return [(m.id, m.context, m.locations, m.auto_comments) for m in read_catalog(path)]


def placeholders(text: str) -> set[str]:
    """The ``str.format`` fields of ``text`` (``{name}``, ``{t:.1f}`` → ``t``)."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def forms(text: object) -> tuple[str, ...]:
    """A message's text, or each of its plural forms."""
    return tuple(str(t) for t in text) if isinstance(text, tuple | list) else (str(text),)


def fields(text: object) -> set[str]:
    """The placeholders of a message, over all of its plural forms."""
    return set().union(*(placeholders(form) for form in forms(text)))


def problems(catalog: Catalog) -> list[str]:
    """Each (non-fuzzy) translation whose placeholders differ from its English text's."""
    return [
        f"{message.id!r}: {sorted(fields(message.string))} for {sorted(fields(message.id))}"
        for message in catalog
        if message.id
        and all(forms(message.string))
        and not message.fuzzy
        and fields(message.string) != fields(message.id)
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
