"""Each collector against the replay server, through storage; the runner's records."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import create_engine

from finbot.clock import FakeClock
from finbot.collectors import common
from finbot.collectors.chart_collector import chart_series, collect_chart_5m
from finbot.collectors.coingecko import CoinGeckoClient
from finbot.collectors.fx_collector import (
    FxRate,
    eur_per_usd,
    fetch_fx,
    read_cache,
    replay_fx_base,
    write_cache,
)
from finbot.collectors.markets_collector import collect_markets
from finbot.collectors.ohlc_collector import collect_ohlc
from finbot.collectors.price_collector import collect_prices
from finbot.collectors.runner import run_collector
from finbot.collectors.tickers_collector import collect_tickers, median_spread_pct
from finbot.collectors.usage import ApiUsageStore
from finbot.errors import ApiError, UsageError
from finbot.paths import Paths
from finbot.services import Services
from finbot.storage.dataset import ParquetDataset
from finbot.storage.parquet_writer import BarStore
from finbot.tools import check_fx_cache

pytestmark = pytest.mark.integration

END_S = 1_717_200_000.0
COINS = ["bitcoin", "ethereum"]


@pytest.fixture
def live(make_replay_server):
    """A server replaying 'live' one day before the history's end, and its clock."""
    clock = FakeClock(END_S - 86_400)
    return make_replay_server(clock=clock), clock


def client_for(server, clock, settings):
    return CoinGeckoClient(settings.api.coingecko, (), base_url=server.url, clock=clock)


def test_prices_store_only_when_last_updated_moves(live, settings, home):
    server, clock = live
    dataset = common.prices_dataset(home.parquet_dir)
    with client_for(server, clock, settings) as client:
        first = collect_prices(client, dataset, COINS, now_ms=int(clock.now() * 1000))
        again = collect_prices(client, dataset, COINS, now_ms=int(clock.now() * 1000))
        clock.advance(600)
        later = collect_prices(client, dataset, COINS, now_ms=int(clock.now() * 1000))
    assert (first.rows, again.rows, later.rows) == (2, 0, 2)
    assert sorted(again.skipped) == COINS and first.requests == 1
    assert dataset.read("bitcoin").height == 2


def tickers_of(home: Paths) -> ParquetDataset:
    return common.tickers_dataset(home.parquet_dir)


def test_markets_and_tickers_spread_in_percent(live, settings, home):
    server, clock = live
    now = int(clock.now() * 1000)
    with client_for(server, clock, settings) as client:
        markets = collect_markets(
            client, common.markets_dataset(home.parquet_dir), COINS, now_ms=now
        )
        tickers = collect_tickers(
            client, common.tickers_dataset(home.parquet_dir), COINS, now_ms=now
        )
    assert markets.rows == 2 and tickers.rows > 2 and tickers.requests == 2
    row = common.markets_dataset(home.parquet_dir).read("bitcoin").row(0, named=True)
    assert row["rank"] >= 1 and row["change_1h_pct"] is not None
    stored = common.tickers_dataset(home.parquet_dir).read("bitcoin")
    spread = median_spread_pct(tickers_of(home), "bitcoin", settings.costs.exchanges_whitelist)
    assert spread is not None and 0 < spread < 1  # a percent: BTC spreads are ~0.01-0.1 %
    assert spread in set(stored["spread_pct"].to_list()) or spread > 0
    assert median_spread_pct(tickers_of(home), "solana", settings.costs.exchanges_whitelist) is None


def test_median_spread_is_read_as_a_percent(home):
    import polars as pl

    dataset = common.tickers_dataset(home.parquet_dir)
    rows = [("binance", 0.02), ("gdax", 0.04), ("kraken", 0.06), ("gate", 5.0)]
    dataset.upsert(
        pl.DataFrame(
            {
                "ts": [1] * 4,
                "exchange": [r[0] for r in rows],
                "target": ["USDT"] * 4,
                "spread_pct": [r[1] for r in rows],
            }
        ),
        partition="bitcoin",
    )
    # CoinGecko's 0.04 means 0.04 %, not 4 % (the original read it 100x too large)
    assert median_spread_pct(dataset, "bitcoin", ["binance", "coinbase", "kraken"]) == 0.04


def test_chart_5m_writes_bars_and_series(live, settings, home):
    server, clock = live
    store = BarStore(home.parquet_dir)
    with client_for(server, clock, settings) as client:
        result = collect_chart_5m(client, store, ["bitcoin"])
        frame = chart_series(client, "bitcoin", 1)
    bars = store.read("bitcoin", "5m")
    assert result.rows == bars.height >= 280
    assert (bars["high"] >= bars["low"]).all() and (bars["high"] > bars["low"]).any()
    assert frame.columns == ["ts", "price", "market_cap", "volume_24h"] and frame.height > 280


def test_ohlc_fills_timeframes_without_replacing_other_sources(live, settings, home):
    server, clock = live
    store = BarStore(home.parquet_dir)
    with client_for(server, clock, settings) as client:
        collect_chart_5m(client, store, ["bitcoin"])
        result = collect_ohlc(client, store, ["bitcoin"])
    assert result.rows > 0 and result.requests == 2
    assert {"1h", "4h", "1d"} <= set(store.timeframes("bitcoin"))
    four = store.read("bitcoin", "4h")
    assert set(four["source"].to_list()) == {"coingecko_ohlc"}
    assert four["volume"].null_count() == four.height
    assert set(four["ts"].diff().drop_nulls().to_list()) == {14_400_000}


@pytest.mark.parametrize("keyed", [False, True])
def test_fx_both_shapes(replay_server, settings, keyed):
    rate = fetch_fx(
        settings.api.exchangerate,
        "fx-key-123456789" if keyed else None,
        base_url=replay_server.fx_url,
        clock=FakeClock(),
    )
    assert 0.8 < rate.rate < 1.0 and rate.as_of_ms > 0
    assert ("keyed" in rate.source) == keyed


def test_fx_error_shape_names_the_error_type(make_replay_server, settings):
    server = make_replay_server(fx_keys={"good-key-123456"})
    with pytest.raises(ApiError, match="invalid-key") as info:
        fetch_fx(
            settings.api.exchangerate,
            "bad-key-987654321",
            base_url=server.fx_url,
            clock=FakeClock(),
        )
    assert "bad-key" not in str(info.value)


def test_fx_cache_ttl_and_fallback_to_implied_rate(replay_server, settings, home, monkeypatch):
    clock = FakeClock(END_S)
    monkeypatch.setenv("FINBOT_FX_URL", replay_server.fx_url)
    fx = Services(home, settings)

    def rate() -> FxRate:
        key, prices = settings.secrets.exchangerate_key, fx.datasets.prices
        config, coins = settings.api.exchangerate, settings.coins.ids
        return eur_per_usd(config, key, fx.fx_cache_file, prices, coins, clock=clock)

    first = rate()
    assert read_cache(fx.fx_cache_file) == first
    assert replay_server.stats()["requests"] == 1
    clock.advance(1800)
    assert rate() == first  # within the 1 h TTL: no request
    assert replay_server.stats()["requests"] == 1
    assert check_fx_cache.check(fx.fx_cache_file, 3600, clock.now())["fresh"]
    clock.advance(7200)
    assert not check_fx_cache.check(fx.fx_cache_file, 3600, clock.now())["fresh"]
    # API down: the EUR/USD implied by the latest /simple/price snapshot
    monkeypatch.setenv("FINBOT_FX_URL", "http://127.0.0.1:9/fx/v6")
    with CoinGeckoClient(
        settings.api.coingecko, (), base_url=replay_server.url, clock=clock
    ) as client:
        collect_prices(client, common.prices_dataset(home.parquet_dir), COINS, now_ms=1)
    fallback = rate()
    assert fallback.source.startswith("implied by") and 0.8 < fallback.rate < 1.0


def test_check_fx_cache_cli(home, capsys):
    assert check_fx_cache.main(["--home", str(home.home)]) == 1
    cache_file = Services(home).fx_cache_file
    write_cache(cache_file, FxRate(0.92, 1, "test", int(__import__("time").time() * 1000)))
    assert check_fx_cache.main(["--home", str(home.home), "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["fresh"] is True
    assert check_fx_cache.main(["--home", str(home.home), "--lang", "fr"]) == 0
    french = capsys.readouterr().out
    assert "cache de change" in french and ": OK, EUR/USD 0,9200, âgé de " in french, french
    write_cache(cache_file, FxRate(0.92, 1, "test", 1_000))  # fetched in 1970: stale
    assert check_fx_cache.main(["--home", str(home.home), "--lang", "fr"]) == 1
    assert "(périmé : âgé de " in capsys.readouterr().out
    assert check_fx_cache.main(["--home", str(home.home), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["problem"].startswith("stale: ")


def test_replay_fx_base_only_for_loopback():
    assert replay_fx_base("http://127.0.0.1:8000/api/v3") == "http://127.0.0.1:8000/fx/v6"
    assert replay_fx_base("https://cg.example/api/v3") is None  # not loopback
    assert replay_fx_base(None) is None


@pytest.mark.parametrize(
    "kind", ["prices", "markets", "chart_5m", "tickers", "fx", "ohlc", "exchange"]
)
def test_run_collector_records_each_kind(replay_server, settings, home, kind):
    with Services(home, settings, base_url=replay_server.url, clock=FakeClock(END_S)) as s:
        result = run_collector(kind, s.collectors, coins=COINS)
    assert result.ok, result.error
    assert result.rows > 0 and result.kind == kind
    fresh = ApiUsageStore(create_engine(home.db_url)).collector_summary()  # another "process"
    assert fresh[kind]["last_status"] == "ok" and fresh[kind]["rows"] == result.rows
    if kind not in ("fx", "exchange"):
        assert ApiUsageStore(create_engine(home.db_url)).month_total(int(END_S * 1000)) >= 1


def test_run_collector_failure_is_recorded_not_raised(replay_server, settings, home):
    replay_server.inject("500", 10)
    with Services(home, settings, base_url=replay_server.url, clock=FakeClock(END_S)) as s:
        result = run_collector("prices", s.collectors)
    assert not result.ok and "500" in result.error
    summary = ApiUsageStore(create_engine(home.db_url)).collector_summary()["prices"]
    assert summary["failures"] == 1


def test_run_collector_rejects_unknown_kind(settings, home):
    with pytest.raises(UsageError, match="kind"):
        run_collector("nope", Services(home, settings).collectors)


def test_transport_is_injectable(settings):
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json={}))
    client = CoinGeckoClient(
        settings.api.coingecko, (), base_url="http://x.test", clock=FakeClock(), transport=transport
    )
    assert client.simple_price(["bitcoin"]) == {}
