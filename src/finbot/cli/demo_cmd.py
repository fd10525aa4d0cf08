"""``finbot demo``: the offline end-to-end demo (the README's first command).

The table fits an 80-column terminal (coin symbol, horizon, price, predicted, change,
interval, confidence, decision, model), one line says plainly whether any model beat the naive
baseline, and the phase timings and the report's path close it. French or English.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from finbot.cli import context
from finbot.cli.context import AppContext
from finbot.cli.progress_labels import progress_label
from finbot.i18n import number, percent

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID
    from rich.table import Table

    from finbot.ops.demo_report import AnswerRow, DemoResult


def _progress_runner(
    app_ctx: AppContext, enabled: bool
) -> tuple[Progress, Callable[[str, int, int], None]]:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("{task.description:<32}"),
        BarColumn(bar_width=20),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=app_ctx.err,
        disable=not enabled,
        transient=False,
    )
    tasks: dict[str, TaskID] = {}

    def step(label: str, done: int, total: int) -> None:
        phase = label.split(":", 1)[0]
        if phase not in tasks:
            tasks[phase] = progress.add_task(progress_label(app_ctx.lang, phase), total=total)
        shown = progress_label(app_ctx.lang, label)[:32]
        progress.update(tasks[phase], completed=done, total=total, description=shown)

    return progress, step


def _chosen_coins(app_ctx: AppContext, coins: str | None) -> list[str] | None:
    from finbot.config import resolve_coin

    settings = app_ctx.settings
    return (
        [resolve_coin(settings.coins, c).id for c in coins.split(",") if c.strip()]
        if coins
        else None
    )


def _json_payload(rows: list[AnswerRow], result: DemoResult) -> dict[str, object]:
    return {
        "phases": result.phases,
        "total_seconds": round(result.total_seconds, 2),
        "collected": result.collected,
        "answers": rows,
        "models_with_edge": sum(1 for r in rows if r["has_edge"]),
        "failures": result.failures,
        "notes": result.notes,
        "report": str(result.report),
        "data": result.data_label,
    }


def demo_command(
    ctx: typer.Context,
    coins: str | None = typer.Option(None, "--coins", help="Comma-separated subset of coins."),
    seed: int = typer.Option(42, "--seed", help="Seed of the synthetic history."),
    days: int = typer.Option(730, "--days", min=30, help="Days of synthetic history."),
    csv_dir: Path | None = typer.Option(None, "--csv-dir", help="Serve real OHLCV CSVs instead."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
    serve: bool = typer.Option(
        False, "--serve", help="Then serve the dashboard on the demo's home (Ctrl+C stops)."
    ),
) -> None:
    """Offline demo: replay server → collect → store → train → predict → decide → report."""
    from finbot.ops.demo import run_demo
    from finbot.ops.demo_report import answer_row

    app_ctx = context.get(ctx)
    chosen = _chosen_coins(app_ctx, coins)
    app_ctx.err.print(
        app_ctx.tr(
            "finbot demo on {what} data through the local replay server (no internet)",
            what=app_ctx.tr("synthetic") if csv_dir is None else str(csv_dir),
        )
    )
    progress, step = _progress_runner(app_ctx, enabled=not as_json)
    with progress:
        result = run_demo(
            app_ctx.services,
            seed=seed,
            days=days,
            coins=chosen,
            csv_dir=csv_dir,
            step=step,
            lang=app_ctx.lang,
        )
    rows = [answer_row(a) for a in result.answers]
    if as_json:
        app_ctx.emit_json(_json_payload(rows, result))
    else:
        _print_result(app_ctx, rows, result)
    if serve:
        from finbot.cli.dashboard_cmd import serve_until_stopped

        serve_until_stopped(app_ctx, None, None)
    elif not as_json:
        _dashboard_hint(app_ctx)
    if not rows:
        raise typer.Exit(1)


def _dashboard_hint(app_ctx: AppContext) -> None:
    """How to open the dashboard on this home."""
    dashboard = app_ctx.settings.general.dashboard
    app_ctx.console.print(
        app_ctx.tr(
            "Dashboard: finbot --home {home} dashboard, then open http://{host}:{port}/",
            home=app_ctx.paths.home,
            host=dashboard.host,
            port=dashboard.port,
        ),
        highlight=False,
        soft_wrap=True,
    )


def _symbols(app_ctx: AppContext) -> dict[str, str]:
    return {c.id: c.symbol.upper() for c in app_ctx.settings.coins.coins}


def _empty_table(app_ctx: AppContext, rows: list[AnswerRow], data_label: str) -> Table:
    """The table's title and columns, no row yet."""
    from rich import box
    from rich.table import Table

    tr = app_ctx.tr
    level = f"{rows[0]['interval']['level'] * 100:.0f} %" if rows and rows[0]["interval"] else ""
    table = Table(
        title=tr(
            "Predictions ({d} data, prices in $)",
            d=tr("synthetic") if data_label == "synthetic" else data_label,
        ),
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
    )
    right = {"justify": "right", "no_wrap": True}
    table.add_column(tr("coin"), no_wrap=True)
    table.add_column("h", **right)  # type: ignore[arg-type]
    for header in (
        tr("now"),
        tr("predicted"),
        tr("change"),
        tr("interval {l}", l=level),
        "conf.",
    ):
        table.add_column(header, **right)  # type: ignore[arg-type]
    table.add_column(tr("decision"), no_wrap=True)
    return table


def _answer_cells(r: AnswerRow, lang: str, symbols: dict[str, str]) -> tuple[str, ...]:
    """One answer as the table's cells."""
    from finbot.prediction.decision import Action

    iv = r["interval"]
    interval = "—" if iv is None else f"{number(lang, iv['low'])}–{number(lang, iv['high'])}"
    action = Action(r["decision"]).text(lang)
    return (
        symbols.get(r["coin"], r["coin"][:6]),
        r["horizon"],
        number(lang, r["last_price"]),
        number(lang, r["predicted_price"]),
        percent(lang, r["change_pct"] / 100, 2, signed=True),
        interval,
        percent(lang, r["confidence"] / 100, 0),
        action + ("" if r["has_edge"] else "*"),
    )


def build_table(app_ctx: AppContext, rows: list[AnswerRow], data_label: str) -> Table:
    """The answers as a Rich table narrow enough for 80 columns (about 70 wide). A ``*``
    after the decision marks a naive-baseline answer (no model beat it)."""
    table = _empty_table(app_ctx, rows, data_label)
    symbols = _symbols(app_ctx)
    for r in rows:
        table.add_row(*_answer_cells(r, app_ctx.lang, symbols))
    return table


def honest_note(app_ctx: AppContext, rows: list[AnswerRow], data_label: str) -> str:
    """One line saying whether any model beat the naive baseline (and so whether any answer
    is more than "the price stays where it is")."""
    edge = sum(1 for r in rows if r["has_edge"])
    data = (
        app_ctx.tr("this synthetic data") if data_label == "synthetic" else app_ctx.tr("this data")
    )
    if edge == 0:
        return app_ctx.tr(
            "No model beat the naive baseline on {d}: that is the honest answer (HOLD); see "
            "'finbot evaluate'.",
            d=data,
        )
    return app_ctx.tr(
        "{e} of {n} predictions come from a model that beat the naive baseline out of sample; "
        "the others (*) are the baseline itself (no change, HOLD); see 'finbot evaluate'.",
        e=edge,
        n=len(rows),
    )


def _console_for(app_ctx: AppContext) -> Console:
    """The terminal as it is; a 120-column console when the output is a file or a pipe (Rich
    would assume 80 there and squeeze the table)."""
    from rich.console import Console

    if app_ctx.console.is_terminal:
        return app_ctx.console
    return Console(file=app_ctx.console.file, width=120, soft_wrap=True)


def _print_result(app_ctx: AppContext, rows: list[AnswerRow], result: DemoResult) -> None:
    from finbot.ops.demo_report import PHASES

    tr, console = app_ctx.tr, _console_for(app_ctx)
    if rows:
        console.print(build_table(app_ctx, rows, result.data_label))
        console.print(honest_note(app_ctx, rows, result.data_label), highlight=False, style="bold")
    for line in result.notes + result.failures:
        app_ctx.err.print(f"[yellow]{app_ctx.line(line)}[/yellow]", highlight=False)
    names = {k: (tr(PHASES[k]) if k in PHASES else k) for k in result.phases}
    lang = app_ctx.lang
    phases = ", ".join(f"{names[k]} {number(lang, v, 1)} s" for k, v in result.phases.items())
    console.print(
        tr(
            "Phases: {p} (total {t} s)",
            p=phases,
            t=number(lang, result.total_seconds, 1),
        ),
        highlight=False,
    )
    console.print(
        tr(
            "Report (HTML, with charts): {r}",
            r=result.report,
        ),
        highlight=False,
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)
