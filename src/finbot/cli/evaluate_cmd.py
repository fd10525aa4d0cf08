"""``evaluate`` (walk-forward backtest and HTML report) and ``confidence-metrics``."""

from __future__ import annotations

import math
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from finbot.algorithms import TRAINABLE, Algorithm
from finbot.cli import context
from finbot.cli.context import AppContext
from finbot.errors import DataError
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
    from finbot.prediction.models import ModelStore, ModelSummary
    from finbot.storage import BarStore


def _algorithm(
    app_ctx: AppContext, coin: str, timeframe: str, horizon: str, explicit: Algorithm | None
) -> Algorithm:
    """``--algorithm``, else the stored model's (when it is a plain algorithm), else LightGBM."""
    from finbot.prediction.models import ALGORITHMS

    if explicit:
        return explicit
    store = app_ctx.services.model_store
    version = store.latest_version(coin, timeframe, horizon)
    if version:
        meta = store.read_meta(coin, timeframe, horizon, version)
        for name in (meta.get("algorithm"), meta.get("best_algorithm")):
            if name in ALGORITHMS:
                return Algorithm(name)
    return Algorithm.LIGHTGBM


def _bars(app_ctx: AppContext, coin: str, timeframe: str, last_n: int) -> Any:
    bars = app_ctx.services.bar_store.read(coin, timeframe, last_n=last_n)
    if bars.is_empty():
        raise DataError(
            f"no {timeframe} bars stored for {coin}; run 'finbot collect-historical' "
            f"or 'finbot import-csv' first"
        )
    return bars


def _print_human(app_ctx: AppContext, data: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(
        title=app_ctx.tr(
            "{c} {tf}: model vs naive baseline (walk-forward)",
            c=data["coin"],
            tf=data["timeframe"],
        )
    )
    for col in ("horizon", "n", "MAE", "MAE naive", "ratio", "DM p", "hit", "coverage"):
        table.add_column(col, justify="right")
    for h, m in data["horizons"].items():
        hit = "—" if m["directional_accuracy"] is None else f"{m['directional_accuracy']:.1%}"
        table.add_row(
            h,
            str(m["n"]),
            f"{m['mae']:.5f}",
            f"{m['mae_naive']:.5f}",
            f"{m['mae_ratio']:.3f}",
            f"{m['dm_pvalue']:.3f}",
            hit,
            f"{m['coverage']:.1%} / {m['level']:.0%}",
        )
    app_ctx.console.print(table)
    for name in ("strategy", "buy_and_hold"):
        s = data[name]
        app_ctx.console.print(
            f"{name.replace('_', ' ')}: total {s['total_return']:+.2%}, Sharpe {s['sharpe']:.2f}, "
            f"max drawdown {s['max_drawdown']:.2%}, trades {s['trades']}",
            highlight=False,
        )
    for h, why in data["skipped"].items():
        app_ctx.err.print(f"{h}: {why}", highlight=False)


def evaluate_command(
    ctx: typer.Context,
    coin: str = typer.Option(..., "--coin", "-c", help="Coin id, symbol or name."),
    timeframe: Timeframe = typer.Option(
        Timeframe.H1, "--timeframe", case_sensitive=False, help="Bars to evaluate on."
    ),
    horizon: list[str] = typer.Option([], "--horizon", help="Horizon(s); default: all configured."),
    folds: int = typer.Option(5, "--folds", min=1, max=50, help="Walk-forward folds."),
    algorithm: str | None = typer.Option(
        None,
        "--algorithm",
        callback=_trainable,
        metavar="<" + "|".join(TRAINABLE) + ">",
        help="Default: the stored model's.",
    ),
    bars: int = typer.Option(6000, "--bars", min=300, help="How many recent bars to use."),
    window: WalkForwardWindow = typer.Option(
        WalkForwardWindow.EXPANDING, "--window", case_sensitive=False, help="expanding or rolling."
    ),
    report: Path | None = typer.Option(None, "--report", help="Write an HTML report here."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object on stdout."),
) -> None:
    """Walk-forward backtest: model vs naive (MAE, Diebold–Mariano, coverage) and equity."""
    from finbot.config import resolve_coin
    from finbot.prediction.tracking import DecisionInputs, evaluate
    from finbot.timeframes import canonical

    app_ctx = context.get(ctx)
    settings = app_ctx.settings
    coin_id = resolve_coin(settings.coins, coin).id
    horizons = [canonical(h) for h in horizon] or list(settings.general.horizons)
    chosen = Algorithm(algorithm) if algorithm else None
    algo = _algorithm(app_ctx, coin_id, timeframe, horizons[0], chosen)
    frame = _bars(app_ctx, coin_id, timeframe, bars)
    inputs = DecisionInputs(settings.costs, settings.thresholds, settings.general.horizon_weights)
    with app_ctx.err.status(
        app_ctx.tr(
            "Evaluating {c} ({a}, {n} folds)…",
            c=coin_id,
            a=algo,
            n=folds,
        )
    ):
        result = evaluate(
            frame,
            coin=coin_id,
            timeframe=timeframe,
            horizons=horizons,
            inputs=inputs,
            level=settings.general.confidence.level,
            n_folds=folds,
            algorithm=algo,
            rolling_rows=frame.height // 2 if window == WalkForwardWindow.ROLLING else None,
        )
    data = result.to_json()
    _keep_latest(app_ctx, result, data)
    if report is not None:
        from finbot.prediction.tracking import write_report

        data["report"] = str(write_report(result, report))
        app_ctx.err.print(app_ctx.tr("Report: {p}", p=data["report"]))
    if as_json:
        app_ctx.emit_json(data)
    else:
        _print_human(app_ctx, data)


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


def _keep_latest(app_ctx: AppContext, result: Any, data: dict[str, Any]) -> None:
    """The dashboard's Evaluation page shows the latest run of each coin and timeframe."""
    from finbot.ops.reports import equity_points, save_evaluation

    curves = equity_points(result.equity_ts, result.equity_strategy, result.equity_hold)
    try:
        save_evaluation(app_ctx.paths, {**data, "equity": curves})
    except OSError as exc:  # the answer still shows
        app_ctx.err.print(app_ctx.tr("warning: evaluation not kept ({e})", e=exc))


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
    from rich.table import Table

    table = Table(
        title=app_ctx.tr(
            "Interval coverage (nominal {l:.0%})",
            l=data["level"],
        )
    )
    for col in (
        "coin",
        "tf",
        "horizon",
        "model",
        "MAE ratio",
        "held-out n",
        "coverage",
        "live 30d",
    ):
        table.add_column(col)
    for r in data["models"]:
        live = data["live"].get(r["coin"], {}).get(r["horizon"], {}).get("30d", {})
        live_cov = live.get("coverage")
        table.add_row(
            r["coin"],
            r["timeframe"],
            r["horizon"],
            str(r["algorithm"]),
            f"{r['mae_ratio']:.3f}" if r.get("mae_ratio") is not None else "—",
            str(r.get("n_test", "—")),
            f"{r['coverage']:.1%}" if r.get("coverage") is not None else r.get("error", "—"),
            f"{live_cov:.1%} (n={live.get('n')})" if live_cov is not None else "—",
        )
    app_ctx.console.print(table)


def register(app: typer.Typer) -> None:
    app.command("evaluate")(evaluate_command)
    app.command("evaluer", help="Alias de 'evaluate'.")(evaluate_command)
    app.command("confidence-metrics")(confidence_metrics_command)
