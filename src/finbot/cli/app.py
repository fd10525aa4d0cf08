"""The root Typer app: global options, error handling, and command registration.

Commands live in one module per group; each exposes ``register(app)``. Heavy libraries
(polars, scikit-learn, LightGBM) are imported inside commands so ``finbot --help`` stays fast.
"""

from __future__ import annotations

import importlib
import itertools
import json
import sys
import traceback
from typing import Any

import typer
from typer.core import TyperGroup

from finbot.cli.command_help import apply_command_help, framework_language
from finbot.cli.context import AppContext
from finbot.cli.usage_errors import is_usage_error, usage_failure
from finbot.config import detect_lang
from finbot.i18n import Failure, describe, translate
from finbot.paths import Paths

_ARGS = "finbot.args"
_LANG = "finbot.lang"  # the language the command line speaks, read once per run
COMMAND_MODULES: tuple[str, ...] = (
    "finbot.cli.settings_cmd",  # settings / parametres
    "finbot.cli.storage_cmd",  # storage verify / retention, import-csv
    "finbot.cli.collect_cmd",  # collect KIND, collect-historical
    "finbot.cli.replay_cmd",  # replay-server
    "finbot.cli.train_cmd",  # train, train-incremental
    "finbot.cli.models_cmd",  # models list, cleanup-models
    "finbot.cli.coins_cmd",  # coins list / add (cryptos liste / ajouter)
    "finbot.cli.predict_cmd",  # predict / prevoir (price, amount, when, best)
    "finbot.cli.evaluate_cmd",  # evaluate, confidence-metrics
    "finbot.cli.tracker_cmd",  # tracker
    "finbot.cli.run_cmd",  # start / demarrer, stop / arreter, status / etat
    "finbot.cli.alerts_cmd",  # alerts / alertes (test, list, history)
    "finbot.cli.demo_cmd",  # demo
    "finbot.cli.dashboard_cmd",  # dashboard / tableau-de-bord
    "finbot.cli.menu",  # menu (also opened by start / demarrer on a terminal)
)


class _FinbotGroup(TyperGroup):
    """Turns any failure a user can meet into one red line on stderr and its exit code (and,
    with ``--json``, one ``{"error": ...}`` object on stdout); ``-v`` adds the traceback."""

    def main(self, args: Any = None, *rest: Any, **options: Any) -> Any:
        typed = list(sys.argv[1:] if args is None else args)
        lang = detect_lang(_lang_arg(typed), Paths.resolve(_home_arg(typed)))
        with framework_language(lang):  # Click's own words too
            return super().main(typed, *rest, **options)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        ctx.meta[_ARGS] = list(args)  # what the user typed, for _report and _wants_help
        lang = ctx.meta[_LANG] = detect_lang(_lang_arg(args), Paths.resolve(_home_arg(args)))
        apply_command_help(self, lang, ctx)  # before any --help is printed
        try:
            return list(super().parse_args(ctx, args))
        except Exception as exc:  # a bad option of finbot itself (`finbot --x`)
            if not is_usage_error(exc):
                raise
            _report(usage_failure(exc), list(ctx.meta[_ARGS]), exc, lang, json_emitted=False)
            ctx.exit(2)
            raise  # pragma: no cover - ctx.exit raises

    def invoke(self, ctx: Any) -> Any:
        args = list(ctx.meta.get(_ARGS, []))
        try:
            return super().invoke(ctx)
        except Exception as exc:  # the top-level boundary: describe() decides what is shown
            failure = usage_failure(exc) if is_usage_error(exc) else describe(exc)
            if failure is None:
                raise
            obj = ctx.obj if isinstance(ctx.obj, AppContext) else None
            lang = obj.lang if obj is not None else ctx.meta[_LANG]
            _report(failure, args, exc, lang, json_emitted=obj is not None and obj.json_emitted)
            ctx.exit(failure.exit_code)


def _report(
    failure: Failure, args: list[str], exc: BaseException, lang: str, *, json_emitted: bool
) -> None:
    text = failure.text(lang)
    if "-v" in args or "--verbose" in args:
        traceback.print_exception(exc)
    if "--json" in args and not json_emitted:
        typer.echo(json.dumps({"error": {"type": failure.kind, "message": text}}))
    typer.secho(translate(lang, "error: {message}", message=text), fg="red", err=True)


def _lang_arg(args: list[str]) -> str | None:
    for flag, value in itertools.pairwise(args):
        if flag == "--lang" and value in ("fr", "en"):
            return value
    return None


def _home_arg(args: list[str]) -> str | None:
    for flag, value in itertools.pairwise(args):
        if flag == "--home":
            return value
    return None


def _wants_help(ctx: typer.Context) -> bool:
    """``--help`` anywhere below: such a run must write nothing (no log file, no home)."""
    return any(arg in ("-h", "--help") for arg in ctx.meta.get(_ARGS, []))


app = typer.Typer(
    cls=_FinbotGroup,
    rich_markup_mode=None,  # Click's plain pages: 80 columns, a pipe, and every word translated
    no_args_is_help=True,
    add_completion=False,
    help="finbot: crypto market bot (collect, store, predict, decide).",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def _print_version(wanted: bool) -> None:
    if wanted:
        from finbot import __version__

        typer.echo(f"finbot {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    home: str | None = typer.Option(
        None, "--home", help="Data home (default $FINBOT_HOME or ./data)."
    ),
    lang: str | None = typer.Option(None, "--lang", help="fr or en (default: locale)."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="DEBUG logs on the console."),
    version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    paths = Paths.resolve(home)
    if lang not in (None, "fr", "en"):
        said = translate(detect_lang(None, paths), "expected fr or en")
        raise typer.BadParameter(said, param_hint="--lang")
    chosen = lang or ctx.meta[_LANG]  # `--lang=fr` too, which parse_args does not read
    ctx.obj = AppContext(paths=paths, lang=chosen, verbose=verbose)
    ctx.call_on_close(ctx.obj.close)
    if _wants_help(ctx):
        return
    from finbot.ops.logs import console_wanted, setup_logging  # light: stdlib + finbot.paths

    setup_logging(ctx.obj.paths, verbose=verbose, console=console_wanted(), lang=ctx.obj.lang)


def _register_all() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)


def _utf8_stdio() -> None:
    """Windows consoles default to a legacy code page; finbot always writes UTF-8."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (stream.encoding or "").lower() != "utf-8":
            reconfigure(encoding="utf-8", errors="replace")


_register_all()


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    _utf8_stdio()
    app(args=argv, prog_name="finbot")
