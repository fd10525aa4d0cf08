"""``finbot collect KIND`` and ``finbot collect-historical``: run collectors by hand."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from finbot.cli import context

if TYPE_CHECKING:
    from rich.progress import Progress

KIND_HELP = "prices, markets, chart_5m, tickers, fx, ohlc or exchange"


def _coins(app_ctx: context.AppContext, text: str | None) -> list[str]:
    from finbot.config import resolve_coin

    if not text:
        return list(app_ctx.settings.coins.ids)
    return [resolve_coin(app_ctx.settings.coins, part).id for part in text.split(",") if part]


def collect_command(
    ctx: typer.Context,
    kind: str = typer.Argument(..., help=KIND_HELP),
    coins: str | None = typer.Option(None, "--coins", help="Comma-separated coins (default all)."),
    base_url: str | None = typer.Option(None, "--base-url", help="CoinGecko base URL."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
) -> None:
    """Run one collector once (the scheduler runs them on their cadence)."""
    from finbot.collectors import run_collector

    app_ctx = context.get(ctx)
    chosen = _coins(app_ctx, coins)
    result = run_collector(kind, app_ctx.services_at(base_url).collectors, coins=chosen)
    if as_json:
        app_ctx.emit_json(result.as_dict())
    else:
        state = "ok" if result.ok else app_ctx.tr("failed")
        app_ctx.console.print(
            app_ctx.tr(
                "{kind}: {state}, {rows} rows, {requests} requests, {ms:.0f} ms",
                kind=kind,
                state=state,
                rows=result.rows,
                requests=result.requests,
                ms=result.latency_ms,
            )
        )
        for note in result.notes:
            app_ctx.err.print(f"  {app_ctx.line(note)}")
        if result.error:
            app_ctx.err.print(f"[red]{app_ctx.line(result.error)}[/red]")
    if not result.ok:
        raise typer.Exit(1)


def _progress_bar(app_ctx: context.AppContext) -> Progress:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=app_ctx.err,
        transient=True,
    )


def _print_summary(app_ctx: context.AppContext, data: dict[str, Any]) -> None:
    from finbot.ops.tables import RIGHT, compact_table

    tr, show = app_ctx.tr, app_ctx.display
    table = compact_table(
        tr("Historical collection"), [tr("coin"), tr("bars"), RIGHT + tr("rows"), tr("source")]
    )
    for coin, per_tf in data["rows"].items():
        for tf, rows in per_tf.items():
            source = data["sources"].get(f"{coin}/{tf}", "")
            table.add_row(show.coin(coin), tf, show.number(rows, 0), source)
    app_ctx.console.print(table)
    app_ctx.console.print(
        app_ctx.tr(
            "{inserted} new bars, {updated} updated, {requests} CoinGecko requests, {seconds} s",
            inserted=show.number(data["inserted"], 0),
            updated=show.number(data["updated"], 0),
            requests=show.number(data["requests"], 0),
            seconds=show.number(data["seconds"], 2),
        )
    )
    for note in data["notes"]:
        app_ctx.console.print(f"[yellow]{app_ctx.line(note)}[/yellow]")
    for error in data["errors"]:
        app_ctx.console.print(f"[red]{app_ctx.line(error)}[/red]")


def collect_historical_command(
    ctx: typer.Context,
    coins: str | None = typer.Option(None, "--coins", help="Comma-separated coins (default all)."),
    days: int | None = typer.Option(None, "--days", min=1, help="At most N days per timeframe."),
    base_url: str | None = typer.Option(None, "--base-url", help="CoinGecko base URL."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
) -> None:
    """Backfill history (daily, hourly, 5-minute); a second run fetches only what is missing."""
    from finbot.cli.progress_labels import progress_label
    from finbot.collectors import collect_historical

    app_ctx = context.get(ctx)
    chosen = _coins(app_ctx, coins)
    with _progress_bar(app_ctx) as bar:
        task = bar.add_task(app_ctx.tr("collecting"), total=None)

        def progress(description: str, done: int, total: int) -> None:
            shown = progress_label(app_ctx.lang, description)
            bar.update(task, description=shown, completed=done, total=total)

        kit = app_ctx.services_at(base_url).collectors
        summary = collect_historical(kit, chosen, days, progress=progress)
    data = summary.as_dict()
    if as_json:
        app_ctx.emit_json(data)
    else:
        _print_summary(app_ctx, data)
    if data["errors"]:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("collect")(collect_command)
    app.command("collect-historical")(collect_historical_command)
    app.command("collecte-historique", help="Alias of 'collect-historical'.")(
        collect_historical_command
    )
