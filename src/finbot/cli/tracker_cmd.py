"""``tracker`` / ``suivi``: recent predictions with their outcomes, live accuracy, export."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from finbot.cli import context
from finbot.cli.context import AppContext
from finbot.errors import UsageError

if TYPE_CHECKING:
    from finbot.prediction.tracking import Accuracy, PredictionTracker, WindowStats


_COLUMNS = ("made", "coin", "h", "price", "predicted", "realised", "error", "hit", "in", "status")


def _show(v: object, digits: int = 2) -> str:
    return "—" if v is None else f"{v:,.{digits}f}" if isinstance(v, float) else str(v)


def _row(r: dict[str, Any]) -> tuple[str, ...]:
    from finbot.clock import iso_utc

    err = None if r["abs_error"] is None else f"{r['abs_error'] * 100:.2f} %"
    return (
        iso_utc(r["made_at"])[:16],
        r["coin"],
        r["horizon"],
        _show(r["last_price"]),
        _show(r["predicted_price"]),
        _show(r["realised_price"]),
        err or "—",
        _show(r["direction_hit"]),
        _show(r["inside_interval"]),
        r["status"],
    )


def _summary_line(coin: str, h: str, windows: dict[str, WindowStats]) -> str:
    parts = []
    for name, s in windows.items():
        mae = "—" if s["mae"] is None else f"{s['mae'] * 100:.2f} %"
        hit = "—" if s["hit_rate"] is None else f"{s['hit_rate']:.0%}"
        cov = "—" if s["coverage"] is None else f"{s['coverage']:.0%}"
        parts.append(f"{name}: n={s['n']} MAE {mae} hit {hit} cov {cov}")
    return f"{coin} {h}: " + " | ".join(parts)


def _print(app_ctx: AppContext, rows: list[dict[str, Any]], summary: Accuracy) -> None:
    from rich.table import Table

    table = Table(title=app_ctx.tr("Recent predictions"))
    for col in _COLUMNS:
        table.add_column(col)
    for r in rows:
        table.add_row(*_row(r))
    app_ctx.console.print(table)
    for coin, by_h in summary.items():
        for h, windows in by_h.items():
            app_ctx.console.print(_summary_line(coin, h, windows), highlight=False)


def _export(app_ctx: AppContext, tracker: PredictionTracker, export: Path) -> None:
    try:
        count = tracker.export(export)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    app_ctx.err.print(
        app_ctx.tr(
            "{n} predictions written to {p}",
            n=count,
            p=export,
        )
    )


def tracker_command(
    ctx: typer.Context,
    limit: int = typer.Option(20, "--limit", min=1, help="How many recent predictions."),
    coin: str | None = typer.Option(None, "--coin", "-c", help="Only this coin."),
    export: Path | None = typer.Option(
        None, "--export", help="Write all to FILE.csv or FILE.xlsx (times in UTC)."
    ),
    resolve: bool = typer.Option(
        True, "--resolve/--no-resolve", help="Score due predictions first (against stored bars)."
    ),
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
) -> None:
    """Past predictions against what happened: recent list, live accuracy, CSV/Excel export."""
    from finbot.clock import now_ms
    from finbot.config import resolve_coin

    app_ctx = context.get(ctx)
    services = app_ctx.services
    coin_id = resolve_coin(services.settings.coins, coin).id if coin else None
    tracker = services.tracker
    now = now_ms(services.clock)
    resolved = tracker.resolve_due(services.bar_store, now) if resolve else 0
    if export is not None:
        _export(app_ctx, tracker, export)
    if as_json:
        from finbot.ops.reports import tracker_json

        app_ctx.emit_json(tracker_json(tracker, now, limit=limit, coin=coin_id, resolved=resolved))
        return
    _print(app_ctx, tracker.recent(limit, coin=coin_id), tracker.summary(now, coin=coin_id))


def register(app: typer.Typer) -> None:
    app.command("tracker")(tracker_command)
    app.command("suivi", help="Alias de 'tracker'.")(tracker_command)
