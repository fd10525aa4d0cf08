"""``tracker`` / ``suivi``: recent predictions with their outcomes, live accuracy, export."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from finbot.cli import context
from finbot.cli.context import AppContext
from finbot.i18n import N_, Number

if TYPE_CHECKING:
    from finbot.prediction.tracking import (
        Accuracy,
        PredictionTracker,
        ReliabilityJson,
        WindowStats,
    )


# made, coin, horizon, price then, predicted, realised, error, direction right / inside the
# interval, status: fits 80 columns with symbols, compact local dates, marks and short words
_COLUMNS = (
    N_("made"),
    N_("coin"),
    N_("h"),
    ">" + N_("price"),
    ">" + N_("pred."),
    ">" + N_("actual"),
    ">" + N_("error"),
    N_("dir./iv."),
    N_("status"),
)
_STATUS = {"pending": N_("pending"), "resolved": N_("resolved"), "expired": N_("expired")}


def _mark(value: object) -> str:
    return "—" if value is None else "✓" if value else "✗"


def _row(app_ctx: AppContext, r: dict[str, Any]) -> tuple[str, ...]:
    show = app_ctx.display
    status = r["status"]
    return (
        show.when(r["made_at"]),
        show.coin(r["coin"]),
        r["horizon"],
        show.number(r["last_price"]),
        show.number(r["predicted_price"]),
        show.number(r["realised_price"]),
        show.percent(r["abs_error"], 2),
        f"{_mark(r['direction_hit'])}/{_mark(r['inside_interval'])}",
        app_ctx.tr(_STATUS[status]) if status in _STATUS else str(status),
    )


def _summary_line(app_ctx: AppContext, coin: str, h: str, windows: dict[str, WindowStats]) -> str:
    show, parts = app_ctx.display, []
    for name, s in windows.items():
        parts.append(
            app_ctx.tr(
                "{window}: n={n} MAE {mae} hit {hit} cov. {cov}",
                window=name,
                n=s["n"],
                mae=show.percent(s["mae"], 2),
                hit=show.percent(s["hit_rate"], 0),
                cov=show.percent(s["coverage"], 0),
            )
        )
    return f"{show.coin(coin)} {h}: " + " | ".join(parts)


def _print(app_ctx: AppContext, rows: list[dict[str, Any]], summary: Accuracy) -> None:
    from finbot.ops.tables import compact_table

    headers = [(">" if c.startswith(">") else "") + app_ctx.tr(c.lstrip(">")) for c in _COLUMNS]
    legend = app_ctx.tr("dir.: direction right; iv.: realised price inside the interval")
    table = compact_table(app_ctx.tr("Recent predictions"), headers, caption=legend)
    for r in rows:
        table.add_row(*_row(app_ctx, r))
    app_ctx.console.print(table)
    for coin, by_h in summary.items():
        for h, windows in by_h.items():
            app_ctx.console.print(_summary_line(app_ctx, coin, h, windows), highlight=False)


def _export(app_ctx: AppContext, tracker: PredictionTracker, export: Path) -> None:
    count = tracker.export(export)  # UsageError for a file that is neither .csv nor .xlsx
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
    _print_reliability(app_ctx, tracker.reliability(now, coin=coin_id))


def _print_reliability(app_ctx: AppContext, table: ReliabilityJson) -> None:
    """Confidence against how often the stated outcome happened (30 days)."""
    from finbot.ops.tables import RIGHT, compact_table

    if not table["bins"]:
        app_ctx.console.print(app_ctx.tr("confidence reliability: no resolved answers yet"))
        return
    tr, show = app_ctx.tr, app_ctx.display
    headers = [tr("confidence"), RIGHT + "n", RIGHT + tr("mean"), RIGHT + tr("happened")]
    out = compact_table(tr("Confidence reliability (30 days)"), headers)
    for b in table["bins"]:
        out.add_row(
            f"{show.percent(b['low'], 0)}–{show.percent(b['high'], 0)}",
            show.number(b["n"], 0),
            show.percent(b["mean_confidence"], 0),
            show.percent(b["frequency"], 0),
        )
    app_ctx.console.print(out)
    gap = table["gap"] or 0.0
    app_ctx.console.print(
        app_ctx.tr("mean gap {g} points over {n} answers", g=Number(gap * 100, 1), n=table["n"]),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command("tracker")(tracker_command)
    app.command("suivi", help="Alias of 'tracker'.")(tracker_command)
