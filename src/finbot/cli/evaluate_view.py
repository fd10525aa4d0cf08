"""``finbot evaluate``'s human output: one table per coin, served model and test window named,
significant wins and losses marked (Holm-adjusted Diebold–Mariano)."""

from __future__ import annotations

from typing import Any

from finbot.cli.context import AppContext
from finbot.i18n import Number, number, translate


def _num(lang: str, value: float | None, digits: int, *, signed: bool = False) -> str:
    """A table cell: ``value`` with ``digits`` decimals as ``lang`` writes it (``1,0007``)."""
    return "—" if value is None else number(lang, value, digits, signed=signed)


def _hit(lang: str, m: dict[str, Any]) -> str:
    if m["directional_accuracy"] is None:
        return "—"
    low, high = m["hit_rate_ci"]
    hit = number(lang, 100 * m["directional_accuracy"], 1)
    return f"{hit} ({number(lang, 100 * low, 0)}–{number(lang, 100 * high, 0)})"


def _model(m: dict[str, Any]) -> str:
    counts = m["models"]
    if len(counts) == 1:
        return str(m["model"])
    return " ".join(f"{name}×{n}" for name, n in counts.items())


def _verdict(app_ctx: AppContext, m: dict[str, Any]) -> str:
    if m["verdict"] == "win":
        return app_ctx.tr("WIN")
    if m["verdict"] == "loss":
        return app_ctx.tr("LOSS")
    return "—"


def _point_columns(app_ctx: AppContext) -> list[str]:
    return [
        "h",
        app_ctx.tr("served model"),
        "n",
        app_ctx.tr("MAE r."),
        app_ctx.tr("p adj."),
        app_ctx.tr("sig."),
        app_ctx.tr("hit % (95 %)"),
        "IC",
        app_ctx.tr("cover."),
    ]


def _point_row(app_ctx: AppContext, h: str, m: dict[str, Any]) -> list[str]:
    return [
        h,
        _model(m),
        str(m["n"]),
        _num(app_ctx.lang, m["mae_ratio"], 4),
        _num(app_ctx.lang, m["dm_pvalue_adjusted"], 3),
        _verdict(app_ctx, m),
        _hit(app_ctx.lang, m),
        _num(app_ctx.lang, m["ic"], 3, signed=True),
        "—" if m["coverage"] is None else number(app_ctx.lang, 100 * m["coverage"], 1) + "%",
    ]


def _forecast_columns(app_ctx: AppContext) -> list[str]:
    return [
        "h",
        app_ctx.tr("QLIKE r."),
        app_ctx.tr("interval r."),
        app_ctx.tr("Brier r."),
        app_ctx.tr("touch gap"),
    ]


def _forecast_row(lang: str, h: str, m: dict[str, Any]) -> list[str]:
    gap = m["target_calibration"]
    return [
        h,
        _num(lang, m["qlike_ratio"], 3),
        _num(lang, m["interval_score_ratio"], 3),
        _num(lang, m["brier_ratio"], 3),
        "—" if gap is None else translate(lang, "{g} pts", g=Number(100 * gap, 1)),
    ]


def _caption(app_ctx: AppContext, data: dict[str, Any]) -> str:
    windows = {"expanding": app_ctx.tr("expanding window"), "rolling": app_ctx.tr("rolling window")}
    every = data["retrain_hours"]
    cadence = (
        app_ctx.tr("retrained every {h:g} h", h=every)
        if every
        else app_ctx.tr("{n} equal folds", n=data["folds"])
    )
    return app_ctx.tr(
        "test {a} → {b}, {n} retrains ({how}, {w}); ratios ours / naive; DM p Holm-adjusted "
        "over every coin × horizon",
        a=data["start"][:16],
        b=data["end"][:16],
        n=data["folds"],
        how=cadence,
        w=windows[data["window"]],
    )


def _table(title: str, columns: list[str], rows: list[list[str]]) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1, 0, 0))
    for i, col in enumerate(columns):
        table.add_column(col, justify="left" if i < 2 else "right")
    for row in rows:
        table.add_row(*row)
    return table


def print_coin(app_ctx: AppContext, data: dict[str, Any]) -> None:
    _print_tables(app_ctx, data)
    _print_equity(app_ctx, data)


def _print_tables(app_ctx: AppContext, data: dict[str, Any]) -> None:
    horizons = data["horizons"].items()
    title = app_ctx.tr(
        "{c} {tf}: served model vs naive baseline (walk-forward)",
        c=data["coin"],
        tf=data["timeframe"],
    )
    points = [_point_row(app_ctx, h, m) for h, m in horizons]
    app_ctx.console.print(_table(title, _point_columns(app_ctx), points))
    app_ctx.console.print(_caption(app_ctx, data), highlight=False)
    title = app_ctx.tr(
        "{c}: volatility, interval and probabilities vs their baselines", c=data["coin"]
    )
    forecasts = [_forecast_row(app_ctx.lang, h, m) for h, m in horizons]
    app_ctx.console.print(_table(title, _forecast_columns(app_ctx), forecasts))
    app_ctx.console.print(
        app_ctx.tr(
            "ratios: variance forecast / better naive (QLIKE), interval / constant-width "
            "(Winkler score), P(up) / base rate (Brier); touch gap: reliability of P(+X)"
        ),
        highlight=False,
    )


def _print_equity(app_ctx: AppContext, data: dict[str, Any]) -> None:
    names = {
        "strategy": app_ctx.tr("strategy"),
        "buy_and_hold": app_ctx.tr("buy and hold"),
        "cash": app_ctx.tr("cash"),
    }
    for key, name in names.items():
        s = data[key]
        app_ctx.console.print(
            app_ctx.tr(
                "{name}: total {r}, Sharpe {s}, max drawdown {d}, trades {t}, turnover {u}/yr",
                name=name,
                r=Number(100 * s["total_return"], 2, signed=True, unit=" %"),
                s=Number(s["sharpe"], 2),
                d=Number(100 * s["max_drawdown"], 2, unit=" %"),
                t=s["trades"],
                u=Number(s["turnover"], 1),
            ),
            highlight=False,
        )


def print_skipped(app_ctx: AppContext, skipped: dict[str, str], timeframe: str) -> None:
    """Horizons the user asked for that could not be evaluated: said once."""
    misfit = f"not a whole number of {timeframe} bars"  # evaluation's reason (JSON, English)
    shown = app_ctx.tr("not a whole number of {tf} bars", tf=timeframe)
    if skipped:
        text = "; ".join(f"{h} ({shown if why == misfit else why})" for h, why in skipped.items())
        app_ctx.err.print(app_ctx.tr("not evaluated: {x}", x=text), highlight=False)
