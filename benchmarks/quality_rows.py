"""The rows of ``make quality``'s table: each figure of issue 11 against its goal.

Averages are over coins. Where the bot serves naive there is no forecast direction: its IC
counts as 0 and its hit rate as 50 % (a coin flip), the honest figure of what is served.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from finbot.prediction.tracking import Evaluation
from finbot.prediction.volatility import HorizonEvaluation, Skill, horizon_metrics

# Anchors of the issue (plain HAR-RV and its volatility-scaled interval on the shared files).
QLIKE_ANCHOR = {"1h": 0.94, "6h": 0.81, "12h": 0.71}
WINKLER_ANCHOR = {"1h": 0.94, "6h": 0.95, "12h": 0.96}
IC_GOAL, HIT_GOAL, POINT_HORIZON = 0.06, 0.525, "1h"
COVERAGE_TOLERANCE, MAX_GAP = 0.02, 0.05
Values = dict[str, float | None]


@dataclass(frozen=True)
class Row:
    """One figure per horizon, its goal and whether each horizon meets it (None: no goal)."""

    label: str
    values: Values
    fmt: str
    goal: str
    met: dict[str, bool | None]

    def verdict(self) -> str:
        judged = [m for m in self.met.values() if m is not None]
        if not judged:
            return ""
        return "yes" if all(judged) else "NO"

    def to_json(self) -> dict[str, Any]:
        return {
            "figure": self.label.strip(),
            "goal": self.goal,
            "values": self.values,
            "met": self.verdict() or None,
        }


def _mean(evs: Sequence[Evaluation], h: str, key: str, default: float | None = None) -> Any:
    values = [ev.horizons[h].get(key) for ev in evs if h in ev.horizons]
    kept = [default if v is None else v for v in values]
    finite = [float(v) for v in kept if v is not None]
    return float(np.mean(finite)) if finite else None


def _judge(values: Values, test: Callable[[str, float], bool | None]) -> dict[str, bool | None]:
    return {h: (None if v is None else test(h, v)) for h, v in values.items()}


def _per_horizon(evs: Sequence[Evaluation], hs: Sequence[str], key: str, **kw: Any) -> Values:
    return {h: _mean(evs, h, key, **kw) for h in hs}


def _anchor(prefix: str, anchors: dict[str, float], hs: Sequence[str]) -> str:
    return prefix + "/".join(f"{anchors.get(h, 1.0):.2f}" for h in hs)


def _point_rows(evs: Sequence[Evaluation], hs: Sequence[str]) -> list[Row]:
    rows = []
    for ev in evs:
        values: Values = {h: ev.horizons[h]["mae_ratio"] if h in ev.horizons else None for h in hs}
        rows.append(
            Row(f"MAE / naive {ev.coin}", values, "{:.4f}", "<= 1", _judge(values, _le_one))
        )
    losses: Values = {
        h: float(sum(ev.horizons[h]["verdict"] == "loss" for ev in evs if h in ev.horizons))
        for h in hs
    }
    edges: Values = {
        h: float(sum(bool(ev.horizons[h]["edge"]) for ev in evs if h in ev.horizons)) for h in hs
    }
    at = _only(POINT_HORIZON)
    ic = _per_horizon(evs, hs, "ic", default=0.0)
    hit = _per_horizon(evs, hs, "directional_accuracy", default=0.5)
    return [
        *rows,
        Row("  significant losses (Holm)", losses, "{:.0f}", "0", _judge(losses, _zero)),
        Row("  edges claimed (Holm)", edges, "{:.0f}", "", dict.fromkeys(hs)),
        Row("IC (naive = 0)", ic, "{:+.3f}", f">= {IC_GOAL} at 1h", _judge(ic, at(IC_GOAL))),
        Row(
            "hit rate (naive = 50 %)",
            _pct(hit),
            "{:.1f}%",
            f">= {100 * HIT_GOAL:.1f}% at 1h",
            _judge(hit, at(HIT_GOAL)),
        ),
    ]


def _le_one(h: str, v: float) -> bool:
    return v <= 1.0


def _zero(h: str, v: float) -> bool:
    return v == 0


def _only(horizon: str) -> Callable[[float], Callable[[str, float], bool | None]]:
    def goal(threshold: float) -> Callable[[str, float], bool | None]:
        return lambda h, v: (v >= threshold) if h == horizon else None

    return goal


def _pct(values: Values) -> Values:
    return {h: None if v is None else 100 * v for h, v in values.items()}


def _interval_rows(evs: Sequence[Evaluation], hs: Sequence[str], level: float) -> list[Row]:
    cover = _per_horizon(evs, hs, "interval_coverage")
    winkler = _per_horizon(evs, hs, "interval_score_ratio")
    return [
        Row(
            f"{level:.0%} interval coverage",
            _pct(cover),
            "{:.1f}%",
            f"{100 * level:.0f} ± {100 * COVERAGE_TOLERANCE:.0f} pts",
            _judge(cover, lambda h, v: abs(v - level) <= COVERAGE_TOLERANCE),
        ),
        Row(
            "interval score / constant",
            winkler,
            "{:.3f}",
            _anchor("< ", WINKLER_ANCHOR, hs),
            _judge(winkler, lambda h, v: v < WINKLER_ANCHOR.get(h, 1.0)),
        ),
        *_probability_rows(evs, hs),
    ]


def _probability_rows(evs: Sequence[Evaluation], hs: Sequence[str]) -> list[Row]:
    qday = _per_horizon(evs, hs, "qlike_ratio_day")
    qbest = _per_horizon(evs, hs, "qlike_ratio")
    brier = _per_horizon(evs, hs, "brier_ratio")
    gap = _per_horizon(evs, hs, "target_calibration")
    return [
        Row(
            "QLIKE / day-mean naive",
            qday,
            "{:.3f}",
            _anchor("< ", QLIKE_ANCHOR, hs),
            _judge(qday, lambda h, v: v < QLIKE_ANCHOR.get(h, 1.0)),
        ),
        Row("QLIKE / better naive", qbest, "{:.3f}", "< 1", _judge(qbest, lambda h, v: v < 1)),
        Row(
            "P(up) Brier / base rate",
            brier,
            "{:.3f}",
            "< 1 at 1h",
            _judge(brier, lambda h, v: (v < 1) if h == POINT_HORIZON else None),
        ),
        Row(
            "touch +X reliability gap",
            _pct(gap),
            "{:.1f}",
            f"<= {100 * MAX_GAP:.0f} pts",
            _judge(gap, lambda h, v: v <= MAX_GAP),
        ),
    ]


def _strategy_row(evs: Sequence[Evaluation], hs: Sequence[str]) -> Row:
    """The worst strategy total return of the coins where no horizon has an edge (first
    column: it is one figure over all horizons)."""
    idle = [ev for ev in evs if not any(m["edge"] for m in ev.horizons.values())]
    worst = min((float(ev.strategy["total_return"]) for ev in idle), default=None)
    values: Values = dict.fromkeys(hs)
    values[hs[0]] = None if worst is None else 100 * worst
    met: dict[str, bool | None] = dict.fromkeys(hs)
    met[hs[0]] = None if worst is None else worst >= -1e-12
    return Row("strategy, no-edge coins (worst)", values, "{:+.2f}%", ">= cash (0 %)", met)


def goal_rows(evaluations: Sequence[Evaluation], level: float) -> list[Row]:
    hs = list(evaluations[0].horizons)
    return [
        *_point_rows(evaluations, hs),
        *_interval_rows(evaluations, hs, level),
        _strategy_row(evaluations, hs),
    ]


LABEL, CELL, GOAL = 31, 8, 18


def format_table(rows: Sequence[Row], horizons: Sequence[str]) -> str:
    head = f"{'figure':<{LABEL}}" + "".join(f"{h:>{CELL}}" for h in horizons)
    lines = [head + f"  {'goal':<{GOAL}} met", "-" * (LABEL + CELL * len(horizons) + GOAL + 6)]
    for row in rows:
        cells = "".join(
            f"{'' if row.values.get(h) is None else row.fmt.format(row.values[h]):>{CELL}}"
            for h in horizons
        )
        lines.append(f"{row.label:<{LABEL}}{cells}  {row.goal:<{GOAL}} {row.verdict()}".rstrip())
    return "\n".join(lines)


def summary(rows: Sequence[Row]) -> str:
    judged = [r for r in rows if r.verdict()]
    met = [r.label.strip() for r in judged if r.verdict() == "yes"]
    missed = [r.label.strip() for r in judged if r.verdict() == "NO"]
    text = f"goals met: {len(met)} of {len(judged)}"
    return text + (f"; not met: {', '.join(missed)}" if missed else "")


def pooled_metrics(evaluations: Sequence[Evaluation], level: float) -> dict[str, dict[str, Any]]:
    """The volatility figures of every coin's test rows pooled, per horizon."""
    out = {}
    for h in evaluations[0].volatility:
        parts: list[HorizonEvaluation] = [
            ev.volatility[h].evaluation for ev in evaluations if h in ev.volatility
        ]
        out[h] = horizon_metrics(HorizonEvaluation.concat(parts), level)
    return out


def withheld(evaluations: Sequence[Evaluation]) -> str:
    """What the live model would not show for lack of measured skill (``Skill``'s rules)."""
    rules: dict[str, Callable[[Skill], bool]] = {
        "a model's variance (the naive one is shown)": lambda s: s.qlike_ratio < 1.0,
        "the normalised interval (constant width shown)": lambda s: s.normalised_interval,
        "touch probabilities": lambda s: s.touch,
        "P(up)/P(down)": lambda s: s.direction,
    }
    metrics = pooled_metrics(evaluations, evaluations[0].level)
    skills = {h: Skill.from_metrics(m) for h, m in metrics.items()}
    found = []
    for name, shown in rules.items():
        hs = [h for h, skill in skills.items() if not shown(skill)]
        if hs:
            found.append(f"{name} at {'/'.join(hs)}")
    if not found:
        return "every output showed skill at every horizon (pooled over coins)"
    return "withheld by the live model for lack of skill (pooled): " + "; ".join(found)
