"""Issue 7.4 (fuzz): the CoinGecko payload parsers, the CSV importer and the configuration
loader, each fed 500+ generated inputs, either return valid values or raise the one error
type meant for bad input (DataError / ConfigError); never anything else, never a bad value."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finbot.collectors import payloads
from finbot.config import load_settings
from finbot.errors import ConfigError, DataError, FinbotError
from finbot.paths import Paths
from finbot.storage.csv_import import import_csv
from finbot.storage.parquet_writer import BarStore
from tests.reliability.helpers import tree_hashes

pytestmark = [pytest.mark.reliability, pytest.mark.slow]
FUZZ = settings(
    max_examples=500,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**15), 10**15),
    st.sampled_from([0, -1, 1e9, 1e9 + 1, 1e12, 1.7e12, 1_717_200_000_000]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=8))
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=20,
)
PRICE_FIELDS = ("usd", "eur", "usd_market_cap", "usd_24h_vol", "usd_24h_change", "last_updated_at")
simple_price = st.dictionaries(
    st.sampled_from(["bitcoin", "ethereum", "x"]),
    st.one_of(st.dictionaries(st.sampled_from(PRICE_FIELDS), scalars, max_size=6), json_values),
    max_size=3,
)
pair = st.lists(st.one_of(numbers, scalars), min_size=0, max_size=3)
chart = st.fixed_dictionaries(
    {},
    optional={
        "prices": st.lists(pair, max_size=6),
        "market_caps": st.lists(pair, max_size=4),
        "total_volumes": st.lists(pair, max_size=4),
    },
)
ohlc = st.lists(st.lists(numbers, min_size=4, max_size=6), max_size=6)
market_row = st.fixed_dictionaries(
    {"id": st.sampled_from(["bitcoin", "", 3])},
    optional={
        k: scalars
        for k in (
            "current_price",
            "market_cap",
            "total_volume",
            "high_24h",
            "low_24h",
            "market_cap_rank",
            "price_change_percentage_1h_in_currency",
            "last_updated",
        )
    },
)
tickers = st.fixed_dictionaries(
    {
        "tickers": st.lists(
            st.one_of(
                json_values,
                st.fixed_dictionaries(
                    {
                        "market": st.one_of(
                            json_values, st.fixed_dictionaries({"identifier": scalars})
                        ),
                        "converted_last": st.one_of(
                            scalars, st.fixed_dictionaries({"usd": scalars})
                        ),
                        "bid_ask_spread_percentage": scalars,
                    }
                ),
            ),
            max_size=4,
        )
    }
)


def _price_ok(value: float) -> bool:
    return math.isfinite(value) and 0 < value <= payloads.MAX_PRICE_USD


def _check(parse: Any, data: Any) -> Any:
    try:
        return parse(data)
    except DataError:
        return None


@FUZZ
@given(st.one_of(simple_price, json_values))
def test_fuzz_simple_price(data: Any) -> None:
    out = _check(
        lambda d: payloads.parse_simple_price(d, ["bitcoin", "ethereum"], ("usd", "eur")), data
    )
    for quote in (out or {}).values():
        assert _price_ok(quote.usd) and (quote.eur is None or _price_ok(quote.eur))
        assert isinstance(quote.last_updated_at, int)


@FUZZ
@given(st.one_of(chart, json_values))
def test_fuzz_market_chart(data: Any) -> None:
    out = _check(payloads.parse_chart, data)
    if out is not None:
        assert all(_price_ok(p) and t >= payloads.MIN_TS_MS for t, p in out.prices)
        assert all(math.isfinite(v) and v >= 0 for _, v in out.market_caps + out.volumes)


@FUZZ
@given(st.one_of(ohlc, json_values))
def test_fuzz_ohlc(data: Any) -> None:
    for candle in _check(payloads.parse_ohlc, data) or []:
        assert all(_price_ok(v) for v in (candle.open, candle.high, candle.low, candle.close))
        assert candle.low <= min(candle.open, candle.close) <= candle.high


@FUZZ
@given(st.one_of(st.lists(market_row, max_size=4), json_values))
def test_fuzz_markets(data: Any) -> None:
    for row in _check(payloads.parse_markets, data) or []:
        assert _price_ok(row.price) and row.coin


@FUZZ
@given(st.one_of(tickers, json_values))
def test_fuzz_tickers(data: Any) -> None:
    for ticker in _check(payloads.parse_tickers, data) or []:
        assert ticker.last_usd is None or math.isfinite(ticker.last_usd)


@FUZZ
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_fuzz_json_bytes(body: bytes) -> None:
    _check(payloads.loads, body)  # anything but DataError fails the test


CELLS = st.one_of(
    st.sampled_from(
        [
            "2024-01-01T00:00:00Z",
            "2024-01-01T01:00:00Z",
            "1704067200000",
            "1704070800",
            "nan",
            "-1",
            "0",
            "1e400",
            "",
            "abc",
            "40000",
            "40100",
            "39900",
            "10",
            '"x,y"',
        ]
    ),
    st.text(max_size=6),
    st.floats().map(str),
)
HEADERS = [
    "timestamp,open,high,low,close,volume",
    "ts,open,high,low,close",
    "date,close",
    "open,high",
    "",
]


@FUZZ
@given(st.sampled_from(HEADERS), st.lists(st.lists(CELLS, min_size=0, max_size=7), max_size=6))
def test_fuzz_csv_import(header: str, rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        store = BarStore(root / "parquet")
        csv = root / "in.csv"
        csv.write_text("\n".join([header, *(",".join(r) for r in rows)]) + "\n", "utf-8")
        try:
            import_csv(store, csv, "bitcoin", "1h")
        except FinbotError:
            assert not list((root / "parquet").rglob("*.parquet"))  # nothing imported
            return
        assert store.verify().ok


CONFIG_FILES = (
    "api_config.json",
    "coins.json",
    "settings.json",
    "thresholds.json",
    "targets.json",
    "costs.json",
    "secrets.json",
)
config_docs = st.one_of(
    json_values,
    st.dictionaries(
        st.sampled_from(
            [
                "coingecko",
                "coins",
                "horizons",
                "cadences_sec",
                "decision",
                "net_profit_eur",
                "fee_per_order_eur",
                "coingecko_api_keys",
                "confidence",
                "retries",
            ]
        ),
        json_values,
        max_size=3,
    ),
)


@FUZZ
@given(st.sampled_from(CONFIG_FILES), st.one_of(config_docs.map(json.dumps), st.text(max_size=40)))
def test_fuzz_config_loader(name: str, text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = Paths.resolve(folder)
        paths.config_dir.mkdir(parents=True)
        (paths.config_dir / name).write_text(text, "utf-8")
        before = tree_hashes(paths.home)
        try:
            load_settings(paths)
        except ConfigError as exc:
            assert "\n" not in str(exc) and str(exc)
        assert tree_hashes(paths.home) == before
