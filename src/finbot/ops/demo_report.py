"""The demo's HTML report: every answer in a table, the models' MAE against the naive
baseline as a chart, and the predicted ranges of each coin. Self-contained (PNG inlined)."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from finbot.prediction.tracking import png_data_uri, pyplot

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
    report: Path | None = None
    data_label: str = "synthetic"

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


def _ratio_chart(trained: list[dict[str, Any]]) -> str:
    plt = pyplot()
    ok = [t for t in trained if "error" not in t and t.get("mae_ratio") is not None]
    if not ok:
        return "<p>No trained model.</p>"
    fig, ax = plt.subplots(figsize=(10, 3.5))
    labels = [f"{t['coin'][:6]} {t['horizon']}{' pooled' if t.get('pooled') else ''}" for t in ok]
    ratios = [t.get("best_ratio", t["mae_ratio"]) for t in ok]
    colours = ["tab:green" if r < 1 else "tab:grey" for r in ratios]
    ax.bar(range(len(ok)), ratios, color=colours)
    ax.axhline(1.0, color="tab:red", linestyle="--", label="naive baseline (= 1)")
    ax.set_xticks(range(len(ok)), labels, rotation=90, fontsize=6)
    ax.set_ylabel("test MAE / naive MAE")
    ax.set_ylim(min(0.9, min(ratios) - 0.02), max(1.1, max(ratios) + 0.02))
    ax.legend(loc="upper right")
    return png_data_uri(fig)


def _ranges_chart(rows: list[AnswerRow]) -> str:
    plt = pyplot()
    coins = sorted({r["coin"] for r in rows})
    if not coins:
        return "<p>No prediction.</p>"
    fig, axes = plt.subplots(1, len(coins), figsize=(2.2 * len(coins), 3), squeeze=False)
    for ax, coin in zip(axes[0], coins, strict=False):
        mine = [r for r in rows if r["coin"] == coin]
        xs = list(range(len(mine)))
        ax.axhline(0, color="black", linewidth=0.6)
        for x, r in zip(xs, mine, strict=False):
            if r["interval"]:
                low = (r["interval"]["low"] / r["last_price"] - 1) * 100
                high = (r["interval"]["high"] / r["last_price"] - 1) * 100
                ax.plot([x, x], [low, high], color="tab:blue", linewidth=4, alpha=0.4)
            ax.plot(x, r["change_pct"], "o", color="tab:orange", markersize=4)
        ax.set_xticks(xs, [r["horizon"] for r in mine], fontsize=7)
        ax.set_title(coin[:12], fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
    axes[0][0].set_ylabel("change vs now (%)")
    return png_data_uri(fig)


def _table(rows: list[AnswerRow]) -> str:
    head = (
        "coin",
        "horizon",
        "last price",
        "predicted",
        "change %",
        "interval",
        "confidence %",
        "decision",
        "model",
        "MAE/naive",
    )
    out = ["<table><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>"]
    for r in rows:
        interval = (
            "—"
            if r["interval"] is None
            else f"{r['interval']['low']:.6g} – {r['interval']['high']:.6g}"
        )
        cells = (
            r["coin"],
            r["horizon"],
            f"{r['last_price']:.6g}",
            f"{r['predicted_price']:.6g}",
            f"{r['change_pct']:+.3f}",
            interval,
            f"{r['confidence']:.0f}",
            r["decision"],
            r["model"],
            f"{r['mae_ratio']:.3f}",
        )
        out.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    return "\n".join(out + ["</table>"])


def write_demo_report(result: DemoResult, level: float, reports_dir: Path) -> Path:
    """Write ``reports_dir/demo.html`` (``level``: the intervals' confidence) and return it."""
    rows = [answer_row(a) for a in result.answers]
    edge = sum(1 for r in rows if r["has_edge"])
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in result.phases.items())
    body = f"""<!doctype html><html><head><meta charset="utf-8"><title>finbot demo</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;font-size:12px}}
td,th{{border:1px solid #ccc;padding:2px 6px;text-align:right}}</style></head><body>
<h1>finbot demo ({html.escape(result.data_label)} data)</h1>
<p>Data: {html.escape(result.data_label)} history served by the local replay server. Not real
market prices{"" if result.data_label != "synthetic" else " (generated from a fixed seed)"}.
Phases: {phases}.</p>
<p>{edge} of {len(rows)} predictions come from a model that beat the naive zero-return
baseline out of sample; the others use the baseline itself (no edge, decision HOLD).</p>
<h2>Models against the naive baseline</h2>{_ratio_chart(result.trained)}
<h2>Predicted change and {level:.0%} intervals</h2>
{_ranges_chart(rows)}
<h2>Answers</h2>{_table(rows)}
</body></html>"""
    reports_dir.mkdir(parents=True, exist_ok=True)
    target = reports_dir / "demo.html"
    target.write_text(body, encoding="utf-8")
    return target
