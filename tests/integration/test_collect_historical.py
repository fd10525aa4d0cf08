"""collect-historical end to end into a temp home, twice: same rows; CoinGecko-only path."""

from __future__ import annotations

import json
import time

import polars as pl
import pytest
from typer.testing import CliRunner

from finbot.cli.app import app
from finbot.clock import FakeClock, SystemClock
from finbot.collectors.historical_collector import collect_historical
from finbot.config import load_settings
from finbot.replay.synthetic import DAY_MS, generate_history
from finbot.services import Services
from finbot.storage.parquet_writer import BarStore

pytestmark = pytest.mark.integration

END_S = 1_717_200_000.0
H = 3_600_000


@pytest.fixture
def live_server(make_replay_server):
    """A server on the real clock over history ending this hour (what the CLI talks to)."""
    end = int(time.time()) // 3600 * 3600 * 1000
    history = generate_history(["bitcoin", "ethereum"], end - 400 * DAY_MS, end, 11)
    return make_replay_server(history=history, clock=SystemClock())


@pytest.mark.slow
def test_cli_backfill_twice_gives_the_same_rows(live_server, home, monkeypatch):
    monkeypatch.setenv("COINGECKO_API_KEYS", "CG-test-key-0123456789")  # demo plan: 500 rpm
    replay_server = live_server
    runner = CliRunner()
    args = [
        "--home",
        str(home.home),
        "collect-historical",
        "--coins",
        "bitcoin,ethereum",
        "--base-url",
        replay_server.url,
        "--json",
    ]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    one = json.loads(first.stdout)
    second = json.loads(runner.invoke(app, args).stdout)
    assert one["rows"] == second["rows"]
    assert one["inserted"] > 10_000 and second["inserted"] == 0
    assert second["requests"] < one["requests"]
    assert set(one["rows"]) == {"bitcoin", "ethereum"}
    report = BarStore(home.parquet_dir).verify()
    assert report.ok, report


def test_coingecko_only_backfill_is_hourly_clamped_and_resumable(replay_server, home):
    (home.config_dir / "api_config.json").write_text(json.dumps({"exchange": {"enabled": False}}))
    settings = load_settings(home)
    clock = FakeClock(END_S)
    with Services(home, settings, base_url=replay_server.url, clock=clock) as services:
        first = collect_historical(services.collectors, ["bitcoin"])
    store = BarStore(home.parquet_dir)
    hourly = store.read("bitcoin", "1h")
    assert set(hourly["ts"].diff().drop_nulls().to_list()) == {H}  # really hourly
    assert (hourly["high"] > hourly["low"]).mean() > 0.9  # not open = high = low = close
    assert hourly.filter(pl.col("volume").is_null()).height == 0
    assert first.clamps and "365 days" in first.clamps[0]
    from finbot.clock import iso_utc

    window = f"stored {iso_utc(int(hourly['ts'][0]))} to {iso_utc(int(hourly['ts'][-1]))}"
    assert [c for c in first.clamps if c.startswith("bitcoin 1h:")][0].endswith(window)
    assert first.as_dict()["sources"]["bitcoin/1h"] == "coingecko"
    with Services(home, settings, base_url=replay_server.url, clock=clock) as services:
        second = collect_historical(services.collectors, ["bitcoin"])
    assert second.as_dict()["rows"] == first.as_dict()["rows"]
    assert second.as_dict()["inserted"] == 0


def test_cli_collect_kind_json(replay_server, home):
    result = CliRunner().invoke(
        app,
        [
            "--home",
            str(home.home),
            "collect",
            "markets",
            "--coins",
            "btc,eth",
            "--base-url",
            replay_server.url,
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] and data["rows"] == 2 and data["requests"] == 1


def test_cli_collect_unknown_coin_is_a_usage_error(home):
    result = CliRunner().invoke(
        app, ["--home", str(home.home), "collect", "prices", "--coins", "notacoin"]
    )
    assert result.exit_code == 2


def test_a_quarantined_month_is_refilled_by_the_next_backfill(replay_server, home):
    """Issue 12, item 5: verify quarantines a damaged month, verify keeps reporting it, and the
    next collect-historical (which fetches only what is missing) fetches it again."""
    (home.config_dir / "api_config.json").write_text(json.dumps({"exchange": {"enabled": False}}))
    settings = load_settings(home)
    clock = FakeClock(END_S)
    with Services(home, settings, base_url=replay_server.url, clock=clock) as services:
        collect_historical(services.collectors, ["bitcoin"])
    store = BarStore(home.parquet_dir, quarantine_dir=home.quarantine_dir)
    before = store.read("bitcoin", "1h")
    damaged = next(store.root.glob("timeframe=1h/coin=bitcoin/year=2024/month=01/part.parquet"))
    damaged.write_bytes(b"\0" * 100)
    assert not store.verify().ok  # quarantined
    waiting = store.verify()
    assert not waiting.ok and [(e["coin"], e["timeframe"]) for e in waiting.awaiting_refill] == [
        ("bitcoin", "1h")
    ]
    with Services(home, settings, base_url=replay_server.url, clock=clock) as services:
        again = collect_historical(services.collectors, ["bitcoin"])
    assert again.as_dict()["inserted"] == 31 * 24  # January 2024, hour by hour
    after = BarStore(home.parquet_dir, quarantine_dir=home.quarantine_dir)
    assert after.read("bitcoin", "1h")["ts"].to_list() == before["ts"].to_list()
    report = after.verify()
    assert report.ok and report.awaiting_refill == [], report


@pytest.mark.parametrize("first", [False, True])
def test_a_failed_backfill_is_the_series_error_and_the_run_goes_on(
    replay_server, home, caplog, first
):
    """A series whose requests keep failing is reported (error, rows stored) and logged; the
    other series are still fetched. Both the usual and the first start's backfill."""
    from finbot.collectors.first_history import backfill_first

    (home.config_dir / "api_config.json").write_text(json.dumps({"exchange": {"enabled": False}}))
    settings = load_settings(home)
    replay_server.inject("503", 100, "/coins/ethereum/market_chart")
    with Services(home, settings, base_url=replay_server.url, clock=FakeClock(END_S)) as services:
        if first:
            series = [backfill_first(services.collectors, c, "1h") for c in ("ethereum", "bitcoin")]
        else:
            series = collect_historical(services.collectors, ["ethereum", "bitcoin"], 3).series
    failed = [s for s in series if s.coin == "ethereum"]
    assert failed and all(s.error and "503" in s.error and s.rows == 0 for s in failed)
    assert all(s.error is None and s.rows > 0 for s in series if s.coin == "bitcoin")
    logged = [r.getMessage() for r in caplog.records if "backfill failed" in r.getMessage()]
    assert len(logged) == len(failed) and all(m.startswith("ethereum ") for m in logged)
