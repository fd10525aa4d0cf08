"""``finbot settings`` / ``parametres``: the effective configuration, keys masked."""

from __future__ import annotations

import json

import typer

from finbot.cli import context
from finbot.config import effective_config


def settings_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
) -> None:
    """Show the effective configuration (defaults + your overrides), API keys masked."""
    app_ctx = context.get(ctx)
    data = effective_config(app_ctx.settings)
    if as_json:
        app_ctx.emit_json(data)
        return
    app_ctx.console.print(app_ctx.tr("Configuration of {home}", home=app_ctx.paths.home))
    for name, section in data.items():
        app_ctx.console.rule(name)
        app_ctx.console.print_json(json.dumps(section))


def register(app: typer.Typer) -> None:
    app.command("settings")(settings_command)
    app.command("parametres", help="Alias de 'settings'.")(settings_command)
