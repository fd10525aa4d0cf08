"""``make quality``: volatility, intervals, touch and direction probabilities, each against its
own naive baseline, out of sample on the shared real hourly data.

    python -m benchmarks.quality [--coins bitcoin,ethereum] [--horizons 1h,6h] [--data DIR]

Per coin and horizon: a 6-fold walk-forward (purged by the horizon) chooses the variance
forecast by QLIKE on each fold's calibration block and scores the test blocks; the figures pool
every coin's test rows. Prints one table against the goals (met or not, honestly) and writes
``benchmarks/quality.json`` (only for the default coins and horizons, so a partial run never
overwrites the record). Exit status 0 whether goals are met or not; 2 without the data.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from finbot.prediction.features import horizon_bars
from finbot.prediction.volatility import (
    HorizonEvaluation,
    Skill,
    VolatilityConfig,
    bar_grid,
    evaluate_horizon,
    horizon_data,
    horizon_metrics,
    vol_features,
    walk_forward,
)
from finbot.schema import conform

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "data" / "real" / "binance-2024h1"
COINS: tuple[str, ...] = ("bitcoin", "ethereum", "solana", "ripple", "dogecoin")
HORIZONS: tuple[str, ...] = ("1h", "6h", "12h")
TIMEFRAME = "1h"
# Figures of plain HAR-RV and of the constant-width conformal interval on this data, to beat.
QLIKE_ANCHOR = {"1h": 0.94, "6h": 0.81, "12h": 0.71}
WINKLER_ANCHOR = {"1h": 0.94, "6h": 0.95, "12h": 0.96}
COVERAGE_TOLERANCE = 0.02
MAX_GAP = 0.05
DIRECTION_HORIZON = "1h"


def default_cost() -> float:
    """The default configuration's round-trip cost (fees, default spread, slippage)."""
    from finbot.config.models import Costs
    from finbot.prediction.decision import resolve_spread, round_trip_cost

    costs = Costs()
    return round_trip_cost(costs, resolve_spread(costs)).fraction


def load_hourly(path: Path) -> pl.DataFrame:
    raw = pl.read_csv(path)
    return conform(
        raw.with_columns(
            ts=pl.col("timestamp").str.to_datetime("%Y-%m-%dT%H:%M:%SZ").dt.epoch("ms"),
            volume=pl.col("volume") * pl.col("close"),
            source=pl.lit("binance"),
        )
    )


def _prefixed(say: Callable[[str], None], prefix: str) -> Callable[[str], None]:
    return lambda message: say(prefix + message)


def evaluate_coin(
    bars: pl.DataFrame,
    horizons: Sequence[str],
    config: VolatilityConfig,
    say: Callable[[str], None],
) -> dict[str, HorizonEvaluation]:
    grid = bar_grid(bars, TIMEFRAME)
    features = vol_features(grid)
    out = {}
    for horizon in horizons:
        data = horizon_data(grid, horizon_bars(horizon, TIMEFRAME), features)
        folds = walk_forward(data, config.walk, _prefixed(say, f"  {horizon} "))
        out[horizon] = evaluate_horizon(data, folds, level=config.level, cost=config.cost)
    return out


@dataclass(frozen=True)
class Row:
    """One figure per horizon, its goal and whether each horizon meets it (None: no goal)."""

    label: str
    values: dict[str, float]
    fmt: str
    goal: str
    met: dict[str, bool | None]

    def verdict(self) -> str:
        judged = [m for m in self.met.values() if m is not None]
        if not judged:
            return ""
        return "yes" if all(judged) else "NO"


def _pick(metrics: dict[str, dict[str, Any]], *keys: str) -> dict[str, float]:
    out = {}
    for horizon, m in metrics.items():
        value: Any = m
        for key in keys:
            value = value[key]
        out[horizon] = float(value)
    return out


def _below(values: dict[str, float], anchors: dict[str, float]) -> dict[str, bool | None]:
    return {h: v < anchors.get(h, 1.0) for h, v in values.items()}


def _anchor_text(prefix: str, anchors: dict[str, float], horizons: Sequence[str]) -> str:
    return prefix + "/".join(f"{anchors.get(h, 1.0):.2f}" for h in horizons)


def goal_rows(metrics: dict[str, dict[str, Any]], level: float) -> list[Row]:
    hs = list(metrics)
    qlike = _pick(metrics, "variance", "qlike_ratio")
    best = _pick(metrics, "variance", "qlike_ratio_best_naive")
    har = _pick(metrics, "variance", "qlike_ratio_by_candidate", "har")
    coverage = _pick(metrics, "interval", "coverage")
    winkler = _pick(metrics, "interval", "winkler_ratio")
    gap = _pick(metrics, "touch_up", "reliability_gap")
    none: dict[str, bool | None] = dict.fromkeys(hs)
    rows = [
        Row(
            "QLIKE / day-mean naive",
            qlike,
            "{:.3f}",
            _anchor_text("< ", QLIKE_ANCHOR, hs),
            _below(qlike, QLIKE_ANCHOR),
        ),
        Row("QLIKE / better naive", best, "{:.3f}", "< 1", _below(best, {})),
        Row("  plain HAR-RV / day-mean", har, "{:.3f}", "(anchor)", none),
        Row(
            f"{level:.0%} interval coverage",
            {h: 100 * v for h, v in coverage.items()},
            "{:.1f}%",
            f"{100 * level:.0f} ± {100 * COVERAGE_TOLERANCE:.0f} pts",
            {h: abs(v - level) <= COVERAGE_TOLERANCE for h, v in coverage.items()},
        ),
        Row(
            "Winkler / constant width",
            winkler,
            "{:.3f}",
            _anchor_text("< ", WINKLER_ANCHOR, hs),
            _below(winkler, WINKLER_ANCHOR),
        ),
        Row(
            "Touch +X reliability gap",
            {h: 100 * v for h, v in gap.items()},
            "{:.1f}",
            f"<= {100 * MAX_GAP:.0f} pts",
            {h: v <= MAX_GAP for h, v in gap.items()},
        ),
        Row(
            "Touch +X Brier / base rate",
            _pick(metrics, "touch_up", "brier_ratio"),
            "{:.3f}",
            "",
            none,
        ),
        Row(
            "Touch -X reliability gap",
            {h: 100 * v for h, v in _pick(metrics, "touch_down", "reliability_gap").items()},
            "{:.1f}",
            "",
            none,
        ),
    ]
    for side in ("up", "down"):
        values = _pick(metrics, f"direction_{side}", "brier_ratio")
        met: dict[str, bool | None] = {
            h: (v < 1.0 if h == DIRECTION_HORIZON else None) for h, v in values.items()
        }
        rows.append(
            Row(
                f"P({side}) Brier / base rate", values, "{:.3f}", f"< 1 at {DIRECTION_HORIZON}", met
            )
        )
    return rows


LABEL, CELL, GOAL = 27, 8, 18


def format_table(rows: Sequence[Row], horizons: Sequence[str]) -> str:
    head = f"{'figure':<{LABEL}}" + "".join(f"{h:>{CELL}}" for h in horizons)
    lines = [head + f"  {'goal':<{GOAL}} met", "-" * (LABEL + CELL * len(horizons) + GOAL + 6)]
    for row in rows:
        cells = "".join(f"{row.fmt.format(row.values[h]):>{CELL}}" for h in horizons)
        lines.append(f"{row.label:<{LABEL}}{cells}  {row.goal:<{GOAL}} {row.verdict()}".rstrip())
    return "\n".join(lines)


def format_coins(per_coin: dict[str, dict[str, dict[str, Any]]], horizons: Sequence[str]) -> str:
    lines = [f"{'QLIKE / day-mean naive':<{LABEL}}" + "".join(f"{h:>{CELL}}" for h in horizons)]
    for coin, metrics in per_coin.items():
        cells = "".join(f"{metrics[h]['variance']['qlike_ratio']:>{CELL}.3f}" for h in horizons)
        lines.append(f"  {coin:<{LABEL - 2}}{cells}")
    return "\n".join(lines)


def format_chosen(metrics: dict[str, dict[str, Any]]) -> str:
    lines = ["variance forecast chosen per fold:"]
    for horizon, m in metrics.items():
        counts = sorted(m["variance"]["chosen"].items(), key=lambda kv: (-kv[1], kv[0]))
        lines.append(f"  {horizon:<5}" + ", ".join(f"{name} {n}" for name, n in counts))
    return "\n".join(lines)


def withheld(metrics: dict[str, dict[str, Any]]) -> str:
    """What the live model would not show for lack of measured skill (``Skill``'s rules)."""
    rules: dict[str, Callable[[Skill], bool]] = {
        "a model's variance (the naive one is shown)": lambda s: s.qlike_ratio < 1.0,
        "the normalised interval (constant width shown)": lambda s: s.normalised_interval,
        "touch probabilities": lambda s: s.touch,
        "P(up)/P(down)": lambda s: s.direction,
    }
    skills = {h: Skill.from_metrics(m) for h, m in metrics.items()}
    found = []
    for name, shown in rules.items():
        hs = [h for h, skill in skills.items() if not shown(skill)]
        if hs:
            found.append(f"{name} at {'/'.join(hs)}")
    if not found:
        return "every output showed skill at every horizon"
    return "withheld by the live model for lack of skill: " + "; ".join(found)


def summary(rows: Sequence[Row]) -> str:
    judged = [r for r in rows if r.verdict()]
    met = [r.label.strip() for r in judged if r.verdict() == "yes"]
    missed = [r.label.strip() for r in judged if r.verdict() == "NO"]
    text = f"goals met: {len(met)} of {len(judged)}"
    return text + (f"; not met: {', '.join(missed)}" if missed else "")


def _compact(metrics: dict[str, Any]) -> dict[str, Any]:
    """Per-coin figures without the reliability tables."""
    out = dict(metrics)
    for key in ("touch_up", "touch_down"):
        out[key] = {k: v for k, v in metrics[key].items() if k != "reliability"}
    return out


def run(
    data: Path, coins: Sequence[str], horizons: Sequence[str], config: VolatilityConfig
) -> dict[str, Any]:
    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    pooled: dict[str, list[HorizonEvaluation]] = {h: [] for h in horizons}
    per_coin: dict[str, dict[str, dict[str, Any]]] = {}
    for k, coin in enumerate(coins, 1):
        say(f"[{k}/{len(coins)}] {coin}")
        evaluations = evaluate_coin(
            load_hourly(data / f"{coin}_{TIMEFRAME}.csv"), horizons, config, say
        )
        per_coin[coin] = {h: horizon_metrics(ev, config.level) for h, ev in evaluations.items()}
        for h, ev in evaluations.items():
            pooled[h].append(ev)
    metrics = {
        h: horizon_metrics(HorizonEvaluation.concat(evs), config.level) for h, evs in pooled.items()
    }
    return {"pooled": metrics, "per_coin": per_coin}


def _rounded(value: Any) -> Any:
    """Floats to 6 significant digits, recursively (a readable, stable record)."""
    if isinstance(value, float):
        return float(f"{value:.6g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def _shown_path(folder: Path) -> str:
    """The data folder as seen from the repository (``../shared/...``) when it is there."""
    base = HERE.parents[1]
    resolved = folder.resolve()
    return (
        str(Path("..") / resolved.relative_to(base))
        if resolved.is_relative_to(base)
        else str(folder)
    )


def _args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quality", description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA, help="folder of <coin>_1h.csv files")
    parser.add_argument("--coins", default=",".join(COINS))
    parser.add_argument("--horizons", default=",".join(HORIZONS))
    parser.add_argument("--level", type=float, default=0.8)
    return parser.parse_args(list(argv))


def main(argv: Sequence[str]) -> int:
    args = _args(argv)
    coins = [c for c in args.coins.split(",") if c]
    horizons = [h for h in args.horizons.split(",") if h]
    missing = [c for c in coins if not (args.data / f"{c}_{TIMEFRAME}.csv").is_file()]
    if missing:
        print(f"no {TIMEFRAME} data for {', '.join(missing)} in {args.data}", file=sys.stderr)
        return 2
    config = VolatilityConfig(level=args.level, cost=default_cost())
    start = time.perf_counter()
    result = run(args.data, coins, horizons, config)
    seconds = time.perf_counter() - start
    rows = goal_rows(result["pooled"], config.level)
    n = result["pooled"][horizons[0]]["n"]
    print(
        f"\nVolatility quality: {config.walk.n_folds}-fold walk-forward, {TIMEFRAME} bars, "
        f"{len(coins)} coins,\n{n} pooled test rows per horizon, cost {config.cost:.2%}, "
        f"{seconds:.0f} s\n"
    )
    print(format_table(rows, horizons))
    print("\n" + format_coins(result["per_coin"], horizons))
    print("\n" + format_chosen(result["pooled"]))
    print("\n" + summary(rows))
    print(withheld(result["pooled"]))
    if tuple(coins) == COINS and tuple(horizons) == HORIZONS and args.level == 0.8:
        record = {
            "data": _shown_path(args.data),
            "coins": coins,
            "timeframe": TIMEFRAME,
            "config": {
                "n_folds": config.walk.n_folds,
                "test_fraction": config.walk.test_fraction,
                "cal_fraction": config.walk.cal_fraction,
                "level": config.level,
                "cost": config.cost,
                "candidates": list(config.walk.candidates),
            },
            "goals": [
                {
                    "figure": r.label.strip(),
                    "goal": r.goal,
                    "values": r.values,
                    "met": r.verdict() or None,
                }
                for r in rows
            ],
            "summary": summary(rows),
            "withheld": withheld(result["pooled"]),
            "pooled": result["pooled"],
            "per_coin": {
                c: {h: _compact(m) for h, m in ms.items()} for c, ms in result["per_coin"].items()
            },
            "seconds": round(seconds, 1),
            "python": platform.python_version(),
        }
        (HERE / "quality.json").write_text(
            json.dumps(_rounded(record), indent=2) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
