"""Exchange OHLCV through ccxt's binance class against the replay server on loopback."""

from __future__ import annotations

from typing import Any

import pytest

from finbot.clock import FakeClock
from finbot.collectors.exchange_collector import (
    collect_exchange_ohlcv,
    make_exchange,
    symbol_for,
    to_bars,
)
from finbot.config import Coin, ExchangeConfig, Settings
from finbot.errors import ApiError, UsageError
from finbot.paths import Paths
from finbot.storage.parquet_writer import BarStore
from tests.fixtures.replay import REPLAY_END_MS

pytestmark = pytest.mark.integration
HOUR_MS = 3_600_000


def _coins(settings: Settings, *ids: str) -> list[Coin]:
    return [c for c in settings.coins.enabled if c.id in ids]


def test_collects_true_ohlcv_and_resumes(
    settings: Settings, home: Paths, make_replay_server: Any, replay_history: Any
) -> None:
    clock = FakeClock(REPLAY_END_MS / 1000 - 2 * 86400)
    server = make_replay_server(clock=clock)
    coins = _coins(settings, "bitcoin", "polygon-ecosystem-token")
    first = collect_exchange_ohlcv(
        settings.api.exchange,
        BarStore(home.parquet_dir),
        coins,
        ("1h", "1d"),
        5,
        base_url=server.exchange_url,
        clock=clock,
    )
    assert first["source"] == "binance" and first["skipped"] == []
    btc = first["coins"]["bitcoin"]["1h"]
    assert btc["symbol"] == "BTC/USDT" and btc["fetched"] == btc["inserted"] == 5 * 24
    assert first["coins"]["polygon-ecosystem-token"]["1d"]["symbol"] == "POL/USDT"
    store = BarStore(home.parquet_dir)
    stored = store.read("bitcoin", "1h")
    expected = replay_history["bitcoin"]["1h"].filter(
        (replay_history["bitcoin"]["1h"]["ts"] >= int(stored["ts"][0]))
        & (replay_history["bitcoin"]["1h"]["ts"] <= int(stored["ts"][-1]))
    )
    assert stored["close"].to_list() == pytest.approx(expected["close"].to_list())
    assert stored["volume"].to_list() == pytest.approx(
        expected["volume"].to_list(), rel=1e-6
    )  # USD again
    assert set(stored["source"].to_list()) == {"binance"}
    assert all(not p.startswith("/api/v3/") for p in (r["path"] for r in server.requests))

    again = collect_exchange_ohlcv(
        settings.api.exchange,
        BarStore(home.parquet_dir),
        coins,
        ("1h",),
        5,
        base_url=server.exchange_url,
        clock=clock,
    )
    assert again["coins"]["bitcoin"]["1h"]["fetched"] == 0
    clock.advance(3 * HOUR_MS / 1000)
    later = collect_exchange_ohlcv(
        settings.api.exchange,
        BarStore(home.parquet_dir),
        coins,
        ("1h",),
        5,
        base_url=server.exchange_url,
        clock=clock,
    )
    assert later["coins"]["bitcoin"]["1h"]["fetched"] == 3
    assert store.read("bitcoin", "1h").height == 5 * 24 + 3


def test_paginates_past_the_page_limit(
    settings: Settings, home: Paths, make_replay_server: Any
) -> None:
    clock = FakeClock(REPLAY_END_MS / 1000)
    server = make_replay_server(clock=clock)
    summary = collect_exchange_ohlcv(
        settings.api.exchange,
        BarStore(home.parquet_dir),
        _coins(settings, "ethereum"),
        ("5m",),
        5,
        base_url=server.exchange_url,
        clock=clock,
    )
    assert summary["coins"]["ethereum"]["5m"]["fetched"] == 5 * 288
    klines = [r for r in server.requests if r["path"].endswith("/klines")]
    assert len(klines) >= 2
    ts = BarStore(home.parquet_dir).read("ethereum", "5m")["ts"].to_list()
    assert ts == sorted(set(ts)) and ts[-1] == REPLAY_END_MS - 300_000


def test_coin_without_market_is_skipped(
    settings: Settings, home: Paths, make_replay_server: Any, replay_history: Any
) -> None:
    server = make_replay_server(history={"bitcoin": replay_history["bitcoin"]})
    summary = collect_exchange_ohlcv(
        settings.api.exchange,
        BarStore(home.parquet_dir),
        _coins(settings, "bitcoin", "ethereum"),
        ("1d",),
        3,
        base_url=server.exchange_url,
        clock=FakeClock(REPLAY_END_MS / 1000),
    )
    assert summary["skipped"] == ["ethereum"] and summary["coins"]["bitcoin"]["1d"]["fetched"] == 3


def test_progress_is_reported(settings: Settings, home: Paths, replay_server: Any) -> None:
    seen: list[tuple[str, str, int]] = []
    collect_exchange_ohlcv(
        settings.api.exchange,
        BarStore(home.parquet_dir),
        _coins(settings, "solana"),
        ("1d",),
        2,
        base_url=replay_server.exchange_url,
        clock=FakeClock(REPLAY_END_MS / 1000),
        progress=lambda c, tf, n: seen.append((c, tf, n)),
    )
    assert seen == [("solana", "1d", 2)]


def test_server_errors_become_api_errors(
    settings: Settings, home: Paths, replay_server: Any
) -> None:
    replay_server.inject("500", count=10, path="/klines")
    with pytest.raises(ApiError, match="binance"):
        collect_exchange_ohlcv(
            settings.api.exchange,
            BarStore(home.parquet_dir),
            _coins(settings, "bitcoin"),
            ("1d",),
            2,
            base_url=replay_server.exchange_url,
            clock=FakeClock(REPLAY_END_MS / 1000),
        )


@pytest.mark.parametrize(
    ("coin", "markets", "expected"),
    [
        (Coin(id="bitcoin", symbol="BTC", name="Bitcoin"), ["BTC/USDT"], "BTC/USDT"),
        (
            Coin(
                id="polygon-ecosystem-token",
                symbol="POL",
                name="Polygon",
                aliases=("matic-network", "MATIC"),
            ),
            ["MATIC/USDT"],
            "MATIC/USDT",
        ),
        (
            Coin(id="x", symbol="XX", name="X", exchange_symbol="XX/BUSD"),
            ["XX/BUSD", "XX/USDT"],
            "XX/BUSD",
        ),
        (Coin(id="y", symbol="YY", name="Y"), ["BTC/USDT"], None),
    ],
)
def test_symbol_for(coin: Coin, markets: list[str], expected: str | None) -> None:
    assert symbol_for(coin, markets, "USDT") == expected


def test_to_bars_converts_base_volume_to_usd() -> None:
    bars = to_bars([[0, 1.0, 2.0, 0.5, 1.5, 10.0]], "kraken")
    assert bars.row(0, named=True) | {} == {
        "ts": 0,
        "open": 1.0,
        "high": 2.0,
        "low": 0.5,
        "close": 1.5,
        "volume": 15.0,
        "market_cap": None,
        "source": "kraken",
    }
    assert to_bars([], "kraken").height == 0


def test_make_exchange_points_every_url_at_the_base() -> None:
    exchange = make_exchange(ExchangeConfig(id="binance"), "http://127.0.0.1:9/binance")
    urls = exchange.urls["api"]
    assert all(
        u.startswith("http://127.0.0.1:9/binance") for u in urls.values() if isinstance(u, str)
    )
    with pytest.raises(UsageError, match="api.exchange.id"):
        make_exchange(ExchangeConfig(id="no-such-exchange"))
