"""``finbot storage verify|retention|summary`` and ``finbot import-csv``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from finbot.cli import context
from finbot.storage import VolumeUnit
from finbot.timeframes import Timeframe

if TYPE_CHECKING:
    from finbot.storage import BarStore

storage_app = typer.Typer(
    rich_markup_mode=None,
    no_args_is_help=True,
    help="Check and maintain the Parquet store.",
)

JSON_OPTION = typer.Option(False, "--json", help="One JSON object on stdout.")


def _store(app_ctx: context.AppContext) -> BarStore:
    return app_ctx.services.bar_store


@storage_app.command("verify")
def verify_command(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Check every Parquet file (readable, schema, unique increasing ts, prices); quarantine
    damaged files; report gaps. Exit code 1 when a problem is found."""
    app_ctx = context.get(ctx)
    report = _store(app_ctx).verify()
    if as_json:
        app_ctx.emit_json(report.to_dict())
    else:
        _print_verify(app_ctx, report.to_dict())
    if not report.ok:
        raise typer.Exit(1)


def _print_verify(app_ctx: context.AppContext, data: dict[str, Any]) -> None:
    out = app_ctx.console
    for problem in data["problems"]:
        text = app_ctx.line(problem["problem"])
        out.print(f"[red]✗[/red] {problem['path']}: {text}", highlight=False)
    for gap in data["gaps"]:
        out.print(
            app_ctx.tr(
                "gaps: {coin} {timeframe}: {missing_bars} missing bars in {gaps} gaps (not filled)",
                **gap,
            )
        )
    for note in data["notes"]:
        out.print(app_ctx.tr("note: {note}", note=app_ctx.line(note)), highlight=False)
    verdict = app_ctx.tr("OK") if data["ok"] else app_ctx.tr("PROBLEMS FOUND")
    out.print(
        app_ctx.tr(
            "{verdict}: {rows} rows in {partitions} files, {n} problems",
            verdict=verdict,
            rows=data["rows"],
            partitions=data["partitions"],
            n=len(data["problems"]),
        )
    )


@storage_app.command("retention")
def retention_command(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="Count only; change nothing."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Drop bars older than each timeframe's retention (settings.json), never the newest."""
    from finbot.clock import now_ms
    from finbot.timeframes import TIMEFRAMES

    app_ctx = context.get(ctx)
    store = _store(app_ctx)
    retention = app_ctx.settings.general.retention_days
    now = now_ms(app_ctx.services.clock)
    removed = {
        tf: store.apply_retention(tf, retention.for_timeframe(tf), now, dry_run=dry_run)
        for tf in TIMEFRAMES
    }
    if as_json:
        app_ctx.emit_json(
            {
                "dry_run": dry_run,
                "removed": removed,
                "total": sum(removed.values()),
                "keep_days": {tf: retention.for_timeframe(tf) for tf in TIMEFRAMES},
            }
        )
        return
    for tf, rows in removed.items():
        days = retention.for_timeframe(tf)
        kept = app_ctx.tr("forever") if days is None else f"{days} d"
        app_ctx.console.print(
            app_ctx.tr(
                "{tf}: keep {kept}, {rows} rows {verb}",
                tf=tf,
                kept=kept,
                rows=rows,
                verb=app_ctx.tr("to remove") if dry_run else app_ctx.tr("removed"),
            )
        )


@storage_app.command("summary")
def summary_command(ctx: typer.Context, as_json: bool = JSON_OPTION) -> None:
    """Rows, files and time span per coin and timeframe."""
    app_ctx = context.get(ctx)
    store = _store(app_ctx)
    summary = store.summary()
    if as_json:
        app_ctx.emit_json(summary)
        return
    if not summary:
        app_ctx.console.print(
            app_ctx.tr(
                "The store is empty ({path}).",
                path=store.root,
            )
        )
    app_ctx.console.print(_summary_table(app_ctx, summary))


def _summary_table(app_ctx: context.AppContext, summary: dict[str, Any]) -> Any:
    """Rows, files and span per coin and timeframe, dates in the display zone (80 columns)."""
    from finbot.ops.tables import RIGHT, compact_table

    tr, show = app_ctx.tr, app_ctx.display
    table = compact_table(
        None,
        [
            tr("coin"),
            tr("bars"),
            RIGHT + tr("rows"),
            RIGHT + tr("files"),
            app_ctx.tr_context("stored span", "oldest"),
            app_ctx.tr_context("stored span", "newest"),
        ],
    )
    for coin, series in summary.items():
        for tf, info in series.items():
            table.add_row(
                show.coin(coin),
                tf,
                show.number(info["rows"], 0),
                show.number(info["files"], 0),
                show.when(info["oldest"], compact=False),
                show.when(info["newest"], compact=False),
            )
    return table


def import_csv_command(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV: timestamp,open,high,low,close,volume (gzip ok)."),
    coin: str = typer.Option(..., "--coin", help="Coin id, symbol, name or alias."),
    timeframe: Timeframe = typer.Option(
        ..., "--timeframe", case_sensitive=False, help="5m, 1h, 4h, 1d or 1w."
    ),
    source: str = typer.Option("csv", "--source", help="Value of the bars' source column."),
    volume_unit: VolumeUnit = typer.Option(
        VolumeUnit.QUOTE,
        "--volume-unit",
        case_sensitive=False,
        help="quote: volume already in USD; base: in coins (converted with the close price).",
    ),
    skip_bad: bool = typer.Option(
        False, "--skip-bad", help="Import the valid rows even when some are rejected."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Import an OHLCV CSV into the store; bad rows are listed with their line numbers."""
    from finbot.config import resolve_coin
    from finbot.storage import SHOWN_ERRORS, CsvRejected, import_csv

    app_ctx = context.get(ctx)
    coin_id = resolve_coin(app_ctx.settings.coins, coin).id
    try:
        report = import_csv(
            _store(app_ctx),
            file,
            coin_id,
            timeframe,
            source=source,
            volume_unit=volume_unit,
            skip_bad=skip_bad,
        )
    except CsvRejected as exc:
        _print_row_errors(app_ctx, exc.errors, SHOWN_ERRORS)
        if as_json:
            app_ctx.emit_json(
                {
                    "ok": False,
                    "file": str(file),
                    "error": str(exc),
                    "rejected": len(exc.errors),
                    "errors": [
                        {"line": e.line, "problem": e.problem} for e in exc.errors[:SHOWN_ERRORS]
                    ],
                }
            )
        raise
    data = report.to_dict()
    _print_row_errors(app_ctx, report.errors, SHOWN_ERRORS)
    if as_json:
        app_ctx.emit_json({"ok": True, **data})
        return
    app_ctx.console.print(
        app_ctx.tr(
            "{coin} {timeframe}: {inserted} bars added, {updated} replaced, {unchanged} unchanged, "
            "{rejected} rejected (of {rows_read} rows)",
            **data,
        )
    )
    if report.zero_volume:
        app_ctx.err.print(
            app_ctx.tr(
                "warning: {n} of {rows_read} rows have volume 0 (kept; volume features are "
                "weaker on them)",
                n=report.zero_volume,
                rows_read=report.rows_read,
            ),
            highlight=False,
        )


def _print_row_errors(app_ctx: context.AppContext, errors: Sequence[object], shown: int) -> None:
    """The first ``shown`` bad rows, one per line, on stderr."""
    for error in errors[:shown]:
        app_ctx.err.print(f"  {app_ctx.line(error)}", highlight=False, markup=False)
    if len(errors) > shown:
        app_ctx.err.print(
            app_ctx.tr(
                "  ... and {n} more rejected rows",
                n=len(errors) - shown,
            )
        )


def register(app: typer.Typer) -> None:
    app.add_typer(storage_app, name="storage")
    app.command("import-csv")(import_csv_command)
    app.command("importer-csv", help="Alias of 'import-csv'.", hidden=True)(import_csv_command)
