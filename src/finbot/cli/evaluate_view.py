"""``finbot evaluate``'s human output: one table per coin, served model and test window named,
significant wins and losses marked (Holm-adjusted Diebold–Mariano)."""

from __future__ import annotations

from typing import Any

from finbot.cli.context import AppContext


def _num(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def _hit(m: dict[str, Any]) -> str:
    if m["directional_accuracy"] is None:
        return "—"
    low, high = m["hit_rate_ci"]
    return f"{m['directional_accuracy']:.1%} [{low:.0%}–{high:.0%}]"


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


def _columns(app_ctx: AppContext) -> list[str]:
    return [
        app_ctx.tr("horizon"),
        app_ctx.tr("served model (per retrain)"),
        "n",
        app_ctx.tr("MAE ratio"),
        app_ctx.tr("DM p adj."),
        app_ctx.tr("vs naive"),
        app_ctx.tr("hit [95 %]"),
        "IC",
        app_ctx.tr("coverage"),
        "QLIKE",
        app_ctx.tr("interval"),
        "Brier",
    ]


def _row(app_ctx: AppContext, h: str, m: dict[str, Any]) -> list[str]:
    return [
        h,
        _model(m),
        str(m["n"]),
        f"{m['mae_ratio']:.4f}",
        _num(m["dm_pvalue_adjusted"], ".3f"),
        _verdict(app_ctx, m),
        _hit(m),
        _num(m["ic"], "+.3f"),
        f"{m['coverage']:.1%}",
        _num(m["qlike_ratio"], ".3f"),
        _num(m["interval_score_ratio"], ".3f"),
        _num(m["brier_ratio"], ".3f"),
    ]


def _caption(app_ctx: AppContext, data: dict[str, Any]) -> str:
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
        w=data["window"],
    )


def print_coin(app_ctx: AppContext, data: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(
        title=app_ctx.tr(
            "{c} {tf}: served model vs naive baseline (walk-forward)",
            c=data["coin"],
            tf=data["timeframe"],
        ),
        caption=_caption(app_ctx, data),
    )
    for i, col in enumerate(_columns(app_ctx)):
        table.add_column(col, justify="left" if i < 2 else "right")
    for h, m in data["horizons"].items():
        table.add_row(*_row(app_ctx, h, m))
    app_ctx.console.print(table)
    names = {
        "strategy": app_ctx.tr("strategy"),
        "buy_and_hold": app_ctx.tr("buy and hold"),
        "cash": app_ctx.tr("cash"),
    }
    for key, name in names.items():
        s = data[key]
        app_ctx.console.print(
            app_ctx.tr(
                "{name}: total {r:+.2%}, Sharpe {s:.2f}, max drawdown {d:.2%}, trades {t}, "
                "turnover {u:.1f}/yr",
                name=name,
                r=s["total_return"],
                s=s["sharpe"],
                d=s["max_drawdown"],
                t=s["trades"],
                u=s["turnover"],
            ),
            highlight=False,
        )


def print_skipped(app_ctx: AppContext, skipped: dict[str, str]) -> None:
    """Horizons the user asked for that could not be evaluated: said once."""
    if skipped:
        text = "; ".join(f"{h} ({why})" for h, why in skipped.items())
        app_ctx.err.print(app_ctx.tr("not evaluated: {x}", x=text), highlight=False)
