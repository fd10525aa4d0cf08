"""``evaluate`` (walk-forward backtest of what the bot would serve, HTML report) and
``confidence-metrics``."""

from __future__ import annotations

import math
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from finbot.algorithms import TRAINABLE, Algorithm
from finbot.cli import context
from finbot.cli.context import AppContext
from finbot.cli.evaluate_view import print_coin, print_skipped
from finbot.errors import DataError
from finbot.i18n import N_, failure_line
from finbot.timeframes import Timeframe


class WalkForwardWindow(StrEnum):
    """``--window``: each fold trains on everything before it, or on a rolling half."""

    EXPANDING = "expanding"
    ROLLING = "rolling"


def _trainable(value: str | None) -> Algorithm | None:
    """``--algorithm``'s check: one of the trainable algorithms, any case (naive and master are
    not fitted, so not evaluated)."""
    if value is None:
        return None
    if value.lower() not in TRAINABLE:
        choices = ", ".join(repr(a.value) for a in TRAINABLE)
        raise typer.BadParameter(f"{value!r} is not one of {choices}.")
    return Algorithm(value.lower())


if TYPE_CHECKING:
    import polars as pl

    from finbot.prediction.models import ModelStore, ModelSummary
    from finbot.prediction.tracking import Evaluation
    from finbot.storage import BarStore

ALL = "all"


def _wants_all(names: list[str]) -> bool:
    return any(n.lower() == ALL for n in names)


def _coins(app_ctx: AppContext, names: list[str]) -> list[str]:
    """``--coin``: repeated, or ``all`` (every configured coin with bars at the timeframe)."""
    from finbot.config import resolve_coin

    coins = app_ctx.settings.coins
    if _wants_all(names):
        return list(coins.ids)
    return list(dict.fromkeys(resolve_coin(coins, n).id for n in names))


def _frames(
    app_ctx: AppContext, coins: list[str], timeframe: str, last_n: int, explicit: bool
) -> dict[str, pl.DataFrame]:
    """Each coin's recent bars; a coin named explicitly must have some, ``all`` skips empties."""
    frames = {}
    for coin in coins:
        bars = app_ctx.services.bar_store.read(coin, timeframe, last_n=last_n)
        if bars.is_empty() and explicit:
            raise DataError(
                N_(
                    "no {timeframe} bars stored for {coin}; run 'finbot collect-historical' or "
                    "'finbot import-csv' first"
                ),
                timeframe=timeframe,
                coin=coin,
            )
        if not bars.is_empty():
            frames[coin] = bars
    if not frames:
        raise DataError(
            N_("no {timeframe} bars stored for any coin; run 'finbot import-csv' first"),
            timeframe=timeframe,
        )
    return frames


def _horizons(app_ctx: AppContext, asked: list[str], timeframe: str) -> list[str]:
    """The asked horizons; by default the configured ones that are whole numbers of bars
    (a 10-minute horizon has no place on hourly bars: left out without a word)."""
    from finbot.timeframes import canonical, duration_ms

    if asked:
        return [canonical(h) for h in asked]
    step = duration_ms(timeframe, field="timeframe")
    fit = [h for h in app_ctx.settings.general.horizons if duration_ms(h) % step == 0]
    return fit or list(app_ctx.settings.general.horizons)


def _config(
    app_ctx: AppContext, algorithm: str | None, folds: int | None, window: WalkForwardWindow
) -> Any:
    from finbot.prediction.tracking import EvalConfig
    from finbot.timeframes import DAY_MS

    settings = app_ctx.settings
    training = settings.general.training
    return EvalConfig(
        level=settings.general.confidence.level,
        n_folds=folds,
        window_ms=(
            training.micro_window_days * DAY_MS if window == WalkForwardWindow.ROLLING else None
        ),
        algorithms=(algorithm,) if algorithm else tuple(training.algorithms),
        train_test_fraction=training.test_fraction,
        pooled=training.pooled,
        threads=training.workers,
    )


def _run(
    app_ctx: AppContext,
    frames: dict[str, pl.DataFrame],
    timeframe: str,
    horizons: list[str],
    config: Any,
) -> list[Evaluation]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from finbot.prediction.tracking import DecisionInputs, evaluate_many

    settings = app_ctx.settings
    inputs = DecisionInputs(settings.costs, settings.thresholds, settings.general.horizon_weights)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=app_ctx.err, transient=True) as bar:
        task = bar.add_task(app_ctx.tr("evaluating"), total=len(frames) * len(horizons))

        def progress(coin: str, horizon: str, done: int, total: int) -> None:
            label = app_ctx.tr("evaluating {c} {h}", c=coin, h=horizon)
            bar.update(task, completed=done, total=total, description=label)

        return evaluate_many(
            frames,
            timeframe=timeframe,
            horizons=horizons,
            inputs=inputs,
            config=config,
            progress=progress,
        )


def evaluate_command(
    ctx: typer.Context,
    coin: list[str] = typer.Option(
        ..., "--coin", "-c", help="Coin id, symbol or name; repeat it, or 'all'."
    ),
    timeframe: Timeframe = typer.Option(
        Timeframe.H1, "--timeframe", case_sensitive=False, help="Bars to evaluate on."
    ),
    horizon: list[str] = typer.Option([], "--horizon", help="Horizon(s); default: all configured."),
    folds: int | None = typer.Option(
        None, "--folds", min=1, max=50, help="Equal test blocks; default: one per weekly retrain."
    ),
    algorithm: str | None = typer.Option(
        None,
        "--algorithm",
        callback=_trainable,
        metavar="<" + "|".join(TRAINABLE) + ">",
        help="Only this candidate (and naive); default: the configured algorithms.",
    ),
    bars: int = typer.Option(6000, "--bars", min=300, help="How many recent bars to use."),
    window: WalkForwardWindow = typer.Option(
        WalkForwardWindow.EXPANDING, "--window", case_sensitive=False, help="expanding or rolling."
    ),
    report: Path | None = typer.Option(None, "--report", help="Write an HTML report here."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
) -> None:
    """Walk-forward backtest of what the bot would serve: the selection re-run at each retrain,
    against naive (MAE, Diebold–Mariano, coverage, volatility, probabilities) and equity."""
    from finbot.prediction.tracking import evaluations_json, write_report

    app_ctx = context.get(ctx)
    frames = _frames(app_ctx, _coins(app_ctx, coin), timeframe, bars, not _wants_all(coin))
    horizons = _horizons(app_ctx, horizon, timeframe)
    evaluations = _run(
        app_ctx, frames, timeframe, horizons, _config(app_ctx, algorithm, folds, window)
    )
    data = evaluations_json(evaluations)
    _keep_latest(app_ctx, evaluations)
    if report is not None:
        data["report"] = str(write_report(evaluations, report, lang=app_ctx.lang))
        app_ctx.err.print(app_ctx.tr("Report: {p}", p=data["report"]))
    if as_json:
        app_ctx.emit_json(data)
        return
    for ev in evaluations:
        print_coin(app_ctx, ev.to_json())
    print_skipped(app_ctx, evaluations[0].skipped, timeframe)


def _metrics_row(
    store: ModelStore, bar_store: BarStore, row: ModelSummary, level: float
) -> dict[str, Any]:
    from finbot.prediction.decision import coverage_from_frame

    coin, tf, h = row["coin"], row["timeframe"], row["horizon"]
    out = {
        "coin": coin,
        "timeframe": tf,
        "horizon": h,
        "version": row["version"],
        "algorithm": row["algorithm"],
        "mae_ratio": row["mae_ratio"],
    }
    try:
        calibration = store.load(coin, tf, h, row["version"]).calibration()
        bars = bar_store.read(coin, tf) if tf != Algorithm.MASTER else None  # no master bars
        cov = coverage_from_frame(calibration, bars, level)
    except Exception as exc:  # a version without calibration data: reported, not fatal
        return out | {"error": f"{type(exc).__name__}: {exc}"}
    coverage = None if math.isnan(cov.coverage) else cov.coverage
    return out | {
        "n_fit": cov.n_fit,
        "n_test": cov.n_test,
        "coverage": coverage,
        "mean_width": None if math.isnan(cov.mean_width) else cov.mean_width,
        "normalised": cov.normalised,
    }


def _keep_latest(app_ctx: AppContext, evaluations: list[Evaluation]) -> None:
    """The dashboard's Evaluation page shows the latest run of each coin and timeframe."""
    from finbot.ops.reports import equity_points, save_evaluation

    for ev in evaluations:
        curves = equity_points(ev.equity_ts, ev.equity_strategy, ev.equity_hold)
        try:
            save_evaluation(app_ctx.paths, {**ev.to_json(), "equity": curves})
        except OSError as exc:  # the answer still shows
            app_ctx.err.print(app_ctx.tr("warning: evaluation not kept ({e})", e=failure_line(exc)))


def confidence_metrics_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
) -> None:
    """Interval coverage per coin × horizon: on stored held-out data and live (tracker)."""
    app_ctx = context.get(ctx)
    data = confidence_metrics(app_ctx)
    if as_json:
        app_ctx.emit_json(data)
        return
    _print_metrics(app_ctx, data)


def confidence_metrics(app_ctx: AppContext) -> dict[str, Any]:
    """Held-out coverage of every stored model and the tracker's live record (also the menu's)."""
    from finbot.clock import now_ms

    services = app_ctx.services
    level = services.settings.general.confidence.level
    store, bar_store = services.model_store, services.bar_store
    rows = [_metrics_row(store, bar_store, r, level) for r in store.list_models()]
    live = services.tracker.summary(now_ms(services.clock))
    return {"level": level, "models": rows, "live": live}


def _print_metrics(app_ctx: AppContext, data: dict[str, Any]) -> None:
    from finbot.ops.tables import RIGHT, compact_table

    tr, show = app_ctx.tr, app_ctx.display
    table = compact_table(
        tr("Interval coverage (nominal {l})", l=show.percent(data["level"], 0)),
        [
            tr("coin"),
            tr("bars"),
            tr("horizon"),
            tr("model"),
            RIGHT + tr("MAE ratio"),
            RIGHT + tr("test n"),
            RIGHT + tr("coverage"),
            RIGHT + tr("live 30d"),
        ],
    )
    for r in data["models"]:
        live = data["live"].get(r["coin"], {}).get(r["horizon"], {}).get("30d", {})
        live_cov = live.get("coverage")
        table.add_row(
            show.coin(r["coin"]),
            r["timeframe"],
            r["horizon"],
            str(r["algorithm"]),
            show.number(r.get("mae_ratio"), 3),
            str(r.get("n_test", "—")),
            show.percent(r["coverage"]) if r.get("coverage") is not None else r.get("error", "—"),
            f"{show.percent(live_cov)} (n={live.get('n')})" if live_cov is not None else "—",
        )
    app_ctx.console.print(table)


def register(app: typer.Typer) -> None:
    app.command("evaluate")(evaluate_command)
    app.command("evaluer", help="Alias of 'evaluate'.")(evaluate_command)
    app.command("confidence-metrics")(confidence_metrics_command)
