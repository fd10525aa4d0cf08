"""``finbot models list|cleanup`` / ``modeles`` and the original's ``cleanup-models``."""

from __future__ import annotations

import typer

from finbot.cli import context

models_app = typer.Typer(help="Saved models. / Modèles enregistrés.", no_args_is_help=True)


@models_app.command("list")
def list_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
) -> None:
    """Every coin/timeframe/horizon's live model with its MAE ratio to the naive baseline."""
    from rich.table import Table

    app_ctx = context.get(ctx)
    rows = app_ctx.services.model_store.list_models()
    if as_json:
        app_ctx.emit_json(rows)
        return
    if not rows:
        app_ctx.console.print(app_ctx.tr("no models yet: run 'finbot train'"))
        return
    table = Table()
    for col in (
        "coin",
        "timeframe",
        "horizon",
        "version",
        "algorithm",
        "trained_at",
        "mae_ratio",
        "edge",
    ):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["coin"],
            r["timeframe"],
            r["horizon"],
            r["version"],
            r["algorithm"],
            str(r["trained_at"]),
            f"{r['mae_ratio']:.4f}",
            app_ctx.tr("yes") if r["has_edge"] else app_ctx.tr("no"),
        )
    app_ctx.console.print(table)


def _cleanup(
    ctx: typer.Context, keep: int, max_age: float | None, dry_run: bool, as_json: bool
) -> None:
    app_ctx = context.get(ctx)
    removed = app_ctx.services.model_store.cleanup(keep=keep, max_age_days=max_age, dry_run=dry_run)
    if as_json:
        app_ctx.emit_json({"dry_run": dry_run, "removed": removed})
        return
    verb = app_ctx.tr("would delete") if dry_run else app_ctx.tr("deleted")
    for r in removed:
        app_ctx.console.print(f"{verb} {r['coin']}/{r['timeframe']}/{r['horizon']}/{r['version']}")
    app_ctx.console.print(
        app_ctx.tr(
            "{n} version(s); live models kept",
            n=len(removed),
        )
    )


@models_app.command("cleanup")
def cleanup_command(
    ctx: typer.Context,
    keep: int = typer.Option(5, "--keep", min=0, help="Versions to keep per group."),
    max_age: float | None = typer.Option(None, "--max-age", min=0, help="Only older (days)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show, delete nothing."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
) -> None:
    """Delete old versions; the live (latest) version of each group is never deleted."""
    _cleanup(ctx, keep, max_age, dry_run, as_json)


def cleanup_models_command(
    ctx: typer.Context,
    max_age: float | None = typer.Option(None, "--max-age", min=0, help="Days."),
    max_per_group: int = typer.Option(5, "--max-per-group", min=0, help="Versions kept."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show, delete nothing."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
) -> None:
    """The original's 'cleanup-models' (live models are never deleted)."""
    _cleanup(ctx, max_per_group, max_age, dry_run, as_json)


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")
    app.add_typer(models_app, name="modeles", help="Alias de 'models'.")
    app.command("cleanup-models")(cleanup_models_command)
