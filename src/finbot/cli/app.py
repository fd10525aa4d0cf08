"""The root Typer app: global options, error handling, and command registration.

Commands live in one module per group; each exposes ``register(app)``. Heavy libraries
(polars, scikit-learn, LightGBM) are imported inside commands so ``finbot --help`` stays fast.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import typer
from typer.core import TyperGroup

from finbot.cli.context import AppContext, detect_lang
from finbot.errors import FinbotError
from finbot.paths import Paths

COMMAND_MODULES: tuple[str, ...] = (
    "finbot.cli.settings_cmd",  # settings / parametres
    "finbot.cli.storage_cmd",  # storage verify / retention, import-csv
    "finbot.cli.collect_cmd",  # collect KIND, collect-historical
    "finbot.cli.replay_cmd",  # replay-server
    "finbot.cli.train_cmd",  # train, train-incremental
    "finbot.cli.models_cmd",  # models list, cleanup-models
    "finbot.cli.predict_cmd",  # predict / prevoir (price, amount, when, best)
    "finbot.cli.evaluate_cmd",  # evaluate, confidence-metrics
    "finbot.cli.tracker_cmd",  # tracker
    "finbot.cli.run_cmd",  # start / demarrer, stop / arreter, status / etat
    "finbot.cli.demo_cmd",  # demo
    "finbot.cli.menu",  # menu (also opened by start / demarrer on a terminal)
)


class _FinbotGroup(TyperGroup):
    """Turns a FinbotError anywhere below into one red line on stderr and its exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except FinbotError as exc:
            typer.secho(f"error: {exc}", fg="red", err=True)
            ctx.exit(exc.exit_code)


app = typer.Typer(
    cls=_FinbotGroup,
    no_args_is_help=True,
    add_completion=False,
    help="finbot: crypto market bot (collect, store, predict, decide). / Bot crypto.",
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
        help="Print the version and exit. / Affiche la version.",
    ),
) -> None:
    if lang not in (None, "fr", "en"):
        raise typer.BadParameter("expected fr or en", param_hint="--lang")
    ctx.obj = AppContext(paths=Paths.resolve(home), lang=detect_lang(lang), verbose=verbose)
    from finbot.ops.logs import console_wanted, setup_logging  # light: stdlib + finbot.paths

    setup_logging(ctx.obj.paths, verbose=verbose, console=console_wanted())


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
