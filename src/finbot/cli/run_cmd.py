"""``start``/``demarrer``, ``stop``/``arreter``, ``status``/``etat``: run and watch the bot.

Thin commands over :mod:`finbot.ops.process` (lock), :mod:`finbot.ops.bot_control`
(background start, graceful stop), :mod:`finbot.ops.foreground` (the run),
:mod:`finbot.ops.training` (first start) and :mod:`finbot.ops.status` (what it did).
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import TYPE_CHECKING, Any

import typer

from finbot.cli import context
from finbot.cli.context import AppContext
from finbot.cli.progress_labels import progress_label
from finbot.i18n import N_, Message, failure_line

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from finbot.services import Services

log = logging.getLogger(__name__)


class RichProgress:
    """Adapts library progress callbacks to a Rich bar on stderr.

    Accepts ``progress(done, total)``, ``progress(label, done, total)`` or keywords
    ``done=/total=/description=``, whichever convention the library call uses.
    """

    def __init__(self, bar: Progress, lang: str = "en") -> None:
        self.bar, self.lang = bar, lang
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, *args: object, **kwargs: Any) -> None:
        label = kwargs.get("description") or next((a for a in args if isinstance(a, str)), "")
        if not label and args and isinstance(args[0], dict):  # the training fan-out's result
            label = "training"
        numbers = [a for a in args if isinstance(a, int | float) and not isinstance(a, bool)]
        done = kwargs.get("done", numbers[0] if numbers else None)
        total = kwargs.get("total", numbers[1] if len(numbers) > 1 else None)
        key = str(label) or "work"
        if key not in self.tasks:
            self.tasks[key] = self.bar.add_task(progress_label(self.lang, key), total=total)
        self.bar.update(self.tasks[key], completed=done, total=total)


def _first_start(app_ctx: AppContext) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from finbot.ops.training import first_start

    app_ctx.err.print(
        app_ctx.tr(
            "First start: no models yet. Collecting history, then training the 1 h models; the "
            "other horizons are trained in the background afterwards.",
        )
    )
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=app_ctx.err, transient=False) as bar:
        result = first_start(app_ctx.services, progress=RichProgress(bar, app_ctx.lang))
    answers = result["first_answers"]
    if answers["first_ready_s"] is not None:
        app_ctx.err.print(
            app_ctx.tr(
                "First prediction ready after {first} s, all {n} coins after {last} s "
                "(rate-limit bound {bound} s).",
                first=answers["first_ready_s"],
                n=len(answers["ready_s"]),
                last=answers["all_ready_s"],
                bound=answers["bound_s"],
            )
        )
    app_ctx.err.print(
        app_ctx.tr(
            "{n} models trained ({h}); {rest} coin x horizon sets left for the background.",
            n=result["trained"],
            h=result["horizon"],
            rest=result["remaining"],
        )
    )


def _needs_first_start(app_ctx: AppContext) -> bool:
    from finbot.ops.training import has_models

    try:
        return not has_models(app_ctx.services.model_store)
    except ImportError as exc:
        app_ctx.err.print(
            app_ctx.tr(
                "First start skipped: prediction is not available ({e}).",
                e=exc,
            )
        )
        return False


def run_menu_hook(app_ctx: AppContext) -> None:
    """Open the interactive menu (``finbot.cli.menu.run_menu``) on a terminal only."""
    if not sys.stdin.isatty():
        return
    try:
        menu = importlib.import_module("finbot.cli.menu")
    except ModuleNotFoundError as exc:
        if exc.name != "finbot.cli.menu":
            raise
        app_ctx.err.print(
            app_ctx.tr(
                "The interactive menu is not available in this version; use 'finbot predict' and "
                "'finbot status'.",
            )
        )
        return
    menu.run_menu(app_ctx)


def _services_to_start(app_ctx: AppContext, base_url: str | None) -> Services:
    """The bot's services, once its configuration loads and no bot holds the home."""
    from finbot.errors import AlreadyRunning
    from finbot.ops.process import probe

    services = app_ctx.services_at(base_url)
    services.settings  # noqa: B018 - a broken configuration stops here, before anything runs
    state = probe(services.paths.ensure())
    if state.running:
        raise AlreadyRunning(state.pid)
    return services


def _run_with_dashboard(app_ctx: AppContext, services: Services) -> None:
    """The bot in this process, serving its dashboard beside it when ``dashboard.enabled``
    (a dashboard that cannot start is logged; the bot runs on)."""
    from finbot.cli.dashboard_cmd import start_dashboard
    from finbot.errors import FinbotError
    from finbot.ops.foreground import run_foreground

    servers = []

    def on_ready(_lock: object) -> None:
        if not services.settings.general.dashboard.enabled:
            return
        try:
            servers.append(start_dashboard(app_ctx, None, None))
        except (FinbotError, OSError) as exc:
            log.warning(
                "%s", Message(N_("dashboard not started: {error}"), error=failure_line(exc))
            )

    try:
        run_foreground(services, on_ready=on_ready)
    finally:
        for server in servers:
            server.stop()


def start_command(
    ctx: typer.Context,
    foreground: bool = typer.Option(
        False, "--foreground", help="Run here, not in the background (Ctrl+C stops)."
    ),
    base_url: str | None = typer.Option(
        None, "--base-url", help="CoinGecko base URL (default $FINBOT_COINGECKO_URL or the plan's)."
    ),
    no_menu: bool = typer.Option(False, "--no-menu", help="Do not open the interactive menu."),
    setup: bool = typer.Option(
        True,
        "--setup/--no-setup",
        help="First start: collect history and train when no model exists.",
    ),
    timeout: float = typer.Option(
        60.0, "--timeout", min=1, help="Seconds to wait for the background bot to start."
    ),
) -> None:
    """Start the bot (scheduler, collectors, training); first start collects and trains."""
    from finbot.ops.bot_control import spawn_background

    app_ctx = context.get(ctx)
    services = _services_to_start(app_ctx, base_url)
    paths = services.paths
    if setup and _needs_first_start(app_ctx):
        _first_start(app_ctx)
    if foreground:
        app_ctx.err.print(
            app_ctx.tr(
                "finbot runs in the foreground; Ctrl+C stops it.",
            )
        )
        _run_with_dashboard(app_ctx, services)
        return
    pid = spawn_background(paths, base_url, timeout=timeout)
    app_ctx.console.print(
        app_ctx.tr(
            "finbot started in the background (PID {pid}); logs in {logs}; 'finbot stop' stops it.",
            pid=pid,
            logs=paths.logs_dir,
        )
    )
    if not no_menu:
        run_menu_hook(app_ctx)


def stop_command(
    ctx: typer.Context,
    timeout: float = typer.Option(
        60.0, "--timeout", min=1, help="Seconds to wait for the running job to finish."
    ),
    force: bool = typer.Option(False, "--force", help="Kill the bot if it does not stop in time."),
) -> None:
    """Stop the bot gracefully (the running job finishes); clean a stale PID file."""
    from finbot.ops.bot_control import stop_bot

    app_ctx = context.get(ctx)
    result = stop_bot(app_ctx.paths, timeout=timeout, force=force)
    if result.stopped_pid is not None:
        app_ctx.console.print(app_ctx.tr("finbot stopped (PID {pid}).", pid=result.stopped_pid))
        return
    message = app_ctx.tr("finbot is not running.")
    if result.stale_pid is not None:
        message += app_ctx.tr(
            " Stale PID file cleaned (PID {pid}).",
            pid=result.stale_pid,
        )
    app_ctx.console.print(message)


def status_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
) -> None:
    """Process, scheduler jobs, data, models, tracker, API usage, collectors, system."""
    from finbot.ops.status import collect_status

    app_ctx = context.get(ctx)
    report = collect_status(app_ctx.services)
    if as_json:
        app_ctx.emit_json(report.to_json())
        return
    from finbot.ops.status_view import render_status

    render_status(report, app_ctx.console, app_ctx.tr, app_ctx.display)


def register(app: typer.Typer) -> None:
    app.command("start")(start_command)
    app.command("demarrer", help="Alias of 'start': starts the bot (first start included).")(
        start_command
    )
    app.command("stop")(stop_command)
    app.command("arreter", help="Alias of 'stop': stops the bot gracefully.")(stop_command)
    app.command("status")(status_command)
    app.command("etat", help="Alias of 'status': the state of the bot.")(status_command)
