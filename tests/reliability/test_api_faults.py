"""Issue 7.1: a simulated 10-minute collection against the replay server with 20 % of the
requests failing (429 storms with x-ratelimit-reset, 5xx, replies slower than the read
timeout, connection resets, truncated JSON, wrong types, NaN / negative / absurd prices).

The faulty run is compared with a fault-free run of the same schedule: no point the server
served is lost, nothing malformed is stored, the per-key rate limit is never exceeded, and the
datasets are the same (collection times aside)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from finbot.clock import FakeClock
from finbot.collectors.payloads import MAX_PRICE_USD, parse_chart, parse_markets
from finbot.collectors.resample import bar_open
from finbot.collectors.runner import make_collector_cache, run_collector
from finbot.config import load_settings
from finbot.paths import Paths
from finbot.replay import ReplayServer
from finbot.services import Services
from tests.fixtures.replay import REPLAY_END_MS
from tests.reliability.helpers import KEYS, make_home, replay_api, report, simulate

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

COINS = ("bitcoin", "ethereum", "solana", "ripple", "dogecoin")
RPM = 6  # per key, on the server AND in the client's configuration
BOUNDARY_S = REPLAY_END_MS // 1000 - 2 * 86_400  # a 5-minute boundary
START_S = BOUNDARY_S + 200
END_S = START_S + 600  # ten simulated minutes
DRAIN_S = BOUNDARY_S + 1140  # one more cycle without faults, same moment for both runs
FIVE_MIN_MS = 300_000
FAULTS = ("429", "500", "502", "503", "slow", "reset", "truncated", "wrong_types", "nan")
CADENCES = {"prices": 30, "markets": 60, "chart_5m": 300, "tickers": 600}
DATA_COLUMNS = {
    "prices": ["coin", "ts", "usd", "eur", "market_cap_usd", "volume_24h_usd", "change_24h_pct"],
    "markets": [
        "coin",
        "ts",
        "rank",
        "price",
        "market_cap",
        "volume_24h",
        "high_24h",
        "low_24h",
        "change_1h_pct",
        "change_24h_pct",
        "change_7d_pct",
    ],
}


def _dataset(root: Path, name: str) -> pl.DataFrame:
    files = sorted((root / name).rglob("part.parquet"))
    if not files:
        return pl.DataFrame()
    frame = pl.read_parquet(files, hive_partitioning=True)
    return frame.select(DATA_COLUMNS[name]).sort("coin", "ts")


def _bars(root: Path) -> pl.DataFrame:
    files = sorted((root / "timeframe=5m").rglob("part.parquet"))
    frame = pl.read_parquet(files, hive_partitioning=True)  # ts: a TIMESTAMP(ms, UTC)
    frame = frame.with_columns(pl.col("ts").dt.epoch("ms"))
    return frame.select("coin", "ts", "open", "high", "low", "close", "volume", "market_cap").sort(
        "coin", "ts"
    )


def _snapshot(paths: Paths) -> dict[str, pl.DataFrame]:
    root = paths.parquet_dir
    return {
        "prices": _dataset(root, "prices"),
        "markets": _dataset(root, "markets"),
        "bars": _bars(root),
    }


class Run:
    """One home collecting from one replay server on one FakeClock."""

    def __init__(self, root: Path, server: ReplayServer, clock: FakeClock):
        self.server, self.clock = server, clock
        api = replay_api(server.url, server.fx_url, server.exchange_url, rpm=RPM)
        self.paths = make_home(root, api)
        self.settings = load_settings(self.paths)
        self.cache = make_collector_cache(self.settings.api.coingecko.cache_ttl_sec, clock)
        self.failed: Counter[str] = Counter()

    def job(self, kind: str) -> Callable[[], Any]:
        def run() -> Any:
            with Services(
                self.paths,
                self.settings,
                base_url=self.server.url,
                clock=self.clock,
                cache=self.cache,
            ) as services:
                result = run_collector(kind, services.collectors, coins=COINS)
            if not result.ok:
                self.failed[kind] += 1
            return result

        return run

    def schedule(self, extra: dict[str, tuple[float, Callable[[], Any]]] | None = None) -> None:
        jobs = {kind: (float(every), self.job(kind)) for kind, every in CADENCES.items()}
        simulate(self.clock, {**jobs, **(extra or {})}, START_S, END_S)

    def drain(self) -> None:
        """The next cycle, at DRAIN_S, without faults: what the bot would do next."""
        self.server.faults.clear()
        assert self.clock.now() <= DRAIN_S, "faults delayed the schedule past the drain point"
        self.clock.advance(DRAIN_S - self.clock.now())
        for kind in CADENCES:
            self.cache = make_collector_cache(self.settings.api.coingecko.cache_ttl_sec, self.clock)
            assert self.job(kind)().ok


def _storm(server: ReplayServer) -> Callable[[], None]:
    def inject() -> None:
        server.inject("429", count=3, reset_in=4)  # a storm across both keys
        server.inject("truncated", count=1, mode="transport")

    return inject


def _served_points(server: ReplayServer) -> set[tuple[str, str, int, float]]:
    """Every (dataset, coin, ts, price) in the clean 200 replies the server sent."""
    points: set[tuple[str, str, int, float]] = set()
    for entry in list(server.requests):
        if entry["status"] != 200 or entry["fault"] is not None:
            continue
        route = entry["path"][len("/api/v3") :]
        reply = server.api.handle(route, entry["params"], entry["ts_ms"])
        if route == "/simple/price":
            for coin, row in reply.payload.items():
                points.add(("prices", coin, row["last_updated_at"] * 1000, row["usd"]))
        elif route == "/coins/markets":
            for row in parse_markets(reply.payload):
                points.add(("markets", row.coin, row.last_updated_ms, row.price))
        elif route.endswith("/market_chart"):
            coin = route.split("/")[2]
            prices = parse_chart(reply.payload).prices
            oldest = min(bar_open(t, FIVE_MIN_MS) for t, _ in prices)
            points |= {
                ("bars", coin, bar_open(t, FIVE_MIN_MS), p)
                for t, p in prices
                if bar_open(t, FIVE_MIN_MS) > oldest
            }  # the partial oldest bar is skipped
    return points


def _lost(points: set[tuple[str, str, int, float]], stored: dict[str, pl.DataFrame]) -> list:
    have = {("prices", c, t, p) for c, t, p in stored["prices"].select("coin", "ts", "usd").rows()}
    have |= {
        ("markets", c, t, p) for c, t, p in stored["markets"].select("coin", "ts", "price").rows()
    }
    have |= {("bars", c, t, p) for c, t, p in stored["bars"].select("coin", "ts", "close").rows()}
    return sorted(points - have)


def _malformed(stored: dict[str, pl.DataFrame]) -> int:
    bad = 0
    for name, frame in stored.items():
        price = {"prices": "usd", "markets": "price", "bars": "close"}[name]
        floats = [c for c, t in frame.schema.items() if t == pl.Float64]
        for row in frame.select(floats).rows():
            bad += any(v is not None and not math.isfinite(v) for v in row)
        bad += frame.filter((pl.col(price) <= 0) | (pl.col(price) > MAX_PRICE_USD)).height
    return bad


def _over_limit(server: ReplayServer) -> list[str]:
    """Requests the server refused for the rate limit, and (key, minute) windows over it."""
    per_minute = Counter(
        (e["key"][-4:], e["ts_ms"] // 60_000)
        for e in server.requests
        if e["path"].startswith("/api/v3")
    )
    gated = [
        f"429 {e['path']}" for e in server.requests if e["status"] == 429 and e["fault"] is None
    ]
    return gated + [f"{key} minute {m}: {n}" for (key, m), n in per_minute.items() if n > RPM]


def test_faulty_collection_loses_nothing_and_matches_a_clean_run(
    tmp_path: Path,
    make_replay_server: Callable[..., ReplayServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COINGECKO_API_KEYS", ",".join(KEYS))
    monkeypatch.delenv("FINBOT_COINGECKO_URL", raising=False)
    runs = {}
    for label in ("clean", "faulty"):
        clock = FakeClock(START_S)
        server = make_replay_server(clock=clock, rpm_limit=RPM, valid_keys=KEYS)
        runs[label] = Run(tmp_path / label, server, clock)
    clean, faulty = runs["clean"], runs["faulty"]

    clean.schedule()
    clean_requests = clean.server.stats()["requests"]
    for kind in FAULTS:  # each kind at least once, early, then 20 % at random
        faulty.server.inject(kind, reset_in=5, delay=0.6)
    faulty.server.set_random(0.2, FAULTS, seed=20240601, delay=0.6, reset_in=5)
    faulty.schedule({"storm": (180.0, _storm(faulty.server))})
    window = _snapshot(faulty.paths)
    window_stats = faulty.server.stats()
    served = _served_points(faulty.server)
    clean.drain()
    faulty.drain()
    served |= _served_points(faulty.server)
    final = {label: _snapshot(run.paths) for label, run in runs.items()}

    lost = _lost(served, final["faulty"])
    injected = sum(window_stats["faults"].values())
    figures = {
        "requests": window_stats["requests"],
        "retries": window_stats["requests"] - clean_requests,
        "faults_injected": injected,
        "fault_kinds": dict(window_stats["faults"]),
        "fault_rate": round(injected / window_stats["requests"], 3),
        "failed_job_runs": dict(faulty.failed),
        "points_served": len(served),
        "points_lost": len(lost),
        "malformed_stored": _malformed(final["faulty"]),
        "rate_limit_violations": _over_limit(faulty.server) + _over_limit(clean.server),
    }
    report("API faults (10 simulated minutes)", figures)

    assert injected / window_stats["requests"] >= 0.2  # random 20 % plus the storms
    assert set(FAULTS) <= set(window_stats["faults"])
    assert lost == []
    assert _malformed(final["faulty"]) == 0 and _malformed(window) == 0
    assert _over_limit(faulty.server) == [] and _over_limit(clean.server) == []
    for name in ("prices", "markets"):
        assert final["faulty"][name].equals(final["clean"][name]), name
        # before the drain, everything stored was already right (a subset of the clean run)
        assert (
            window[name].join(final["clean"][name], on=window[name].columns, how="anti").height == 0
        ), name
    since = (DRAIN_S - 86_400) * 1000 + 2 * FIVE_MIN_MS  # what both drains re-collected
    recent = {k: v["bars"].filter(pl.col("ts") >= since) for k, v in final.items()}
    assert recent["faulty"].height > 0 and recent["faulty"].equals(recent["clean"])
    assert (
        window["bars"].join(final["clean"]["bars"], on=window["bars"].columns, how="anti").height
        == 0
    )
