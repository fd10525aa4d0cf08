"""A self-contained HTML report of a walk-forward evaluation (one section per coin).

Charts are matplotlib PNGs (Agg backend, no display needed) embedded as base64, so the file
can be mailed or opened offline. Every number in the tables comes from ``Evaluation.to_json()``
— the same object ``finbot evaluate --json`` prints — and each cell carries its JSON path and
value (``data-key``/``data-value``) so a test can check the two agree. The JSON itself is
embedded too (``<script id="finbot-evaluation" type="application/json">``).
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from finbot.prediction.tracking.result import Evaluation, evaluations_json
from finbot.timeframes import DAY_MS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

HORIZON_COLUMNS = [
    ("model", "Served model"),
    ("n", "n"),
    ("mae", "MAE"),
    ("mae_naive", "MAE naive"),
    ("mae_ratio", "MAE ratio"),
    ("dm_pvalue", "DM p-value"),
    ("dm_pvalue_adjusted", "DM p (Holm)"),
    ("verdict", "vs naive"),
    ("directional_accuracy", "Direction hit"),
    ("ic", "IC"),
    ("coverage", "Coverage"),
    ("level", "Level"),
    ("qlike_ratio", "QLIKE / better naive"),
    ("interval_score_ratio", "Interval score / constant"),
    ("brier_ratio", "Brier P(up) / base"),
    ("target_calibration", "Touch reliability gap"),
]
EQUITY_COLUMNS = [
    ("total_return", "Total return"),
    ("sharpe", "Sharpe (annualised)"),
    ("max_drawdown", "Max drawdown"),
    ("trades", "Trades"),
    ("turnover", "Turnover / year"),
]
EQUITY_ROWS = ("strategy", "buy_and_hold", "cash")


def fmt(value: object) -> str:
    """How a number is shown in the report."""
    if value is None:
        return "—"
    if isinstance(value, bool | int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    return html.escape(str(value))


def _cell(key: str, value: object) -> str:
    data = html.escape(json.dumps(value))
    return f'<td data-key="{html.escape(key)}" data-value="{data}">{fmt(value)}</td>'


def png_data_uri(fig: Figure) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return (
        '<img alt="chart" src="data:image/png;base64,'
        + base64.b64encode(buf.getvalue()).decode()
        + '">'
    )


def pyplot() -> Any:  # the matplotlib.pyplot module (Agg backend)
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _predicted_vs_realised(ev: Evaluation) -> str:
    plt = pyplot()
    runs = list(ev.runs.values())
    fig, axes = plt.subplots(1, len(runs), figsize=(4.2 * len(runs), 3.8), squeeze=False)
    for ax, run in zip(axes[0], runs, strict=True):
        ok = np.isfinite(run.y)
        ax.scatter(run.pred[ok], run.y[ok], s=3, alpha=0.3)
        lim = float(np.nanmax(np.abs(run.y[ok]))) if ok.any() else 1.0
        ax.plot([-lim, lim], [-lim, lim], color="grey", linewidth=0.8)
        ax.set_title(f"{run.horizon}: predicted vs realised log return", fontsize=9)
        ax.set_xlabel("predicted")
        ax.set_ylabel("realised")
    return png_data_uri(fig)


def _equity(ev: Evaluation) -> str:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9, 3.8))
    days = (ev.equity_ts - ev.equity_ts[0]) / DAY_MS if ev.equity_ts.size else []
    ax.plot(days, ev.equity_strategy, label="decision engine (after costs)")
    ax.plot(days, ev.equity_hold, label="buy and hold")
    ax.plot(days, np.ones_like(ev.equity_hold), label="cash", linestyle=":")
    ax.set_xlabel("days into the test period")
    ax.set_ylabel("equity (start = 1)")
    ax.legend()
    return png_data_uri(fig)


def _coverage(ev: Evaluation) -> str:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    names = list(ev.horizons)
    ax.bar(names, [ev.horizons[h]["coverage"] for h in names])
    ax.axhline(ev.level, color="red", linestyle="--", label=f"nominal {ev.level:.0%}")
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of outcomes inside the interval")
    ax.legend()
    return png_data_uri(fig)


def _horizon_table(data: dict[str, Any], prefix: str) -> str:
    head = "".join(f"<th>{label}</th>" for _, label in HORIZON_COLUMNS)
    rows = []
    for h, m in data["horizons"].items():
        cells = "".join(_cell(f"{prefix}horizons.{h}.{k}", m.get(k)) for k, _ in HORIZON_COLUMNS)
        rows.append(f"<tr><th>{html.escape(h)}</th>{cells}</tr>")
    return f"<table><tr><th>horizon</th>{head}</tr>{''.join(rows)}</table>"


def _equity_table(data: dict[str, Any], prefix: str) -> str:
    head = "".join(f"<th>{label}</th>" for _, label in EQUITY_COLUMNS)
    rows = []
    for name in EQUITY_ROWS:
        cells = "".join(_cell(f"{prefix}{name}.{k}", data[name][k]) for k, _ in EQUITY_COLUMNS)
        rows.append(f"<tr><th>{name.replace('_', ' ')}</th>{cells}</tr>")
    return f"<table><tr><th></th>{head}</tr>{''.join(rows)}</table>"


STYLE = (
    "body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;"
    "margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
    "img{max-width:100%}"
)


def _reliability(ev: Evaluation) -> str:
    """The touch-probability (+X) reliability diagram of each horizon: forecast vs frequency."""
    plt = pyplot()
    names = list(ev.volatility)
    fig, axes = plt.subplots(1, len(names), figsize=(3.6 * len(names), 3.4), squeeze=False)
    for ax, h in zip(axes[0], names, strict=True):
        table = ev.volatility[h].metrics["touch_up"]["reliability"]
        ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8)
        ax.plot([b["mean_forecast"] for b in table], [b["frequency"] for b in table], marker="o")
        ax.set_title(f"{h}: P(high reaches +X)", fontsize=9)
        ax.set_xlabel("forecast probability")
        ax.set_ylabel("observed frequency")
    return png_data_uri(fig)


def _volatility(ev: Evaluation) -> str:
    """Forecast against realised volatility (σ of the log return over the horizon)."""
    plt = pyplot()
    names = list(ev.volatility)
    fig, axes = plt.subplots(len(names), 1, figsize=(9, 2.6 * len(names)), squeeze=False)
    for ax, h in zip(axes[:, 0], names, strict=True):
        run = ev.volatility[h].evaluation
        ax.plot(np.sqrt(run.variance), linewidth=0.5, alpha=0.6, label="realised")
        ax.plot(np.sqrt(run.forecasts["selected"]), linewidth=0.9, label="forecast")
        ax.set_title(f"{h}: volatility forecast vs realised (test rows)", fontsize=9)
        ax.legend(fontsize=8)
    return png_data_uri(fig)


def _section(ev: Evaluation, data: dict[str, Any], prefix: str) -> list[str]:
    summary = (
        f"<p>{data['start']} → {data['end']}; served model (most retrains) "
        f"{html.escape(ev.algorithm)}; {ev.folds} retrains; interval level {ev.level:.0%}; "
        f"round-trip cost {ev.cost_frac:.4%} (spread from {html.escape(ev.spread_source)}); "
        f"DM p-values Holm-adjusted over every coin × horizon of the run.</p>"
    )
    skipped = "".join(f"<li>{html.escape(h)}: {html.escape(r)}</li>" for h, r in ev.skipped.items())
    parts = [
        f"<h2>{html.escape(ev.coin)} {html.escape(ev.timeframe)}</h2>",
        summary,
        "<h3>Served model vs the naive baseline, per horizon</h3>",
        _horizon_table(data, prefix),
        f"<ul>{skipped}</ul>" if skipped else "",
        "<h3>Predicted vs realised</h3>",
        _predicted_vs_realised(ev),
        "<h3>Strategy after costs vs buy and hold and cash</h3>",
        _equity_table(data, prefix),
        _equity(ev),
        "<h3>Interval coverage by horizon</h3>",
        _coverage(ev),
    ]
    if ev.volatility:
        parts += [
            "<h3>Touch-probability reliability</h3>",
            _reliability(ev),
            "<h3>Volatility forecast vs realised</h3>",
            _volatility(ev),
        ]
    return parts


def render(evaluations: Evaluation | Sequence[Evaluation]) -> str:
    """The report as one HTML string (one section per coin)."""
    evs = [evaluations] if isinstance(evaluations, Evaluation) else list(evaluations)
    data = evaluations_json(evs)
    several = len(evs) > 1
    title = "finbot evaluation — " + ", ".join(ev.coin for ev in evs) + f" {evs[0].timeframe}"
    body: list[str] = []
    for i, ev in enumerate(evs):
        body += _section(ev, ev.to_json(), f"evaluations.{i}." if several else "")
    payload = json.dumps(data).replace("</", "<\\/")
    return "\n".join(
        [
            f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>",
            *body,
            f'<script id="finbot-evaluation" type="application/json">{payload}</script>',
            "</body></html>",
        ]
    )


def write_report(evaluations: Evaluation | Sequence[Evaluation], path: Path) -> Path:
    """Write the HTML report atomically; returns its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(render(evaluations), encoding="utf-8")
    tmp.replace(path)
    return path
