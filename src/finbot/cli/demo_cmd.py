"""``finbot demo``: the offline end-to-end demo (the README's first command)."""

from __future__ import annotations

from pathlib import Path

import typer

from finbot.cli import context


def _progress_runner(app_ctx: context.AppContext, enabled: bool):  # type: ignore[no-untyped-def]
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(TextColumn("{task.description:<40}"), BarColumn(),
                        TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                        console=app_ctx.err, disable=not enabled, transient=False)
    tasks: dict[str, int] = {}

    def step(label: str, done: int, total: int) -> None:
        phase = label.split(":", 1)[0]
        if phase not in tasks:
            tasks[phase] = progress.add_task(phase, total=total)
        progress.update(tasks[phase], completed=done, total=total, description=label[:40])

    return progress, step


def demo_command(
    ctx: typer.Context,
    coins: str | None = typer.Option(None, "--coins", help="Comma-separated subset of coins."),
    seed: int = typer.Option(42, "--seed", help="Seed of the synthetic history."),
    days: int = typer.Option(730, "--days", min=30, help="Days of synthetic history."),
    csv_dir: Path | None = typer.Option(None, "--csv-dir", help="Serve real OHLCV CSVs instead."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
) -> None:
    """Offline demo: replay server → collect → store → train → predict → decide → report."""
    from finbot.config import resolve_coin
    from finbot.ops.demo import run_demo
    from finbot.ops.demo_report import answer_row

    app_ctx = context.get(ctx)
    settings = app_ctx.settings
    chosen = ([resolve_coin(settings.coins, c).id for c in coins.split(",") if c.strip()]
              if coins else None)
    app_ctx.err.print(app_ctx.tr(
        "finbot demo on {what} data through the local replay server (no internet)",
        "démo finbot sur données {what} via le serveur de rejeu local (sans internet)",
        what="synthetic" if csv_dir is None else str(csv_dir)))
    progress, step = _progress_runner(app_ctx, enabled=not as_json)
    with progress:
        result = run_demo(settings, app_ctx.paths, seed=seed, days=days, coins=chosen,
                          csv_dir=csv_dir, step=step)
    rows = [answer_row(a) for a in result.answers]
    if as_json:
        app_ctx.emit_json({"phases": result.phases, "total_seconds": round(result.total_seconds, 2),
                           "collected": result.collected, "answers": rows,
                           "failures": result.failures, "report": str(result.report),
                           "data": result.data_label})
    else:
        _print_table(app_ctx, rows, result)
    if not rows:
        raise typer.Exit(1)


def _print_table(app_ctx: context.AppContext, rows: list[dict], result) -> None:  # type: ignore[no-untyped-def,type-arg]
    from rich.table import Table

    tr = app_ctx.tr
    table = Table(title=tr("Predictions ({d} data)", "Prévisions (données {d})", d=result.data_label))
    for col in (tr("coin", "crypto"), tr("horizon", "horizon"), tr("price $", "prix $"),
                tr("predicted $", "prévu $"), tr("change", "variation"),
                tr("interval", "intervalle"), tr("confidence", "confiance"),
                tr("decision", "décision"), tr("model / naive", "modèle / naïf")):
        table.add_column(col, justify="right")
    for r in rows:
        iv = "—" if r["interval"] is None else f"{r['interval']['low']:,.4g} – {r['interval']['high']:,.4g}"
        table.add_row(r["coin"], r["horizon"], f"{r['last_price']:,.6g}",
                      f"{r['predicted_price']:,.6g}", f"{r['change_pct']:+.2f} %", iv,
                      f"{r['confidence']:.0f} %", r["decision"],
                      f"{r['model']} {r['mae_ratio']:.3f}")
    app_ctx.console.print(table)
    for failure in result.failures:
        app_ctx.err.print(f"[yellow]{failure}[/yellow]")
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in result.phases.items())
    app_ctx.console.print(tr("Phases: {p} (total {t:.1f} s)", "Phases : {p} (total {t:.1f} s)",
                             p=phases, t=result.total_seconds))
    app_ctx.console.print(tr("Report: {r}", "Rapport : {r}", r=result.report))


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_command)
