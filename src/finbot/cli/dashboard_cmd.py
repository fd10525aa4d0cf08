"""``dashboard`` / ``tableau-de-bord``: serve the web dashboard and API of this home."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from finbot.cli import context
from finbot.cli.context import AppContext

if TYPE_CHECKING:
    from finbot.web import DashboardServer


def serve_until_stopped(app_ctx: AppContext, host: str | None, port: int | None) -> None:
    """Serve this home's dashboard in the foreground until Ctrl+C."""
    server = start_dashboard(app_ctx, host, port)
    app_ctx.err.print(app_ctx.tr("Ctrl+C stops the dashboard."))
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def start_dashboard(app_ctx: AppContext, host: str | None, port: int | None) -> DashboardServer:
    """Start the dashboard in a thread and say where it is (the token rule when not loopback)."""
    from finbot.web import DashboardServer, is_loopback  # noqa: F811 - the runtime import

    base = app_ctx.settings.general.dashboard
    settings = base.model_copy(update={"host": host or base.host, "port": port or base.port})
    server = DashboardServer(app_ctx.services, settings, lang=app_ctx.lang)
    url = server.start()
    app_ctx.console.print(app_ctx.tr("Dashboard: {url}", url=url), highlight=False)
    if not is_loopback(settings.host):
        app_ctx.console.print(
            app_ctx.tr(
                "Not on loopback: every request needs the token ('dashboard_token' in {file}).",
                file=app_ctx.paths.secrets_file,
            ),
            highlight=False,
        )
    return server


def dashboard_command(
    ctx: typer.Context,
    host: str | None = typer.Option(None, "--host", help="Address (default 127.0.0.1)."),
    port: int | None = typer.Option(None, "--port", min=0, max=65535, help="Port (default 8765)."),
) -> None:
    """Serve the web dashboard and the REST API (/api/v1/, docs at /api/docs)."""
    serve_until_stopped(context.get(ctx), host, port)


def register(app: typer.Typer) -> None:
    app.command("dashboard")(dashboard_command)
    app.command("tableau-de-bord", help="Alias of 'dashboard': serves the web dashboard.")(
        dashboard_command
    )
