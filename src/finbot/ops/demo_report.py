"""The demo's HTML report: every answer in a table, the models' MAE against the naive
baseline as a chart, and the predicted ranges of each coin. Self-contained (PNG inlined)."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from finbot.i18n import number, percent
from finbot.ops.demo_charts import PriceHistory, coin_chart, ratio_chart

if TYPE_CHECKING:
    from finbot.prediction.questions import Assessment


@dataclass
class DemoResult:
    """What the demo did: phase timings, collection and training figures, answers."""

    phases: dict[str, float] = field(default_factory=dict)
    collected: dict[str, Any] = field(default_factory=dict)
    trained: list[dict[str, Any]] = field(default_factory=list)
    answers: list[Assessment] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was left out or cut, and why
    report: Path | None = None
    data_label: str = "synthetic"
    history: dict[str, PriceHistory] = field(default_factory=dict)  # recent closes per coin

    @property
    def total_seconds(self) -> float:
        return sum(self.phases.values())


class RowInterval(TypedDict):
    low: float
    high: float
    level: float


class AnswerRow(TypedDict):
    """One answer of the demo (its table, its chart and ``demo --json``)."""

    coin: str
    horizon: str
    last_price: float
    predicted_price: float
    change_pct: float
    interval: RowInterval | None
    confidence: float
    decision: str
    expected_net_return: float
    model: str
    mae_ratio: float
    has_edge: bool


def answer_row(a: Assessment) -> AnswerRow:
    """One answer as plain data (the demo's table and ``--json``)."""
    p = a.prediction
    return {
        "coin": p.coin,
        "horizon": p.horizon,
        "last_price": p.last_price,
        "predicted_price": p.predicted_price,
        "change_pct": math.expm1(p.predicted_return) * 100,
        "interval": {"low": a.low_price, "high": a.high_price, "level": a.level}
        if math.isfinite(a.high_return)
        else None,
        "confidence": round(a.confidence.score, 1),
        "decision": a.decision.action,
        "expected_net_return": a.decision.expected_net_return,
        "model": p.model,
        "mae_ratio": p.mae_ratio,
        "has_edge": bool(p.has_edge),
    }


_TABLE_HEAD = (
    "coin",
    "horizon",
    "last price ($)",
    "predicted ($)",
    "change",
    "interval ($)",
    "confidence",
    "decision",
    "model",
    "MAE / naive",
)
LEGEND = (
    "change: predicted price against the last one; interval: the range the price should end "
    "in at the stated confidence level; confidence: 0-100 score; decision after round-trip "
    "costs (* : the naive baseline, no model beat it); MAE / naive: below 1 means the model "
    "erred less than 'no change' on held-out data."
)


def _cells(r: AnswerRow) -> tuple[str, ...]:
    iv = r["interval"]
    interval = "—" if iv is None else f"{number('en', iv['low'])} – {number('en', iv['high'])}"
    return (
        r["coin"],
        r["horizon"],
        number("en", r["last_price"]),
        number("en", r["predicted_price"]),
        percent("en", r["change_pct"] / 100, 2, signed=True),
        interval,
        percent("en", r["confidence"] / 100, 0),
        str(r["decision"]) + ("" if r["has_edge"] else " *"),
        r["model"],
        number("en", r["mae_ratio"], 3),
    )


def _table(rows: list[AnswerRow]) -> str:
    out = ['<div class="scroll"><table><tr>']
    out[0] += "".join(f"<th>{h}</th>" for h in _TABLE_HEAD) + "</tr>"
    for r in rows:
        out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in _cells(r)) + "</tr>")
    return "\n".join([*out, "</table></div>", f'<p class="legend">{html.escape(LEGEND)}</p>'])


def _coin_charts(result: DemoResult, level: float) -> str:
    coins = sorted({a.prediction.coin for a in result.answers})
    if not coins:
        return "<p>No prediction.</p>"
    cells = [
        coin_chart(
            coin,
            result.history.get(coin, ((), ())),
            [a for a in result.answers if a.prediction.coin == coin],
            level,
        )
        for coin in coins
    ]
    return '<div class="grid">' + "".join(f"<figure>{c}</figure>" for c in cells) + "</div>"


# no horizontal scroll at 1,280 px nor on a phone: the page is at most 1,200 px wide, images
# shrink to their box, charts flow in a grid, and only the wide table scrolls inside its box
STYLE = """body{font-family:sans-serif;margin:0 auto;padding:1em;max-width:1200px;
box-sizing:border-box}img{max-width:100%;height:auto}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,340px),1fr));gap:8px}
figure{margin:0}.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;
text-align:right;white-space:nowrap}.legend{font-size:12px;color:#444}
@media (max-width:600px){body{padding:0.5em}table{font-size:11px}}"""


def write_demo_report(result: DemoResult, level: float, reports_dir: Path) -> Path:
    """Write ``reports_dir/demo.html`` (``level``: the intervals' confidence) and return it."""
    rows = [answer_row(a) for a in result.answers]
    edge = sum(1 for r in rows if r["has_edge"])
    phases = ", ".join(f"{k} {number('en', v, 1)} s" for k, v in result.phases.items())
    body = f"""<!doctype html><html><head><meta charset="utf-8"><title>finbot demo</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{STYLE}</style></head><body>
<h1>finbot demo ({html.escape(result.data_label)} data)</h1>
<p>Data: {html.escape(result.data_label)} history served by the local replay server. Not real
market prices{"" if result.data_label != "synthetic" else " (generated from a fixed seed)"}.
Phases: {phases}.</p>
<p>{edge} of {len(rows)} predictions come from a model that beat the naive zero-return
baseline out of sample; the others use the baseline itself (no edge, decision HOLD).</p>
<h2>Models against the naive baseline</h2>{ratio_chart(result.trained)}
<h2>Each coin: recent price, forecast and {level:.0%} interval ahead</h2>
{_coin_charts(result, level)}
<h2>Answers</h2>{_table(rows)}
</body></html>"""
    reports_dir.mkdir(parents=True, exist_ok=True)
    target = reports_dir / "demo.html"
    target.write_text(body, encoding="utf-8")
    return target
