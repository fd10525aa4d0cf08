"""A self-contained HTML report of a walk-forward evaluation (one section per coin), in the
language of the command that writes it (``lang``: headings, tables, charts, numbers).

Charts are matplotlib PNGs (``report_charts``) embedded as base64, so the file can be mailed or
opened offline. Every number in the tables comes from ``Evaluation.to_json()`` — the same
object ``finbot evaluate --json`` prints, which stays English — and each cell carries its JSON
path and value (``data-key``/``data-value``) so a test can check the two agree. The JSON
itself is embedded too (``<script id="finbot-evaluation" type="application/json">``).
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from finbot.i18n import N_, Display, in_language, number, percent, translate
from finbot.prediction.tracking import report_charts as charts
from finbot.prediction.tracking.result import Evaluation, evaluations_json

HORIZON_COLUMNS = [
    ("model", N_("Served model")),
    ("n", "n"),
    ("mae", "MAE"),
    ("mae_naive", N_("MAE naive")),
    ("mae_ratio", N_("MAE ratio")),
    ("dm_pvalue", N_("DM p-value")),
    ("dm_pvalue_adjusted", N_("DM p (Holm)")),
    ("verdict", N_("vs naive")),
    ("directional_accuracy", N_("Direction hit")),
    ("ic", "IC"),
    ("coverage", N_("Coverage")),
    ("level", N_("Level")),
    ("qlike_ratio", N_("QLIKE / better naive")),
    ("interval_score_ratio", N_("Interval score / constant")),
    ("brier_ratio", N_("Brier P(up) / base")),
    ("target_calibration", N_("Touch reliability gap")),
]
EQUITY_COLUMNS = [
    ("total_return", N_("Total return")),
    ("sharpe", N_("Sharpe (annualised)")),
    ("max_drawdown", N_("Max drawdown")),
    ("trades", N_("Trades")),
    ("turnover", N_("Turnover / year")),
]
# the equity table's rows: JSON key -> the words a reader sees
EQUITY_ROWS = {"strategy": N_("strategy"), "buy_and_hold": N_("buy and hold"), "cash": N_("cash")}
VERDICTS = {"win": N_("WIN"), "loss": N_("LOSS")}
SPREAD_SOURCES = {
    "tickers": N_("exchange tickers"),
    "ohlc_proxy": N_("high-low estimate"),
    "default": N_("configured default"),
}


# how each figure reads (the JSON keeps the raw fraction): a share as a percentage, a ratio
# or p-value with three decimals, a log-return error as a percentage with two
KINDS: dict[str, str] = {
    "mae": "pct2",
    "mae_naive": "pct2",
    "mae_ratio": "ratio",
    "dm_pvalue": "ratio",
    "directional_accuracy": "pct1",
    "coverage": "pct1",
    "level": "pct0",
    "total_return": "pct2",
    "sharpe": "two",
    "max_drawdown": "pct2",
    "verdict": "verdict",
}


def fmt(lang: str, value: object, kind: str | None = None) -> str:
    """How a value is shown in the report in ``lang`` (``kind``: one of ``KINDS``' values)."""
    if value is None or (kind == "verdict" and value == ""):
        return "—"
    if kind == "verdict" and isinstance(value, str) and value in VERDICTS:
        return html.escape(translate(lang, VERDICTS[value]))
    if isinstance(value, bool | int) and kind is None:
        return str(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if kind is not None and kind.startswith("pct"):
            return percent(lang, float(value), int(kind[3:]))
        digits = {"ratio": 3, "two": 2}.get(kind or "")
        return number(lang, float(value), digits)
    return html.escape(str(value))


def _cell(lang: str, key: str, value: object) -> str:
    data = html.escape(json.dumps(value))
    shown = fmt(lang, value, KINDS.get(key.rsplit(".", 1)[-1]))
    return f'<td data-key="{html.escape(key)}" data-value="{data}">{shown}</td>'


def _heads(lang: str, columns: Sequence[tuple[str, str]]) -> str:
    return "".join(f"<th>{html.escape(translate(lang, label))}</th>" for _, label in columns)


def _horizon_table(lang: str, data: dict[str, Any], prefix: str) -> str:
    rows = []
    for h, m in data["horizons"].items():
        keys = [k for k, _ in HORIZON_COLUMNS]
        cells = "".join(_cell(lang, f"{prefix}horizons.{h}.{k}", m.get(k)) for k in keys)
        rows.append(f"<tr><th>{html.escape(h)}</th>{cells}</tr>")
    first = html.escape(translate(lang, "horizon"))
    return f"<table><tr><th>{first}</th>{_heads(lang, HORIZON_COLUMNS)}</tr>{''.join(rows)}</table>"


def _equity_table(lang: str, data: dict[str, Any], prefix: str) -> str:
    rows = []
    for name, label in EQUITY_ROWS.items():
        keys = [k for k, _ in EQUITY_COLUMNS]
        cells = "".join(_cell(lang, f"{prefix}{name}.{k}", data[name][k]) for k in keys)
        rows.append(f"<tr><th>{html.escape(translate(lang, label))}</th>{cells}</tr>")
    return f"<table><tr><th></th>{_heads(lang, EQUITY_COLUMNS)}</tr>{''.join(rows)}</table>"


# no horizontal scroll at 1,280 px or on a phone: the page narrows, images shrink, a table
# wider than the screen scrolls inside its box
STYLE = (
    "body{font-family:sans-serif;margin:0 auto;padding:1em;max-width:1100px;"
    "box-sizing:border-box}table{border-collapse:collapse;margin:1em 0;display:block;"
    "overflow-x:auto;max-width:100%}td,th{border:1px solid #ccc;padding:4px 8px;"
    "text-align:right;white-space:nowrap}img{max-width:100%;height:auto}"
    "@media (max-width:600px){body{padding:0.5em}td,th{padding:2px 4px;font-size:12px}}"
)


def _summary(lang: str, ev: Evaluation, data: dict[str, Any]) -> str:
    when = Display(lang=lang)
    spread = SPREAD_SOURCES.get(ev.spread_source)
    line = translate(
        lang,
        "{start} → {end}; served model (most retrains) {model}; {folds} retrains; interval "
        "level {level}; round-trip cost {cost} (spread from {spread}); DM p-values "
        "Holm-adjusted over every coin × horizon of the run.",
        start=when.when(data["start"], compact=False),
        end=when.when(data["end"], compact=False),
        model=ev.algorithm,
        folds=ev.folds,
        level=percent(lang, ev.level, 0),
        cost=percent(lang, ev.cost_frac, 4),
        spread=translate(lang, spread) if spread else ev.spread_source,
    )
    return f"<p>{html.escape(line)}</p>"


def _h3(lang: str, message: str) -> str:
    return f"<h3>{html.escape(translate(lang, message))}</h3>"


def _section(lang: str, ev: Evaluation, data: dict[str, Any], prefix: str) -> list[str]:
    skipped = "".join(
        f"<li>{html.escape(h)}: {html.escape(str(in_language(lang, r)))}</li>"
        for h, r in ev.skipped.items()
    )
    parts = [
        f"<h2>{html.escape(ev.coin)} {html.escape(ev.timeframe)}</h2>",
        _summary(lang, ev, data),
        _h3(lang, N_("Served model vs the naive baseline, per horizon")),
        _horizon_table(lang, data, prefix),
        f"<ul>{skipped}</ul>" if skipped else "",
        _h3(lang, N_("Predicted vs realised")),
        charts.png(charts.predicted_vs_realised(ev, lang)),
        _h3(lang, N_("Strategy after costs vs buy and hold and cash")),
        _equity_table(lang, data, prefix),
        charts.png(charts.equity(ev, lang)),
        _h3(lang, N_("Interval coverage by horizon")),
        charts.png(charts.coverage(ev, lang)),
    ]
    if ev.volatility:
        parts += [
            _h3(lang, N_("Touch-probability reliability")),
            charts.png(charts.reliability(ev, lang)),
            _h3(lang, N_("Volatility forecast vs realised")),
            charts.png(charts.volatility(ev, lang)),
        ]
    return parts


def render(evaluations: Evaluation | Sequence[Evaluation], *, lang: str) -> str:
    """The report as one HTML string in ``lang`` (one section per coin)."""
    evs = [evaluations] if isinstance(evaluations, Evaluation) else list(evaluations)
    data = evaluations_json(evs)
    several = len(evs) > 1
    coins = ", ".join(ev.coin for ev in evs)
    title = translate(lang, "finbot evaluation — {coins} {tf}", coins=coins, tf=evs[0].timeframe)
    views = data["evaluations"] if several else [data]  # each coin's to_json, made once
    body: list[str] = []
    for i, (ev, view) in enumerate(zip(evs, views, strict=True)):
        body += _section(lang, ev, view, f"evaluations.{i}." if several else "")
    payload = json.dumps(data).replace("</", "<\\/")
    return "\n".join(
        [
            f"<!doctype html><html lang=\"{html.escape(lang)}\"><head><meta charset='utf-8'>",
            f"<title>{html.escape(title)}</title>",
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>",
            *body,
            f'<script id="finbot-evaluation" type="application/json">{payload}</script>',
            "</body></html>",
        ]
    )


def write_report(evaluations: Evaluation | Sequence[Evaluation], path: Path, *, lang: str) -> Path:
    """Write the HTML report in ``lang`` atomically; returns its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(render(evaluations, lang=lang), encoding="utf-8")
    tmp.replace(path)
    return path
