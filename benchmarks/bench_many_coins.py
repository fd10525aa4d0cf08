"""Many coins (issue 14.3): ``coins.json`` ``top: {count: N}`` resolved against the replay
server (/coins/markets, stablecoins left out), then one price cycle and the full historical
backfill of the default ``history_days`` (3650 d daily, 730 d hourly, 30 d 5-minute; demo
plan, one key: 500 requests a minute, 365 days served), for N = 10, 30 and 100, each in a
fresh subprocess whose process tree is sampled for the peak RSS. Rate-limit waits are part of
the backfill time: that is what a user waits.

Then the 100-coin home is trained, 5 horizons, per coin (2 loky workers) and pooled (one
LightGBM per horizon over the 100 coins), timed apart, with the peak RSS of the process tree.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from benchmarks.common import BENCH_HOME, load_avg, python, quiet_env, row, run_measured

SIZES = (10, 30, 100)
STABLE = ("tether", "usd-coin")
KEY = "bench-demo-key-0001"

SCRIPT = """
import json, sys, time
from finbot.clock import now_ms
from finbot.collectors import collect_historical
from finbot.collectors.price_collector import collect_prices
from finbot.ops.training import ensure_top_coins
from finbot.services import Services
services = Services.at(sys.argv[1], base_url=sys.argv[2])
ensure_top_coins(services)
coins = list(services.settings.coins.ids)
client = services.coingecko
before = client.stats.requests
collect_prices(client, services.datasets.prices, coins, now_ms=now_ms(services.clock),
               ids_per_request=services.settings.api.coingecko.ids_per_request)
prices = client.stats.requests - before
start = time.perf_counter()
history = collect_historical(services.collectors, coins)
print(json.dumps({"coins": coins, "price_requests": prices, "backfill_requests": history.requests,
                  "backfill_s": time.perf_counter() - start, "errors": history.errors[:3]}))
"""


def coin_ids(n: int) -> list[str]:
    from finbot.replay import default_coin_ids

    ids = default_coin_ids()[:n]
    return ids + [f"alt{i:02d}" for i in range(n - len(ids))]  # distinct symbols


def history(n: int) -> Any:
    """Synthetic history of the first ``n`` coins and two stablecoins, ending today."""
    from finbot.replay import generate_history
    from finbot.timeframes import DAY_MS

    end = int(time.time() * 1000) // DAY_MS * DAY_MS
    return generate_history(
        coin_ids(n) + list(STABLE), end - 400 * DAY_MS, end, 7, hourly_days=400, m5_days=2
    )


def write_home(home: Path, n: int) -> None:
    shutil.rmtree(home, ignore_errors=True)
    (home / "config").mkdir(parents=True)
    coins = {"coins": [{"id": "bitcoin", "symbol": "BTC", "name": "Bitcoin"}], "top": {"count": n}}
    (home / "config" / "coins.json").write_text(json.dumps(coins), "utf-8")


@functools.lru_cache(maxsize=4)
def measure(n: int) -> dict[str, Any]:
    """Collect ``n`` top coins into a fresh home against a replay server (system clock)."""
    from finbot.clock import SystemClock
    from finbot.replay import ReplayServer

    home = BENCH_HOME / f"coins-{n}"
    write_home(home, n)
    with ReplayServer(history(n), clock=SystemClock(), rpm_limit=500) as server:
        env = quiet_env(home) | {"COINGECKO_API_KEYS": KEY}
        measured = run_measured([python(), "-c", SCRIPT, str(home), server.url], env=env)
        status = server.stats()["status"]
    if measured.returncode != 0:
        raise RuntimeError(f"{n} coins: {measured.stderr[-2000:]}")
    report: dict[str, Any] = json.loads(measured.stdout.strip().splitlines()[-1])
    if len(report["coins"]) != n or set(STABLE) & set(report["coins"]):
        raise RuntimeError(f"top {n}: resolved {len(report['coins'])} coins {report['coins'][:3]}")
    return report | {"home": str(home), "peak_mb": measured.peak_rss_mb, "status": status}


def _growth(values: dict[int, float]) -> str:
    """How a figure grows from the smallest to the largest N, against N itself."""
    small, large = min(values), max(values)
    ratio = values[large] / values[small] if values[small] else 0.0
    return f"x{ratio:.2f} from {small} to {large} coins (N grew x{large / small:g})"


def run() -> list[dict[str, Any]]:
    runs = {n: measure(n) for n in SIZES}
    top = max(SIZES)
    prices = {n: float(r["price_requests"]) for n, r in runs.items()}
    requests = {n: float(r["backfill_requests"]) for n, r in runs.items()}
    seconds = {n: float(r["backfill_s"]) for n, r in runs.items()}
    peaks = {n: float(r["peak_mb"]) for n, r in runs.items()}
    limited = {n: r["status"].get("429", 0) for n, r in runs.items()}
    common = {"load_avg": load_avg(), "cpus": os.cpu_count(), "runs": 1}
    rows = [
        row(
            "many coins: requests per price cycle, 100 coins",
            prices[top],
            None,
            "requests",
            "1 request up to 250 coins",
            prices[top] == 1,
            by_coins=prices,
            growth="constant: one /simple/price request per 250 coins",
            **common,
        ),
        row(
            "many coins: history backfill requests, 100 coins",
            requests[top],
            None,
            "requests",
            "linear in coins, never a 429",
            not any(limited.values()),
            by_coins=requests,
            http_429=limited,
            growth=_growth(requests),
            **common,
        ),
        row(
            "many coins: history backfill time, 100 coins (demo key, 500/min)",
            seconds[top],
            None,
            "s",
            "every series backfilled, never a 429",
            not limited[top] and not runs[top]["errors"],
            by_coins={n: round(s, 2) for n, s in seconds.items()},
            growth=_growth(seconds),
            bound_s={n: round(r / 500 * 60, 1) for n, r in requests.items()},
            **common,
        ),
        row(
            "many coins: collector peak RSS (top-N + prices + backfill), 100 coins",
            peaks[top],
            None,
            "MB",
            "sub-linear in coins",
            peaks[top] < 10 * peaks[min(SIZES)],
            by_coins={n: round(p, 1) for n, p in peaks.items()},
            growth=_growth(peaks),
            **common,
        ),
    ]
    return rows + training_rows()


def training_rows() -> list[dict[str, Any]]:
    """Training the 100-coin home collected above (a year of hourly bars, two days of 5-minute
    ones: the 10 m sets fail for want of rows, as they would for a user), per coin with 2 loky
    workers, then the pooled model of each horizon over the 100 coins, in a fresh process."""
    from benchmarks.bench_training import train_in_subprocess

    top = max(SIZES)
    seconds, peak, out = train_in_subprocess(Path(measure(top)["home"]), 2, top)
    trained = out["tasks"] - len([e for e in out["errors"] if "labelled rows" not in e])
    return [
        row(
            f"many coins: training {top} coins x 5 horizons, per coin + pooled, 2 workers",
            seconds,
            None,
            "s",
            "linear in coins",
            trained > 0,
            per_coin_s=round(out["per_coin_seconds"], 1),
            pooled_s=round(out["pooled_seconds"], 1),
            per_coin_task_s=round(out["per_coin_seconds"] / out["tasks"], 3),
            pooled_served=out["pooled_served"],
            peak_rss_mb=round(peak, 1),
            errors=len(out["errors"]),
            load_avg=load_avg(),
        )
    ]


if __name__ == "__main__":
    for result in run():
        print(result)
