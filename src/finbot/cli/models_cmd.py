"""``finbot models list|cleanup`` / ``modeles`` and the original's ``cleanup-models``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from finbot.cli import context

if TYPE_CHECKING:
    from rich.table import Table

models_app = typer.Typer(rich_markup_mode=None, help="Saved models.", no_args_is_help=True)


@models_app.command("list")
def list_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
) -> None:
    """Every coin/timeframe/horizon's live model with its MAE ratio to the naive baseline."""
    app_ctx = context.get(ctx)
    rows = app_ctx.services.model_store.list_models()
    if as_json:
        app_ctx.emit_json(rows)
        return
    print_models(app_ctx, rows)


def print_models(app_ctx: context.AppContext, rows: list[Any]) -> None:
    """The live models' table, or the hint to train when there is none yet."""
    if not rows:
        app_ctx.console.print(app_ctx.tr("no models yet: run 'finbot train'"))
        return
    app_ctx.console.print(models_table(app_ctx, rows))


def models_table(app_ctx: context.AppContext, rows: list[Any]) -> Table:
    """One line per live model, in 80 columns: symbol, bars, horizon, algorithm, when trained
    (display zone), MAE ratio and edge (the version is in ``--json``)."""
    from finbot.ops.tables import RIGHT, compact_table

    tr, show = app_ctx.tr, app_ctx.display
    table = compact_table(
        tr("Live models (MAE ratio < 1: beats the naive baseline)"),
        [
            tr("coin"),
            tr("bars"),
            tr("horizon"),
            tr("algorithm"),
            tr("trained"),
            RIGHT + tr("MAE ratio"),
            tr("edge"),
        ],
    )
    for r in rows:
        table.add_row(
            show.coin(r["coin"]),
            r["timeframe"],
            r["horizon"],
            r["algorithm"],
            show.when(r["trained_at"]),
            show.number(r["mae_ratio"], 3),
            tr("yes") if r["has_edge"] else tr("no"),
        )
    return table


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
    app.add_typer(models_app, name="modeles", help="Alias of 'models'.")
    app.command("cleanup-models")(cleanup_models_command)
