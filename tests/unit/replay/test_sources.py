"""Replay server: FX and Binance families, CSV folders (synthetic and real)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import httpx
import pytest

from finbot.clock import FakeClock
from finbot.errors import DataError, UsageError
from finbot.replay import ReplayServer, load_csv_dir
from finbot.replay.synthetic import DAY_MS, generate_history, write_history_csv
from tests.fixtures.replay import REPLAY_END_MS

pytestmark = pytest.mark.unit


@functools.cache
def _client() -> httpx.Client:
    return httpx.Client(timeout=10)


def test_fx_keyless_shape(replay_server: ReplayServer) -> None:
    body = _client().get(replay_server.fx_url + "/latest/USD").json()
    assert body["result"] == "success" and body["base_code"] == "USD"
    assert body["rates"]["USD"] == 1.0 and 0.85 < body["rates"]["EUR"] < 0.97
    assert body["time_last_update_unix"] == REPLAY_END_MS // 1000
    assert body["time_last_update_utc"].endswith("+0000")


def test_fx_keyed_shape_and_errors(make_replay_server: Any) -> None:
    server = make_replay_server(fx_keys={"k1"})
    ok = _client().get(server.fx_url + "/k1/latest/USD").json()
    assert ok["result"] == "success" and "conversion_rates" in ok and "rates" not in ok
    bad = _client().get(server.fx_url + "/nope/latest/USD")
    assert (
        bad.status_code == 403
        and bad.json()["error-type"] == "invalid-key"
        and bad.json()["result"] == "error"
    )
    assert (
        _client().get(server.fx_url + "/k1/latest/XXX").json()["error-type"] == "unsupported-code"
    )
    assert _client().get(server.fx_url + "/k1/other").json()["error-type"] == "malformed-request"
    eur = _client().get(server.fx_url + "/k1/latest/EUR").json()["conversion_rates"]
    assert eur["EUR"] == 1.0 and eur["USD"] > 1.0


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/v3/ping", {}, 200),
        ("/api/v3/time", {}, 200),
        ("/api/v3/klines", {"symbol": "NOPEUSDT", "interval": "1h"}, 400),
        ("/api/v3/klines", {"symbol": "BTCUSDT", "interval": "7m"}, 400),
        ("/api/v3/unknown", {}, 404),
    ],
)
def test_binance_routes(
    replay_server: ReplayServer, path: str, params: dict[str, str], status: int
) -> None:
    assert _client().get(replay_server.exchange_url + path, params=params).status_code == status


def test_binance_klines_shape_and_aggregation(
    replay_server: ReplayServer, replay_history: Any
) -> None:
    rows = (
        _client()
        .get(
            replay_server.exchange_url + "/api/v3/klines",
            params={"symbol": "BTCUSDT", "interval": "4h", "limit": "2"},
        )
        .json()
    )
    assert len(rows) == 2 and len(rows[0]) == 12
    open_t, o, h, lo, c, vol, close_t = rows[-1][:7]
    assert close_t == open_t + 4 * 3_600_000 - 1 and close_t < REPLAY_END_MS
    hourly = replay_history["bitcoin"]["1h"]
    part = hourly.filter((hourly["ts"] >= open_t) & (hourly["ts"] < open_t + 4 * 3_600_000))
    assert float(h) == pytest.approx(part["high"].max()) and float(c) == pytest.approx(
        part["close"][-1]
    )
    assert float(vol) * float(c) == pytest.approx(part["volume"].sum(), rel=1e-6)
    info = _client().get(replay_server.exchange_url + "/api/v3/exchangeInfo").json()
    assert {"BTCUSDT", "POLUSDT"} <= {s["symbol"] for s in info["symbols"]}


def test_csv_dir_synthetic_folder(tmp_path: Path) -> None:
    history = generate_history(
        ["bitcoin"], REPLAY_END_MS - 5 * DAY_MS, REPLAY_END_MS, 2, ("1h", "1d")
    )
    write_history_csv(history, tmp_path)
    (tmp_path / "README.txt").write_text("ignored")
    source = load_csv_dir(tmp_path)
    assert source.label == "synthetic" and source.coins == ["bitcoin"]
    series = source.series["bitcoin"]["1h"]
    assert series.volume.tolist() == pytest.approx(
        history["bitcoin"]["1h"]["volume"].to_list(), rel=1e-9
    )
    assert source.end_ms == REPLAY_END_MS


@pytest.mark.parametrize(("unit", "factor"), [("base", 2.0), ("usd", 1.0)])
def test_csv_volume_units_and_epoch_times(tmp_path: Path, unit: str, factor: float) -> None:
    (tmp_path / "bitcoin_1h.csv").write_text(
        "timestamp,open,high,low,close,volume\n1700000000,1,3,1,2,10\n1700003600,2,3,1,2,10\n"
    )
    source = load_csv_dir(tmp_path, volume_unit=unit)
    assert source.series["bitcoin"]["1h"].volume.tolist() == [10 * factor, 10 * factor]
    assert int(source.series["bitcoin"]["1h"].ts[0]) == 1_700_000_000_000
    assert source.label == f"csv:{tmp_path.name}"


@pytest.mark.parametrize("problem", ["missing", "empty", "unit"])
def test_csv_dir_errors(tmp_path: Path, problem: str) -> None:
    folder = tmp_path / "missing" if problem == "missing" else tmp_path
    if problem == "unit":
        (tmp_path / "bitcoin_1d.csv").write_text("timestamp,open,high,low,close,volume\n")
    with pytest.raises(UsageError):
        load_csv_dir(folder, volume_unit="bananas" if problem == "unit" else "auto")


@pytest.mark.realdata
def test_serves_real_binance_csvs(real_data: Path) -> None:
    source = load_csv_dir(real_data / "binance-2024h1", coins=["bitcoin", "ethereum"])
    clock = FakeClock(1_717_200_000)  # 2024-06-01, inside the files' range
    with ReplayServer(source, clock=clock) as server:
        price = (
            _client()
            .get(
                server.url + "/simple/price",
                params={"ids": "bitcoin", "vs_currencies": "usd", "include_24hr_vol": "true"},
            )
            .json()["bitcoin"]
        )
        assert 60_000 < price["usd"] < 72_000  # BTC on 2024-06-01
        assert 1e9 < price["usd_24h_vol"] < 1e11  # base volume converted to USD
        chart = (
            _client()
            .get(
                server.url + "/coins/ethereum/market_chart",
                params={"vs_currency": "usd", "days": "1"},
            )
            .json()["prices"]
        )
        assert len(chart) >= 280 and {
            b[0] - a[0] for a, b in zip(chart, chart[1:], strict=False)
        } == {300_000}
        ohlc = (
            _client()
            .get(server.url + "/coins/bitcoin/ohlc", params={"vs_currency": "usd", "days": "30"})
            .json()
        )
        assert len(ohlc) >= 170


@pytest.mark.realdata
def test_serves_real_daily_usd_csvs(real_data: Path) -> None:
    source = load_csv_dir(real_data / "daily-to-2024-08", volume_unit="usd", coins=["cardano"])
    with ReplayServer(source, plan="pro") as server:
        body = (
            _client()
            .get(
                server.url + "/coins/cardano/market_chart",
                params={"vs_currency": "usd", "days": "max"},
            )
            .json()
        )
        assert len(body["prices"]) > 2000


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("1704067200,1,2,1,1,5,9", "line 3: expected 6 fields (as in the header), got 7"),
        ("1704067200,1,2,1", "line 3: expected 6 fields (as in the header), got 4"),
        ("1704067200,x,2,1,1,5", "line 3: open: expected a number, got 'x'"),
    ],
)
def test_a_ragged_csv_gets_our_own_line_numbered_message(
    tmp_path: Path, rows: str, message: str
) -> None:
    """Issue 12, item 5: no polars internals (``truncate_ragged_lines=True``), a line number."""
    (tmp_path / "bitcoin_1h.csv").write_text(
        "timestamp,open,high,low,close,volume\n1704063600,1,2,1,1,5\n" + rows + "\n"
    )
    with pytest.raises(DataError) as caught:
        load_csv_dir(tmp_path)
    assert str(caught.value).startswith(f"bitcoin_1h.csv: {message}")
    assert "truncate_ragged_lines" not in str(caught.value)
