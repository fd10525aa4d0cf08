"""Volatility models: fit once, save, load, forecast warm from the recent tail.

On the shared real hourly data (``benchmarks.quality``'s: BTC, ETH, SOL, XRP, DOGE; 1h, 6h,
12h): per coin and horizon, the fit (``fit_volatility``: walk-forward, choice, refit,
calibration; one run, it is deterministic), the save into a ``VolatilityStore``, the load from
disk by a fresh store (median of 5), and the warm forecast from the loaded model on the last
``tail_bars`` bars (median of 50), alone and with the store's ``latest`` lookup (pointer read,
cached model). The baseline of the forecast is the fit it replaces at predict time. Then every
candidate once (the first coin, 1h): load and warm forecast, the boosted one's LightGBM text
included.

    python -m benchmarks.bench_volatility [--coins bitcoin] [--horizons 1h]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from benchmarks.common import load_avg, median_seconds, row
from benchmarks.quality import ANCHOR_COINS as COINS
from benchmarks.quality import DATA, HORIZONS, TIMEFRAME, load_hourly

FORECASTS = 50
LOADS = 5
TARGET_MS = 5.0


@dataclasses.dataclass(frozen=True)
class Timing:
    coin: str
    horizon: str
    model: str
    fit_s: float
    save_ms: float
    load_ms: float
    forecast_ms: float
    latest_forecast_ms: float


def _ms(fn: Callable[[], Any], repeat: int) -> float:
    return 1e3 * median_seconds(fn, repeat=repeat, warmup=1)


def _tail(bars: pl.DataFrame, n: int) -> pl.DataFrame:
    return bars.sort("ts").tail(n)


def time_one(bars: pl.DataFrame, coin: str, horizon: str, root: Path) -> Timing:
    from finbot.prediction.volatility import (
        VolatilityConfig,
        VolatilityStore,
        fit_volatility,
        forecast_volatility,
    )

    start = time.perf_counter()
    fitted = fit_volatility(bars, TIMEFRAME, horizon, VolatilityConfig()).fitted
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    VolatilityStore(root).save(coin, horizon, fitted)
    save_ms = 1e3 * (time.perf_counter() - start)
    load_ms = _ms(lambda: VolatilityStore(root).latest(coin, horizon), LOADS)
    store = VolatilityStore(root)
    loaded = store.latest(coin, horizon)
    assert loaded is not None
    tail = _tail(bars, loaded.tail_bars)
    forecast_ms = _ms(lambda: forecast_volatility(loaded, tail), FORECASTS)

    def latest_forecast() -> None:
        model = store.latest(coin, horizon)
        assert model is not None
        forecast_volatility(model, tail)

    latest_ms = _ms(latest_forecast, FORECASTS)
    return Timing(coin, horizon, fitted.chosen, fit_s, save_ms, load_ms, forecast_ms, latest_ms)


def time_candidates(bars: pl.DataFrame, root: Path) -> dict[str, dict[str, float]]:
    """Load and warm forecast of every candidate (the first coin's bars, 1h)."""
    from finbot.prediction.volatility import (
        CANDIDATES,
        fit_volatility,
        forecast_volatility,
        load_volatility,
        save_volatility,
    )
    from finbot.prediction.volatility.candidates import fit_state

    model = fit_volatility(bars, TIMEFRAME, "1h")
    tail = _tail(bars, model.fitted.tail_bars)
    out = {}
    for name in CANDIDATES:
        fitted = dataclasses.replace(
            model.fitted, candidate=fit_state(name, model.data, model.data.known)
        )
        folder = root / name
        save_volatility(fitted, folder)
        loaded = load_volatility(folder)
        out[name] = {
            "load_ms": round(_ms(lambda f=folder: load_volatility(f), LOADS), 3),
            "forecast_ms": round(_ms(lambda m=loaded: forecast_volatility(m, tail), FORECASTS), 3),
        }
    return out


def measure(
    coins: Sequence[str], horizons: Sequence[str], data: Path
) -> tuple[list[Timing], dict[str, dict[str, float]]]:
    timings = []
    with tempfile.TemporaryDirectory(prefix="bench-vol-") as tmp:
        root = Path(tmp)
        for coin in coins:
            bars = load_hourly(data / f"{coin}_{TIMEFRAME}.csv")
            for horizon in horizons:
                timings.append(time_one(bars, coin, horizon, root / "models"))
                print(f"  {coin} {horizon}: {timings[-1]}", file=sys.stderr, flush=True)
        first = load_hourly(data / f"{coins[0]}_{TIMEFRAME}.csv")
        candidates = time_candidates(first, root / "candidates")
    return timings, candidates


def rows(
    timings: Sequence[Timing], candidates: dict[str, dict[str, float]]
) -> list[dict[str, Any]]:
    fit = statistics.median(t.fit_s for t in timings)
    load = statistics.median(t.load_ms for t in timings)
    warm = statistics.median(t.forecast_ms for t in timings)
    latest = statistics.median(t.latest_forecast_ms for t in timings)
    worst = max(
        [t.latest_forecast_ms for t in timings] + [c["forecast_ms"] for c in candidates.values()]
    )
    per = {f"{t.coin}/{t.horizon}": dataclasses.asdict(t) for t in timings}
    common = {"load_avg": load_avg()}
    return [
        row(
            f"volatility: fit one coin x horizon (median of {len(timings)})",
            fit,
            None,
            "s",
            "(once, offline)",
            True,
            per_fit={k: round(v["fit_s"], 2) for k, v in per.items()},
            **common,
        ),
        row(
            f"volatility: load a saved model, cold store (median of {len(timings)})",
            load,
            1e3 * fit,
            "ms",
            f"<= {TARGET_MS:g} ms",
            load <= TARGET_MS,
            baseline_is="one fit",
            **common,
        ),
        row(
            f"volatility: warm forecast on the tail (median of {FORECASTS})",
            warm,
            1e3 * fit,
            "ms",
            f"<= {TARGET_MS:g} ms",
            warm <= TARGET_MS,
            baseline_is="one fit (what a predict-time fit would cost)",
            **common,
        ),
        row(
            "volatility: store.latest + warm forecast",
            latest,
            1e3 * fit,
            "ms",
            f"<= {TARGET_MS:g} ms",
            worst <= TARGET_MS,
            worst_ms=round(worst, 3),
            per_model=per,
            per_candidate=candidates,
            **common,
        ),
    ]


def run(
    coins: Sequence[str] = COINS, horizons: Sequence[str] = HORIZONS, data: Path = DATA
) -> list[dict[str, Any]]:
    missing = [c for c in coins if not (data / f"{c}_{TIMEFRAME}.csv").is_file()]
    if missing:
        raise FileNotFoundError(f"no {TIMEFRAME} data for {', '.join(missing)} in {data}")
    return rows(*measure(coins, horizons, data))


def _table(result: list[dict[str, Any]]) -> str:
    per = result[-1]["per_model"]
    lines = [
        f"{'coin/horizon':<14}{'model':<12}{'fit s':>7}{'save ms':>9}{'load ms':>9}"
        f"{'forecast ms':>13}{'+latest ms':>12}"
    ]
    for key, t in per.items():
        lines.append(
            f"{key:<14}{t['model']:<12}{t['fit_s']:>7.2f}{t['save_ms']:>9.2f}{t['load_ms']:>9.2f}"
            f"{t['forecast_ms']:>13.3f}{t['latest_forecast_ms']:>12.3f}"
        )
    lines.append("\nper candidate (first coin, 1h):")
    for name, c in result[-1]["per_candidate"].items():
        lines.append(
            f"  {name:<14} load {c['load_ms']:>7.3f} ms   forecast {c['forecast_ms']:.3f} ms"
        )
    lines.append("")
    lines.extend(f"{r['name']}: {r['ours']:g} {r['unit']}" for r in result)
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_volatility")
    parser.add_argument("--coins", default=",".join(COINS))
    parser.add_argument("--horizons", default=",".join(HORIZONS))
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args(list(argv))
    coins = [c for c in args.coins.split(",") if c]
    horizons = [h for h in args.horizons.split(",") if h]
    print(_table(run(coins, horizons, args.data)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
