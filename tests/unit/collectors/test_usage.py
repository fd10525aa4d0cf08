"""API usage counters persist in the database: a fresh engine in another 'process' sees them."""

from __future__ import annotations

import pytest

from finbot.collectors.usage import ApiUsageStore, UsageLimits, load_state, open_usage
from finbot.storage.db import create_db_engine, engine_for

pytestmark = pytest.mark.unit

NOW = 1_717_200_000_000  # 2024-06-01T00:00:00Z
MIN = 60_000


@pytest.fixture
def url(db_url):
    """A fresh SQLite file, then a fresh PostgreSQL schema."""
    return db_url


def test_counts_written_by_one_engine_are_read_by_a_fresh_one(url):
    writer = ApiUsageStore(create_db_engine(url))
    now = NOW + 10 * MIN
    for i in range(5):
        writer.record("/simple/price", 200, 10.0 + i, "public", now - i * 1000)
    writer.record_collector_run("prices", "ok", 12.0, rows=3, ts_ms=now)
    reader = ApiUsageStore(create_db_engine(url))  # the original's counter always showed 0 here
    assert reader.month_total(now) == 5
    summary = reader.summary(now)
    assert summary["minute"]["requests"] == 5
    assert summary["per_endpoint"] == {"/simple/price": 5}
    assert reader.collector_summary()["prices"]["rows"] == 3


@pytest.mark.parametrize(
    ("used", "capacity", "state"),
    [
        (0, 10, "GREEN"),
        (6, 10, "GREEN"),
        (7, 10, "AMBER"),
        (8, 10, "AMBER"),
        (9, 10, "RED"),
        (12, 10, "RED"),
        (0, 0, "GREEN"),
    ],
)
def test_load_state_thresholds(used, capacity, state):
    assert load_state(used, capacity) == state


def test_summary_windows_errors_latency_cost(url):
    now = NOW + 3 * 86_400_000  # 4 June
    store = ApiUsageStore(
        create_db_engine(url),
        UsageLimits(per_minute=10, monthly_cap=100, cost_per_call_usd=0.01, rpm_per_key=10),
    )
    rows = [
        (now - 10_000, 200, 10.0),
        (now - 20_000, 500, 30.0),
        (now - 2 * MIN, 0, 20.0),
        (now - 2 * 3_600_000, 429, 40.0),
        (now - 2 * 86_400_000, 200, 50.0),
    ]
    for ts, status, latency in rows:
        store.record("/coins/{id}/ohlc", status, latency, "****abcd", ts)
    out = store.summary(now)
    assert (out["minute"]["requests"], out["hour"]["requests"], out["day"]["requests"]) == (2, 3, 4)
    assert out["errors_24h"] == 3  # 500, no answer (0), 429
    assert out["mean_latency_ms"] == pytest.approx(25.0)
    assert out["minute"]["limit"] == 10 and out["state"] == "GREEN"
    assert out["month"]["requests"] == 5
    assert out["estimated_cost_usd_month"] == pytest.approx(0.05)


def test_month_total_resets_each_calendar_month(url):
    store = ApiUsageStore(create_db_engine(url))
    store.record("/x", 200, 1.0, "public", NOW - 1)  # 31 May
    store.record("/x", 200, 1.0, "public", NOW)  # 1 June
    assert store.month_total(NOW - 1) == 1
    assert store.month_total(NOW) == 1


def test_collector_summary_counts_failures(url):
    store = ApiUsageStore(create_db_engine(url))
    for i, status in enumerate(["ok", "failed", "failed", "ok", "failed"]):
        store.record_collector_run(
            "tickers",
            status,
            5.0,
            error="boom" if status != "ok" else None,
            cache_hits=i,
            cache_misses=1,
            ttl_left=30.0,
            ts_ms=NOW + i,
        )
    entry = store.collector_summary()["tickers"]
    assert (entry["runs"], entry["failures"], entry["consecutive_failures"]) == (5, 3, 1)
    assert entry["last_status"] == "failed" and entry["error"] == "boom"
    assert entry["cache_hits"] == 4 and entry["ttl_left"] == 30.0


def test_prune_drops_old_rows_but_keeps_monthly_totals(url):
    store = ApiUsageStore(create_db_engine(url))
    store.record("/x", 200, 1.0, "public", NOW - 40 * 86_400_000)
    store.record("/x", 200, 1.0, "public", NOW)
    store.record_collector_run("fx", "ok", 1.0, ts_ms=NOW - 100 * 86_400_000)
    assert store.prune(NOW) == 2
    assert store.summary(NOW)["day"]["requests"] == 1
    assert store.month_total(NOW - 40 * 86_400_000) == 1
    assert store.collector_summary() == {}


@pytest.mark.parametrize(
    ("plan", "keys", "per_minute", "cost"),
    [
        ("auto", (), 10, 0.0),
        ("auto", ("k1-xxxxxxxxxxxx", "k2-xxxxxxxxxxxx"), 1000, 0.0),
    ],
)
def test_open_usage_limits_follow_the_plan(
    home, db_backend, monkeypatch, plan, keys, per_minute, cost
):
    from finbot.config import load_settings

    if keys:
        monkeypatch.setenv("COINGECKO_API_KEYS", ",".join(keys))
    settings = load_settings(home)
    store = open_usage(
        engine_for(home.db_url), settings.api.coingecko, settings.secrets.coingecko_keys
    )
    assert store.limits.per_minute == per_minute
    assert store.limits.cost_per_call_usd == cost


def test_pro_plan_has_a_cost_estimate():
    limits = UsageLimits.for_plan(500, 10, 1, 2_000_000, "pro")
    assert limits.cost_per_call_usd > 0


def test_status_without_keys_sees_the_bots_keys_capacity(url):
    """A ``status`` process with no key in its environment must not report the bot's keyed
    traffic against the keyless 10 rpm (it showed RED while the bot had a key)."""
    engine = engine_for(url)
    bot = ApiUsageStore(engine, UsageLimits.for_plan(500, 10, 1, 2_000_000, "demo"))
    now = 1_700_000_000_000
    for i in range(12):
        bot.record("/simple/price", 200, 5.0, "****abcd", now - 1000 * i)
    status = ApiUsageStore(engine, UsageLimits.for_plan(500, 10, 0, 2_000_000, "public"))
    summary = status.summary(now)
    assert summary["minute"]["limit"] == 500
    assert summary["state"] == "GREEN"
    assert summary["keys_seen_1h"] == 1
