"""The demo's HTML report: every answer in a table, the models' MAE against the naive
baseline as a chart, and the predicted ranges of each coin. Self-contained (PNG inlined), in
the language of the command that writes it (``lang``: words, decisions, numbers, charts)."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from finbot.i18n import N_, number, percent, translate
from finbot.ops.demo_charts import PriceHistory, coin_chart, ratio_chart
from finbot.prediction.decision import Action

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
    N_("coin"),
    N_("horizon"),
    N_("last price ($)"),
    N_("predicted ($)"),
    N_("change"),
    N_("interval ($)"),
    N_("confidence"),
    N_("decision"),
    N_("model"),
    N_("MAE / naive"),
)
LEGEND = N_(
    "change: predicted price against the last one; interval: the range the price should end "
    "in at the stated confidence level; confidence: 0-100 score; decision after round-trip "
    "costs (* : the naive baseline, no model beat it); MAE / naive: below 1 means the model "
    "erred less than 'no change' on held-out data."
)
PHASES = {
    "serve": N_("serve"),
    "collect": N_("collect"),
    "train": N_("train"),
    "predict": N_("predict"),
    "report": N_("report"),
}


def _cells(lang: str, r: AnswerRow) -> tuple[str, ...]:
    iv = r["interval"]
    interval = "—" if iv is None else f"{number(lang, iv['low'])} – {number(lang, iv['high'])}"
    return (
        r["coin"],
        r["horizon"],
        number(lang, r["last_price"]),
        number(lang, r["predicted_price"]),
        percent(lang, r["change_pct"] / 100, 2, signed=True),
        interval,
        percent(lang, r["confidence"] / 100, 0),
        Action(r["decision"]).text(lang) + ("" if r["has_edge"] else " *"),
        r["model"],
        number(lang, r["mae_ratio"], 3),
    )


def _table(lang: str, rows: list[AnswerRow]) -> str:
    out = ['<div class="scroll"><table><tr>']
    out[0] += "".join(f"<th>{_said(lang, h)}</th>" for h in _TABLE_HEAD) + "</tr>"
    for r in rows:
        cells = _cells(lang, r)
        out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    return "\n".join([*out, "</table></div>", f'<p class="legend">{_said(lang, LEGEND)}</p>'])


def _said(lang: str, message: str, /, **values: object) -> str:
    """``message`` in ``lang``, escaped for the page (the values are text, not markup)."""
    return html.escape(translate(lang, message, **values))


NO_PREDICTION = N_("No prediction.")


def _coin_charts(lang: str, result: DemoResult, level: float) -> str:
    coins = sorted({a.prediction.coin for a in result.answers})
    if not coins:
        return f"<p>{_said(lang, NO_PREDICTION)}</p>"
    cells = [
        coin_chart(
            coin,
            result.history.get(coin, ((), ())),
            [a for a in result.answers if a.prediction.coin == coin],
            level,
            lang,
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


DATA_KINDS = {True: N_("synthetic"), False: N_("real")}  # is the history synthetic?
SYNTHETIC_DATA = N_(
    "Data: synthetic history generated from a fixed seed and served by the local replay "
    "server; not real market prices. Phases: {phases}."
)
CSV_DATA = N_("Data: the CSV history {label}, served by the local replay server. Phases: {phases}.")
HONEST = N_(
    "{e} of {n} predictions come from a model that beat the naive zero-return baseline out of "
    "sample; the others use the baseline itself (no edge, decision {hold})."
)
HEADINGS = {
    "title": N_("finbot demo"),
    "h1": N_("finbot demo ({kind} data)"),
    "models": N_("Models against the naive baseline"),
    "ahead": N_("Each coin: recent price, forecast and {level} interval ahead"),
    "answers": N_("Answers"),
}


def _intro(lang: str, result: DemoResult, rows: list[AnswerRow]) -> str:
    """What the data is, how long each phase took, how many answers have an edge."""
    phases = ", ".join(
        f"{translate(lang, PHASES[k]) if k in PHASES else k} {number(lang, v, 1)} s"
        for k, v in result.phases.items()
    )
    if result.data_label == "synthetic":
        data = _said(lang, SYNTHETIC_DATA, phases=phases)
    else:
        data = _said(lang, CSV_DATA, label=result.data_label, phases=phases)
    edge = sum(1 for r in rows if r["has_edge"])
    honest = _said(lang, HONEST, e=edge, n=len(rows), hold=Action.HOLD.text(lang))
    return f"<p>{data}</p>\n<p>{honest}</p>"


def write_demo_report(result: DemoResult, level: float, reports_dir: Path, *, lang: str) -> Path:
    """Write ``reports_dir/demo.html`` in ``lang`` (``level``: the intervals' confidence) and
    return it."""
    rows = [answer_row(a) for a in result.answers]
    kind = translate(lang, DATA_KINDS[result.data_label == "synthetic"])
    words = {k: _said(lang, m) for k, m in HEADINGS.items() if k not in ("h1", "ahead")}
    words["h1"] = _said(lang, HEADINGS["h1"], kind=kind)
    words["ahead"] = _said(lang, HEADINGS["ahead"], level=percent(lang, level, 0))
    body = f"""<!doctype html><html lang="{html.escape(lang)}"><head><meta charset="utf-8">
<title>{words["title"]}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{STYLE}</style></head><body>
<h1>{words["h1"]}</h1>
{_intro(lang, result, rows)}
<h2>{words["models"]}</h2>{ratio_chart(result.trained, lang)}
<h2>{words["ahead"]}</h2>
{_coin_charts(lang, result, level)}
<h2>{words["answers"]}</h2>{_table(lang, rows)}
</body></html>"""
    reports_dir.mkdir(parents=True, exist_ok=True)
    target = reports_dir / "demo.html"
    target.write_text(body, encoding="utf-8")
    return target
