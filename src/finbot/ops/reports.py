"""Reporting objects shared by the CLI and the dashboard: the tracker's ``--json`` and the
latest walk-forward evaluations (each ``finbot evaluate`` keeps its result as the latest)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from finbot.paths import Paths
    from finbot.prediction.tracking import PredictionTracker
    from finbot.services import Services


def tracker_json(
    tracker: PredictionTracker, now: int, *, limit: int, coin: str | None, resolved: int
) -> dict[str, Any]:
    """``tracker --json``: recent predictions, the live summary, counts, how many scored now,
    and the reliability table of the confidence (stated outcome against what happened)."""
    return {
        "predictions": tracker.recent(limit, coin=coin),
        "summary": tracker.summary(now, coin=coin),
        "counts": tracker.counts(),
        "resolved_now": resolved,
        "reliability": tracker.reliability(now, coin=coin),
    }


def evaluations_dir(paths: Paths) -> Path:
    return paths.reports_dir / "evaluations"


def save_evaluation(paths: Paths, data: dict[str, Any]) -> Path:
    """Keep ``evaluate --json``'s object as the latest of its coin and timeframe (atomically)."""
    from finbot.storage import write_atomic

    folder = evaluations_dir(paths)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{data['coin']}-{data['timeframe']}.json"
    write_atomic(target, json.dumps(data, default=str))
    return target


def latest_evaluations(paths: Paths) -> list[dict[str, Any]]:
    """Every kept evaluation, newest first (unreadable files skipped)."""
    folder = evaluations_dir(paths)
    files = sorted(folder.glob("*.json"), key=lambda f: f.stat().st_mtime, reverse=True)
    out = []
    for f in files:
        try:
            out.append(json.loads(f.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return out


def equity_points(ts: Any, strategy: Any, hold: Any, most: int = 500) -> dict[str, list[Any]]:
    """The equity curves (strategy after costs, buy and hold; cash stays at 1), thinned to at
    most ``most`` points for a chart."""
    n = len(ts)
    step = max(1, -(-n // most))
    idx = list(range(0, n, step))
    if n and idx[-1] != n - 1:
        idx.append(n - 1)
    return {
        "ts": [int(ts[i]) for i in idx],
        "strategy": [float(strategy[i]) for i in idx],
        "hold": [float(hold[i]) for i in idx],
    }


def settings_json(services: Services) -> dict[str, Any]:
    """``settings --json``: the effective configuration (keys masked) and the sizes its
    ``profile`` resolves to on this machine."""
    from dataclasses import asdict

    from finbot.config import effective_config

    data = effective_config(services.settings)
    data["sizes"] = services.sizes.as_dict() | {"machine": asdict(services.machine)}
    return data
