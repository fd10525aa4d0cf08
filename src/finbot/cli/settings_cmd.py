"""``finbot settings`` / ``parametres``: the effective configuration, keys masked, and the sizes
its ``profile`` resolves to on this machine."""

from __future__ import annotations

import json

import typer

from finbot.cli import context
from finbot.i18n import N_

# the sections that are no file name, in the user's language
SECTION_TITLES = {"secrets": N_("secrets"), "sizes": N_("sizes")}


def settings_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
) -> None:
    """Show the effective configuration (defaults + your overrides), API keys masked, and the
    resolved sizes (workers, threads, caches, history window, batches)."""
    from finbot.ops.reports import settings_json

    app_ctx = context.get(ctx)
    services = app_ctx.services
    data = settings_json(services)
    sizes = services.sizes
    if as_json:
        app_ctx.emit_json(data)
        return
    app_ctx.console.print(app_ctx.tr("Configuration of {home}", home=app_ctx.paths.home))
    for name, section in data.items():
        app_ctx.console.rule(app_ctx.tr(SECTION_TITLES[name]) if name in SECTION_TITLES else name)
        if name == "sizes":
            app_ctx.console.print(
                app_ctx.tr(
                    "Profile {profile} on {cores} cores and {memory} MB available: "
                    "{workers} workers, plans {planned} MB of {budget} MB",
                    profile=sizes.profile,
                    cores=services.machine.cores,
                    memory=services.machine.available_mb,
                    workers=sizes.workers,
                    planned=sizes.planned_mb,
                    budget=sizes.budget_mb,
                )
            )
        app_ctx.console.print_json(json.dumps(section))


def register(app: typer.Typer) -> None:
    app.command("settings")(settings_command)
    app.command("parametres", help="Alias of 'settings'.")(settings_command)
