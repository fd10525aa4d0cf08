"""The replay server's CoinGecko endpoints: shapes, granularity, validation, the 365-day limit."""

from __future__ import annotations

import functools
from typing import Any

import httpx
import pytest

from finbot.clock import FakeClock
from finbot.replay import ReplayServer
from tests.fixtures.replay import REPLAY_END_MS

pytestmark = pytest.mark.unit
DAY_MS = 86_400_000
END_S = REPLAY_END_MS // 1000


@functools.cache
def _client() -> httpx.Client:
    """One client for the module: a new one per request costs an SSL context each time."""
    return httpx.Client()


def get(server: ReplayServer, path: str, **params: Any) -> httpx.Response:
    return _client().get(server.url + path, params=params, timeout=10)


def test_ping(replay_server: ReplayServer) -> None:
    assert get(replay_server, "/ping").json() == {"gecko_says": "(V3) To the Moon!"}


def test_simple_price_shape(replay_server: ReplayServer) -> None:
    body = get(
        replay_server,
        "/simple/price",
        ids="bitcoin,ethereum,not-a-coin",
        vs_currencies="usd,eur",
        include_market_cap="true",
        include_24hr_vol="true",
        include_24hr_change="true",
        include_last_updated_at="true",
    ).json()
    assert set(body) == {"bitcoin", "ethereum"}  # unknown ids are left out, as CoinGecko does
    assert set(body["bitcoin"]) == {
        "usd",
        "usd_market_cap",
        "usd_24h_vol",
        "usd_24h_change",
        "eur",
        "eur_market_cap",
        "eur_24h_vol",
        "eur_24h_change",
        "last_updated_at",
    }
    btc = body["bitcoin"]
    assert 10_000 < btc["usd"] < 500_000 and btc["eur"] < btc["usd"]
    assert btc["last_updated_at"] == END_S
    assert btc["usd_market_cap"] == pytest.approx(btc["usd"] * 19.7e6)


def test_simple_price_minimal_has_only_prices(replay_server: ReplayServer) -> None:
    body = get(replay_server, "/simple/price", ids="solana", vs_currencies="usd").json()
    assert body == {"solana": {"usd": pytest.approx(150.0)}}


@pytest.mark.parametrize("params", [{"vs_currencies": "usd"}, {"ids": "bitcoin"}])
def test_simple_price_missing_parameter_is_400(
    replay_server: ReplayServer, params: dict[str, str]
) -> None:
    response = get(replay_server, "/simple/price", **params)
    assert response.status_code == 400 and "Missing parameter" in response.json()["error"]


def test_coins_markets_shape_and_changes(replay_server: ReplayServer) -> None:
    rows = get(
        replay_server,
        "/coins/markets",
        vs_currency="usd",
        ids="bitcoin,ethereum",
        price_change_percentage="1h,24h,7d",
    ).json()
    assert [r["id"] for r in rows] == ["bitcoin", "ethereum"]
    row = rows[0]
    for key in (
        "current_price",
        "market_cap",
        "market_cap_rank",
        "total_volume",
        "high_24h",
        "low_24h",
        "price_change_percentage_24h",
        "circulating_supply",
        "ath",
        "atl",
        "last_updated",
        "price_change_percentage_1h_in_currency",
        "price_change_percentage_24h_in_currency",
        "price_change_percentage_7d_in_currency",
    ):
        assert key in row
    assert row["symbol"] == "btc" and row["market_cap_rank"] == 1
    assert row["low_24h"] <= row["current_price"] <= row["high_24h"]
    assert row["price_change_percentage_24h"] == pytest.approx(
        row["price_change_percentage_24h_in_currency"]
    )
    assert row["last_updated"].endswith("Z")


def test_coins_markets_pages_and_requires_currency(replay_server: ReplayServer) -> None:
    assert (
        len(get(replay_server, "/coins/markets", vs_currency="usd", per_page=3, page=2).json()) == 3
    )
    assert get(replay_server, "/coins/markets").status_code == 400


@pytest.mark.parametrize(
    ("days", "step_ms", "count"),
    [
        ("1", 300_000, 289),
        ("2", 3_600_000, 49),
        ("90", 3_600_000, 2161),
        ("91", DAY_MS, 92),
        ("365", DAY_MS, 366),
    ],
)
def test_market_chart_granularity(
    replay_server: ReplayServer, days: str, step_ms: int, count: int
) -> None:
    body = get(replay_server, "/coins/bitcoin/market_chart", vs_currency="usd", days=days).json()
    assert set(body) == {"prices", "market_caps", "total_volumes"}
    times = [p[0] for p in body["prices"]]
    assert len(times) == count
    assert {b - a for a, b in zip(times, times[1:], strict=False)} == {step_ms}
    assert times[-1] == REPLAY_END_MS
    assert [p[0] for p in body["total_volumes"]] == times


def test_market_chart_volume_is_rolling_24h(
    replay_server: ReplayServer, replay_history: Any
) -> None:
    body = get(replay_server, "/coins/bitcoin/market_chart", vs_currency="usd", days="2").json()
    bars = replay_history["bitcoin"]["1h"]
    last_day = bars.filter(bars["ts"] >= REPLAY_END_MS - DAY_MS)["volume"].sum()
    assert body["total_volumes"][-1][1] == pytest.approx(last_day)


def test_market_chart_appends_latest_point(make_replay_server: Any) -> None:
    server = make_replay_server(clock=FakeClock(END_S - 3 * 86400 + 25 * 60))
    body = get(server, "/coins/bitcoin/market_chart", vs_currency="usd", days="3").json()
    times = [p[0] for p in body["prices"]]
    assert times[-1] == REPLAY_END_MS - 3 * DAY_MS + 25 * 60_000  # the latest 5m close
    assert times[-2] % 3_600_000 == 0


def test_market_chart_eur_is_converted(replay_server: ReplayServer) -> None:
    usd = get(replay_server, "/coins/bitcoin/market_chart", vs_currency="usd", days="1").json()
    eur = get(replay_server, "/coins/bitcoin/market_chart", vs_currency="eur", days="1").json()
    assert 0.85 < eur["prices"][-1][1] / usd["prices"][-1][1] < 0.97


@pytest.mark.parametrize(
    ("span_days", "step_ms"), [(1, 300_000), (3, 3_600_000), (90, 3_600_000), (120, DAY_MS)]
)
def test_market_chart_range_granularity(
    replay_server: ReplayServer, span_days: int, step_ms: int
) -> None:
    start = END_S - span_days * 86400
    body = get(
        replay_server,
        "/coins/bitcoin/market_chart/range",
        vs_currency="usd",
        **{"from": str(start), "to": str(END_S)},
    ).json()
    times = [p[0] for p in body["prices"]]
    assert {b - a for a, b in zip(times, times[1:], strict=False)} == {step_ms}
    assert times[0] >= start * 1000 and times[-1] <= REPLAY_END_MS


def test_market_chart_range_accepts_iso_dates(replay_server: ReplayServer) -> None:
    body = get(
        replay_server,
        "/coins/ethereum/market_chart/range",
        vs_currency="usd",
        **{"from": "2024-05-01", "to": "2024-05-03"},
    ).json()
    assert len(body["prices"]) == 49


@pytest.mark.parametrize(
    "params", [{"from": "x", "to": "1"}, {"from": str(END_S), "to": str(END_S - 10)}]
)
def test_market_chart_range_rejects_bad_bounds(
    replay_server: ReplayServer, params: dict[str, str]
) -> None:
    assert (
        get(
            replay_server, "/coins/bitcoin/market_chart/range", vs_currency="usd", **params
        ).status_code
        == 400
    )


@pytest.mark.parametrize(
    ("days", "candle_ms", "count"),
    [("1", 1_800_000, 48), ("7", 14_400_000, 42), ("30", 14_400_000, 180), ("90", 4 * DAY_MS, 22)],
)
def test_ohlc_candles(replay_server: ReplayServer, days: str, candle_ms: int, count: int) -> None:
    rows = get(replay_server, "/coins/bitcoin/ohlc", vs_currency="usd", days=days).json()
    assert len(rows) == count and all(len(r) == 5 for r in rows)
    assert {b[0] - a[0] for a, b in zip(rows, rows[1:], strict=False)} == {candle_ms}
    assert rows[-1][0] <= REPLAY_END_MS
    assert all(r[3] <= min(r[1], r[4]) <= max(r[1], r[4]) <= r[2] for r in rows)


def test_ohlc_candle_matches_bars(replay_server: ReplayServer, replay_history: Any) -> None:
    rows = get(replay_server, "/coins/bitcoin/ohlc", vs_currency="usd", days="1").json()
    close_t, o, h, lo, c = rows[-1]
    bars = replay_history["bitcoin"]["5m"].filter(
        (lambda t: (t >= close_t - 1_800_000) & (t < close_t))(
            replay_history["bitcoin"]["5m"]["ts"]
        )
    )
    assert (o, h, lo, c) == pytest.approx(
        (bars["open"][0], bars["high"].max(), bars["low"].min(), bars["close"][-1])
    )


@pytest.mark.parametrize("days", ["2", "3", "60", "0", "abc"])
def test_ohlc_rejects_other_days(replay_server: ReplayServer, days: str) -> None:
    response = get(replay_server, "/coins/bitcoin/ohlc", vs_currency="usd", days=days)
    assert response.status_code == 400 and response.json() == {"error": "Invalid days parameter"}


def test_tickers_shape(replay_server: ReplayServer) -> None:
    body = get(replay_server, "/coins/bitcoin/tickers").json()
    assert body["name"] == "Bitcoin"
    identifiers = {t["market"]["identifier"] for t in body["tickers"]}
    assert {"binance", "gdax", "kraken", "bitstamp", "okex", "bybit_spot"} <= identifiers
    for ticker in body["tickers"]:
        assert 0 < ticker["bid_ask_spread_percentage"] < 0.2  # percent, not a fraction
        assert set(ticker["converted_last"]) == {"btc", "eth", "usd"}
        assert ticker["trust_score"] in {"green", "yellow"}
    filtered = get(replay_server, "/coins/bitcoin/tickers", exchange_ids="kraken").json()["tickers"]
    assert [t["market"]["identifier"] for t in filtered] == ["kraken"]


@pytest.mark.parametrize(
    "path", ["/coins/unknown/market_chart", "/coins/unknown/ohlc", "/coins/unknown/tickers"]
)
def test_unknown_coin_is_404(replay_server: ReplayServer, path: str) -> None:
    response = get(replay_server, path, vs_currency="usd", days="1")
    assert response.status_code == 404 and response.json() == {"error": "coin not found"}


def test_exchange_rates_and_coins_list(replay_server: ReplayServer) -> None:
    rates = get(replay_server, "/exchange_rates").json()["rates"]
    assert rates["btc"]["value"] == 1.0 and rates["usd"]["type"] == "fiat"
    ids = {c["id"] for c in get(replay_server, "/coins/list").json()}
    assert {"bitcoin", "polygon-ecosystem-token"} <= ids


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/coins/bitcoin/market_chart", {"days": "366"}),
        ("/coins/bitcoin/market_chart", {"days": "max"}),
        ("/coins/bitcoin/market_chart/range", {"from": str(END_S - 370 * 86400), "to": str(END_S)}),
        ("/coins/bitcoin/ohlc", {"days": "max"}),
    ],
)
def test_history_limit_10012_on_demo_plan(
    make_replay_server: Any, path: str, params: dict[str, str]
) -> None:
    demo = make_replay_server()
    response = get(demo, path, vs_currency="usd", **params)
    assert response.status_code == 401
    status = response.json()["error"]["status"]
    assert status["error_code"] == 10012 and "past 365 days" in status["error_message"]
    assert get(make_replay_server(plan="pro"), path, vs_currency="usd", **params).status_code == 200


def test_paid_intervals_are_refused_on_demo(make_replay_server: Any) -> None:
    response = get(
        make_replay_server(),
        "/coins/bitcoin/market_chart",
        vs_currency="usd",
        days="2",
        interval="hourly",
    )
    assert response.status_code == 401 and response.json()["status"]["error_code"] == 10005
    daily = get(
        make_replay_server(),
        "/coins/bitcoin/market_chart",
        vs_currency="usd",
        days="30",
        interval="daily",
    )
    assert len(daily.json()["prices"]) == 31
