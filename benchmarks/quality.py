"""``make quality``: every figure of issue 11's "Figures" against its goal, on the shared real
hourly data, from ``finbot evaluate``'s own machinery (``finbot.prediction.tracking``).

    python -m benchmarks.quality [--coins bitcoin,ethereum] [--horizons 1h,6h] [--data DIR]
                                 [--folds N] [--algorithms linear] [--volatility-folds N]

For each coin and horizon, the walk-forward of ``finbot evaluate``: the bot's selection re-run
at each weekly retrain (served model or naive), Holm-corrected Diebold–Mariano, the
volatility walk-forward (6 folds, QLIKE), the conformal intervals, the direction and touch
probabilities, the decision engine's trading after costs. Prints ONE table of the figures
against the goals (met or not, honestly), averaged over coins unless the row says otherwise,
and writes ``benchmarks/quality.json`` (only for the default coins, horizons and level, so a
partial or quick run never overwrites the record). Exit status 0 whether goals are met or not; 2
without the data.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl

from benchmarks.quality_rows import Row, format_table, goal_rows, summary, withheld
from finbot.prediction.tracking import DecisionInputs, EvalConfig, Evaluation, evaluate_many
from finbot.schema import conform
from finbot.timeframes import HOUR_MS

__all__ = ["Row", "format_table", "goal_rows", "main", "run", "summary", "withheld"]

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "data" / "real" / "binance-2024h1"
COINS: tuple[str, ...] = (
    "bitcoin",
    "ethereum",
    "solana",
    "ripple",
    "dogecoin",
    "avalanche-2",
    "chainlink",
    "matic-network",
)
#: The five coins the issue's volatility anchors were measured on (``bench_volatility``'s).
ANCHOR_COINS: tuple[str, ...] = COINS[:5]
HORIZONS: tuple[str, ...] = ("1h", "6h", "12h")
TIMEFRAME = "1h"


def load_hourly(path: Path) -> pl.DataFrame:
    raw = pl.read_csv(path)
    return conform(
        raw.with_columns(
            ts=pl.col("timestamp").str.to_datetime("%Y-%m-%dT%H:%M:%SZ").dt.epoch("ms"),
            volume=pl.col("volume") * pl.col("close"),
            source=pl.lit("binance"),
        )
    )


def default_inputs() -> DecisionInputs:
    """The default configuration's costs, thresholds and horizon weights."""
    from finbot.config.models import Costs, GeneralSettings, Thresholds

    return DecisionInputs(Costs(), Thresholds(), dict(GeneralSettings().horizon_weights))


def run(
    frames: dict[str, pl.DataFrame],
    horizons: Sequence[str],
    config: EvalConfig,
    *,
    timeframe: str = TIMEFRAME,
) -> list[Evaluation]:
    """``finbot evaluate --coin all`` on ``frames``, progress on stderr."""
    start = time.perf_counter()

    def say(coin: str, horizon: str, done: int, total: int) -> None:
        seconds = time.perf_counter() - start
        print(f"[{done}/{total}] {coin} {horizon} ({seconds:.0f} s)", file=sys.stderr, flush=True)

    return evaluate_many(
        frames,
        timeframe=timeframe,
        horizons=horizons,
        inputs=default_inputs(),
        config=config,
        progress=say,
    )


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
    for path, root in ((folder.absolute(), base), (folder.resolve(), base.resolve())):
        if path.is_relative_to(root):
            return str(Path("..") / path.relative_to(root))
    return str(folder)


def record(
    data: Path,
    evaluations: list[Evaluation],
    rows: list[Row],
    config: EvalConfig,
    seconds: float,
) -> dict[str, Any]:
    """What ``quality.json`` keeps: the goals, each coin's evaluation (``--json``), the run."""
    return {
        "data": _shown_path(data),
        "coins": [ev.coin for ev in evaluations],
        "timeframe": TIMEFRAME,
        "config": {
            "level": config.level,
            "retrain_hours": config.retrain_ms / HOUR_MS,
            "window": "expanding" if config.window_ms is None else "rolling",
            "test_fraction": config.test_fraction,
            "candidates": list(config.algorithms),
            "volatility_folds": config.volatility_folds,
            "alpha": config.alpha,
            "correction": "holm",
            "pooled": config.pooled,
        },
        "goals": [r.to_json() for r in rows],
        "summary": summary(rows),
        "withheld": withheld(evaluations),
        "pooled_served": pooled_served(evaluations),
        "evaluations": [ev.to_json() for ev in evaluations],
        "seconds": round(seconds, 1),
        "python": platform.python_version(),
    }


def pooled_served(evaluations: Sequence[Evaluation]) -> str:
    """Where the pooled model served (coin × horizon: retrains served / retrains)."""
    cells = [
        f"{ev.coin} {h} {m['models'].get('pooled', 0)}/{m['retrains']}"
        for ev in evaluations
        for h, m in ev.horizons.items()
        if m["models"].get("pooled")
    ]
    return "pooled served (retrains): " + (", ".join(cells) if cells else "nowhere")


def _args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.quality", description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA, help="folder of <coin>_1h.csv files")
    parser.add_argument("--coins", default=",".join(COINS))
    parser.add_argument("--horizons", default=",".join(HORIZONS))
    parser.add_argument("--level", type=float, default=0.8)
    parser.add_argument("--folds", type=int, default=None, help="equal test blocks (a quick run)")
    parser.add_argument("--algorithms", default=None, help="candidates (default: all trainable)")
    parser.add_argument("--volatility-folds", type=int, default=6)
    return parser.parse_args(list(argv))


def _config(args: argparse.Namespace) -> EvalConfig:
    default = EvalConfig()
    return EvalConfig(
        level=args.level,
        n_folds=args.folds,
        algorithms=tuple(args.algorithms.split(",")) if args.algorithms else default.algorithms,
        volatility_folds=args.volatility_folds,
    )


def main(argv: Sequence[str]) -> int:
    args = _args(argv)
    coins = [c for c in args.coins.split(",") if c]
    horizons = [h for h in args.horizons.split(",") if h]
    missing = [c for c in coins if not (args.data / f"{c}_{TIMEFRAME}.csv").is_file()]
    if missing:
        print(f"no {TIMEFRAME} data for {', '.join(missing)} in {args.data}", file=sys.stderr)
        return 2
    config = _config(args)
    frames = {c: load_hourly(args.data / f"{c}_{TIMEFRAME}.csv") for c in coins}
    start = time.perf_counter()
    evaluations = run(frames, horizons, config)
    seconds = time.perf_counter() - start
    rows = goal_rows(evaluations, config.level)
    out = record(args.data, evaluations, rows, config, seconds)  # printed, kept on a full run
    first = out["evaluations"][0]
    print(
        f"\nQuality: finbot evaluate on {len(coins)} coins, {TIMEFRAME} bars, test "
        f"{first['start'][:10]} → {first['end'][:10]}, weekly retrains "
        f"({first['folds']}), Holm over {len(coins) * len(horizons)} tests, {seconds:.0f} s\n"
    )
    print(format_table(rows, horizons))
    print("\n" + out["summary"])
    print(out["withheld"])
    print(out["pooled_served"])
    if tuple(coins) == COINS and tuple(horizons) == HORIZONS and config == EvalConfig():
        (HERE / "quality.json").write_text(
            json.dumps(_rounded(out), indent=2) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
