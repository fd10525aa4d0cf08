"""``finbot train`` / ``entrainer`` and ``finbot train-incremental``: fit models, show every
algorithm's scores next to the naive baseline, say plainly when there is no edge."""

from __future__ import annotations

from typing import Any

import typer

from finbot.algorithms import Algorithm
from finbot.cli import context
from finbot.cli.progress_labels import progress_label
from finbot.errors import UsageError
from finbot.i18n import N_, Number
from finbot.prediction.training import RetrainMode
from finbot.timeframes import Timeframe


def _scores_table(app_ctx: context.AppContext, report: Any) -> Any:
    """Each algorithm's held-out errors (log returns, shown as percentages) against the
    baseline; ✓ marks the one kept."""
    from finbot.ops.tables import RIGHT, compact_table

    tr, show = app_ctx.tr, app_ctx.display
    table = compact_table(
        f"{show.coin(report.coin)} {report.timeframe} → {report.horizon}",
        [tr("algorithm"), RIGHT + "MAE", RIGHT + "RMSE", RIGHT + tr("direction")]
        + [RIGHT + tr("MAE / naive")],
    )
    for name, s in report.scores.items():
        mark = " ✓" if name == report.chosen else ""
        table.add_row(
            name + mark,
            show.percent(s["mae"], 3),
            show.percent(s["rmse"], 3),
            "—"
            if s.get("directional_accuracy") is None
            else show.percent(s["directional_accuracy"], 1),
            show.number(s["mae_ratio"], 4),
        )
    return table


def _train_one(
    app_ctx: context.AppContext,
    coin: str,
    timeframe: Timeframe,
    horizon: str,
    algorithms: tuple[Algorithm, ...],
    as_json: bool,
) -> dict[str, Any]:
    from rich.progress import Progress

    from finbot.prediction.training import train_from_store

    services = app_ctx.services
    with Progress(console=app_ctx.err, transient=True) as bar:
        task = bar.add_task(
            app_ctx.tr("training {c} {h}", c=coin, h=horizon),
            total=len(algorithms),
        )
        trained = train_from_store(
            services.bar_store,
            services.model_store,
            coin,
            timeframe,
            horizon,
            algorithms=algorithms,
            test_fraction=services.settings.general.training.test_fraction,
            progress=lambda name, done, total: bar.update(
                task, completed=done, description=progress_label(app_ctx.lang, name)
            ),
            volatility=services.volatility_training,
        )
    report, version = trained.report, trained.version
    out = {**report.to_dict(), "version": version}
    if trained.volatility is not None:
        out["volatility"] = trained.volatility
    if not as_json:
        app_ctx.console.print(_scores_table(app_ctx, report))
        if not report.has_edge:
            app_ctx.console.print(
                app_ctx.tr(
                    "no edge over the naive baseline: predictions will be zero (HOLD)",
                )
            )
        app_ctx.console.print(app_ctx.tr("saved version {v}", v=version))
        if trained.volatility is not None:
            app_ctx.console.print(volatility_line(app_ctx, trained.volatility))
    return out


def volatility_line(app_ctx: context.AppContext, summary: dict[str, Any]) -> str:
    """One line on the volatility model trained beside the point model (or why none was)."""
    if "error" in summary:
        return app_ctx.tr("volatility model not saved: {e}", e=app_ctx.line(summary["error"]))
    ratio = summary.get("qlike_ratio")
    return app_ctx.tr(
        "volatility model {m} saved as {v} (QLIKE vs naive {r})",
        m=summary["model"],
        v=summary["version"],
        r="—" if ratio is None else Number(ratio, 3),
    )


def _single_status(app_ctx: context.AppContext, r: dict[str, Any]) -> str:
    """One set's line: the chosen model and its MAE ratio to the naive baseline."""
    ratio = Number(r["mae_ratio"], 4)
    if r["has_edge"]:
        return app_ctx.tr("{model} ratio {r}", model=r["chosen"], r=ratio)
    return app_ctx.tr("{model} ratio {r} (no edge over naive)", model=r["chosen"], r=ratio)


def _train_all(
    app_ctx: context.AppContext,
    coins: list[str],
    horizons: list[str],
    algorithms: tuple[Algorithm, ...],
    as_json: bool,
) -> dict[str, Any]:
    from rich.progress import Progress

    from finbot.prediction.training import tasks_for, train_all

    with Progress(console=app_ctx.err, transient=True) as bar:
        task = bar.add_task(app_ctx.tr("training"), total=len(tasks_for(coins, horizons)))
        services = app_ctx.services
        results = train_all(
            services.bar_store,
            services.model_store,
            services.training,
            coins,
            horizons,
            algorithms=algorithms,
            progress=lambda r, done, total: bar.update(task, completed=done),
            volatility=services.volatility_training,
        )
    failed = [r for r in results if r.get("error")]
    summary = {"trained": len(results) - len(failed), "failed": len(failed), "total": len(results)}
    if not as_json:
        for r in results:
            status = (
                app_ctx.line(r["error"])
                if r.get("error")
                else _pooled_status(app_ctx, r)
                if r.get("pooled")
                else _single_status(app_ctx, r)
            )
            app_ctx.console.print(f"{r['coin']} {r['timeframe']} {r['horizon']}: {status}")
        app_ctx.console.print(
            app_ctx.tr(
                "{trained} of {total} coin x horizon sets trained, {failed} failed",
                **summary,
            ),
            highlight=False,
        )
    return {"results": results, "summary": summary}


def _pooled_status(app_ctx: context.AppContext, result: dict[str, Any]) -> str:
    """One pooled result: served or kept aside, with its MAE ratio to naive."""
    ratio = Number(result["mae_ratio"], 4)
    if result["served"]:
        return app_ctx.tr("pooled ratio {r} (served)", r=ratio)
    return app_ctx.tr(
        "pooled ratio {r} (not served: {why})", r=ratio, why=app_ctx.line(result["reason"])
    )


def train_command(
    ctx: typer.Context,
    coin: str | None = typer.Option(None, "--coin", help="Coin id, symbol or name."),
    timeframe: Timeframe | None = typer.Option(
        None, "--timeframe", case_sensitive=False, help="5m, 1h, 1d..."
    ),
    horizon: str = typer.Option("1h", "--horizon", help="10m, 1h, 6h, 8h, 12h..."),
    algorithms: str | None = typer.Option(None, "--algorithms", help="e.g. linear,lightgbm"),
    all_: bool = typer.Option(False, "--all", help="Every enabled coin x configured horizon."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
) -> None:
    """Train models for a coin and horizon, compared with the naive zero-return baseline."""
    from finbot.config import resolve_coin
    from finbot.prediction.models import check_algorithms
    from finbot.timeframes import canonical, default_timeframe

    app_ctx = context.get(ctx)
    settings = app_ctx.settings
    algos = check_algorithms(
        algorithms.split(",") if algorithms else list(settings.general.training.algorithms)
    )
    if all_:
        out = _train_all(
            app_ctx, list(settings.coins.ids), list(settings.general.horizons), algos, as_json
        )
    elif coin is None:
        raise UsageError(N_("coin: expected --coin C (or --all)"))
    else:
        h = canonical(horizon)
        tf = timeframe or default_timeframe(h)
        out = _train_one(app_ctx, resolve_coin(settings.coins, coin).id, tf, h, algos, as_json)
    if as_json:
        app_ctx.emit_json(out)
    if out.get("summary", {}).get("failed"):
        raise typer.Exit(1)  # something was not trained: said above, and in the exit code


def train_incremental_command(
    ctx: typer.Context,
    mode: RetrainMode = typer.Option(
        ..., "--mode", case_sensitive=False, help="micro, mini or schedule."
    ),
    coin: str | None = typer.Option(None, "--coin", help="Only this coin."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
) -> None:
    """Update models (micro: recent window; mini: full retrain); never replace a better one."""
    app_ctx = context.get(ctx)
    schedule = mode == RetrainMode.SCHEDULE
    out = _schedule(app_ctx) if schedule else _incremental(app_ctx, mode, coin)
    if as_json:
        app_ctx.emit_json(out)
        return
    for job in out.get("jobs", []):
        app_ctx.console.print(f"{job['id']}: {job['func']} ({job['trigger']})")
    for r in out.get("results", []):
        app_ctx.console.print(_incremental_line(app_ctx, r), highlight=False)


_STATUS = {"accepted": N_("accepted"), "rejected": N_("rejected")}


def _incremental_line(app_ctx: context.AppContext, r: dict[str, Any]) -> str:
    """One group's outcome: accepted or rejected (and why), or its error."""
    where = f"{app_ctx.display.coin(r['coin'])} {r['timeframe']} {r['horizon']}"
    if r.get("error"):
        return f"{where}: {app_ctx.line(r['error'])}"
    word = _STATUS.get(r["status"])
    status = app_ctx.tr(word) if word else str(r["status"])
    reason = f" — {app_ctx.line(r['reason'])}" if r.get("reason") else ""
    return f"{where}: {status} {r['version']}{reason}"


def _schedule(app_ctx: context.AppContext) -> dict[str, Any]:
    """The scheduler's own retraining jobs, as ``finbot start`` registers them."""
    from finbot.ops.scheduler import retrain_jobs

    jobs = [spec.describe() for spec in retrain_jobs(app_ctx.services)]
    return {"mode": RetrainMode.SCHEDULE, "jobs": jobs}


def _incremental(
    app_ctx: context.AppContext, mode: RetrainMode, coin: str | None
) -> dict[str, Any]:
    from finbot.config import resolve_coin
    from finbot.prediction.training import run

    services = app_ctx.services
    settings = services.settings
    coins = [resolve_coin(settings.coins, coin).id] if coin else list(settings.coins.ids)
    return run(
        mode,
        services.bar_store,
        services.model_store,
        services.training,
        coins,
        list(settings.general.horizons),
        clock=services.clock,
        volatility=services.volatility_training,
    )


def register(app: typer.Typer) -> None:
    app.command("train")(train_command)
    app.command("entrainer", help="Alias of 'train'.")(train_command)
    app.command("train-incremental")(train_incremental_command)
