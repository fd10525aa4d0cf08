"""Many coins (issue 14.3) against the replay server on loopback: ``coins.json`` ``top``
resolved from /coins/markets (stablecoins left out, ids kept in the home and stable across
runs), one /simple/price request up to the per-request limit and batches beyond it, and a
backfill of many coins that never goes over the per-key rate limit."""

from __future__ import annotations

import json

import pytest

from finbot.clock import FakeClock
from finbot.collectors import collect_historical, run_collector
from finbot.config import load_settings
from finbot.config.top_coins import top_coins_file
from finbot.ops.training import ensure_top_coins
from finbot.paths import Paths
from finbot.replay.synthetic import generate_history
from finbot.services import Services
from finbot.timeframes import DAY_MS

pytestmark = pytest.mark.integration

END_MS = 1_717_200_000_000
STABLE = ["tether", "usd-coin", "dai"]


def _ids(n: int) -> list[str]:
    return ["bitcoin", "ethereum"] + [f"al{i:03d}" for i in range(n - 2)]


def _history(ids: list[str], days: int = 3) -> dict:
    return generate_history(ids, END_MS - days * DAY_MS, END_MS, 3, ("1h", "1d"), hourly_days=days)


def _write_coins(home: Paths, top: dict) -> None:
    coins = {"coins": [{"id": "bitcoin", "symbol": "BTC", "name": "Bitcoin"}], "top": top}
    (home.config_dir / "coins.json").write_text(json.dumps(coins), "utf-8")


def test_top_n_by_market_cap_without_stablecoins_is_kept_and_stable(
    home: Paths, make_replay_server
) -> None:
    server = make_replay_server(history=_history(_ids(40) + STABLE), clock=FakeClock(END_MS / 1e3))
    _write_coins(home, {"count": 25})
    with Services(home, load_settings(home), base_url=server.url) as services:
        assert ensure_top_coins(services) == 24  # bitcoin was already listed
        ids = list(services.settings.coins.ids)
    markets = [r for r in server.requests if r["path"].endswith("/coins/markets")]
    assert len(markets) == 1 and markets[0]["params"]["order"] == "market_cap_desc"
    caps = {c: server.source.latest(c, server.now_ms())[2] for c in _ids(40)}
    assert ids == sorted(caps, key=lambda c: -caps[c])[:25]
    assert not set(STABLE) & set(ids) and top_coins_file(home).exists()
    # a later run (another process) reads the kept list: same ids, no request
    server.reset_stats()
    assert list(load_settings(home).coins.ids) == ids
    with Services(home, load_settings(home), base_url=server.url) as services:
        assert ensure_top_coins(services) == 0 and list(services.settings.coins.ids) == ids
    assert server.stats()["requests"] == 0


def test_stablecoins_are_kept_when_asked(home: Paths, make_replay_server) -> None:
    server = make_replay_server(history=_history(_ids(6) + STABLE), clock=FakeClock(END_MS / 1e3))
    _write_coins(home, {"count": 9, "exclude_stablecoins": False})
    with Services(home, load_settings(home), base_url=server.url) as services:
        ensure_top_coins(services)
        assert set(STABLE) <= set(services.settings.coins.ids)


@pytest.mark.parametrize(("coins", "per_request", "requests"), [(100, 250, 1), (120, 50, 3)])
def test_prices_are_one_request_up_to_the_limit_and_batches_beyond(
    home: Paths, make_replay_server, coins: int, per_request: int, requests: int
) -> None:
    server = make_replay_server(history=_history(_ids(coins)), clock=FakeClock(END_MS / 1e3))
    _write_coins(home, {"count": coins})
    api = {"coingecko": {"ids_per_request": per_request}}
    (home.config_dir / "api_config.json").write_text(json.dumps(api), "utf-8")
    clock = FakeClock(END_MS / 1e3)
    with Services(home, load_settings(home), clock=clock, base_url=server.url) as services:
        ensure_top_coins(services)
        server.reset_stats()
        result = run_collector("prices", services.collectors)
    sent = [r for r in server.requests if r["path"].endswith("/simple/price")]
    assert result.ok and result.requests == len(sent) == requests
    assert sorted(i for r in sent for i in r["params"]["ids"].split(",")) == sorted(_ids(coins))
    assert all(len(r["params"]["ids"].split(",")) <= per_request for r in sent)
    assert result.rows == coins


def test_a_keyless_backfill_of_many_coins_never_exceeds_the_rate_limit(
    home: Paths, make_replay_server
) -> None:
    clock = FakeClock(END_MS / 1e3)  # one clock: the limiter's waits are the server's minutes
    server = make_replay_server(history=_history(_ids(30), days=60), clock=clock, rpm_limit=10)
    _write_coins(home, {"count": 30})
    (home.config_dir / "settings.json").write_text(
        json.dumps({"history_days": {"1d": 30, "1h": 30, "5m": 1}}), "utf-8"
    )
    with Services(home, load_settings(home), clock=clock, base_url=server.url) as services:
        ensure_top_coins(services)
        summary = collect_historical(services.collectors, list(services.settings.coins.ids))
    assert summary.errors == [] and summary.requests >= 3 * 30  # a request per series
    assert "429" not in server.stats()["status"]
    per_minute: dict[int, int] = {}
    for request in server.requests:
        if request["path"].startswith("/api/v3/"):
            minute = request["ts_ms"] // 60_000
            per_minute[minute] = per_minute.get(minute, 0) + 1
    assert max(per_minute.values()) <= 10 and len(per_minute) >= summary.requests // 10


def test_concurrent_per_coin_jobs_share_the_keys_rate_limit(
    home: Paths, make_replay_server
) -> None:
    """The scheduler runs jobs in threads, each with its own services and client: the clients
    of one process share the per-key limiter, so together they send at most ``rpm`` requests
    in any minute (the sends are read off that limiter: with a fake clock that other threads'
    waits move, a request in flight may reach the server's next minute)."""
    from concurrent.futures import ThreadPoolExecutor

    from finbot.collectors.limiter import shared_limiter

    clock = FakeClock(END_MS / 1e3)
    server = make_replay_server(history=_history(_ids(30)), clock=clock)
    _write_coins(home, {"count": 30})
    with Services(home, load_settings(home), clock=clock, base_url=server.url) as services:
        ensure_top_coins(services)
        ids = list(services.settings.coins.ids)
    server.reset_stats()
    limiter, sends = shared_limiter(10, clock), []
    acquire = limiter.acquire

    def counted(key_id: str) -> float:
        slept = acquire(key_id)
        sends.append(clock.now())
        return slept

    limiter.acquire = counted  # type: ignore[method-assign]

    def job(part: list[str]) -> bool:
        with Services(home, load_settings(home), clock=clock, base_url=server.url) as own:
            return run_collector("tickers", own.collectors, coins=part).ok

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(job, [ids[0:10], ids[10:20], ids[20:30]]))
    assert results == [True, True, True]
    assert len(sends) == server.stats()["requests"] >= 30
    assert max(sum(1 for t in sends if s <= t < s + 60) for s in sends) <= 10
