"""Issue 7.4: bad input gives ONE clear error line, exit code 2 (1 for a full disk, which is
not the user's input) and leaves everything stored unchanged: malformed configuration files
through the CLI, a corrupt Parquet file (quarantined, the rest readable), CSV files with bad
rows, CoinGecko payloads with nulls / NaN / negative / absurd prices, a full disk mid-write."""

from __future__ import annotations

import errno
import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from finbot.cli.app import app
from finbot.collectors.runner import run_collector
from finbot.config import load_settings
from finbot.errors import ConfigError
from finbot.paths import Paths
from finbot.replay import ReplayServer
from finbot.services import Services
from finbot.storage.parquet_writer import BarStore
from tests.fixtures.storage import make_bars
from tests.reliability.helpers import make_home, replay_api, report, tree_hashes

pytestmark = pytest.mark.reliability
TRIED: list[str] = []

CONFIG_CASES = [
    ("api_config.json", "{not json", "expected valid JSON"),
    ("api_config.json", '{"coingecko": {"timeouts_sec": {"read": "fast"}}}', "timeouts_sec.read"),
    ("api_config.json", '{"coingecko": {"retries": {"max_attempts": 0}}}', "max_attempts"),
    ("coins.json", '{"coins": "bitcoin"}', "coins"),
    ("coins.json", "[]", "JSON object"),
    ("settings.json", '{"cadences_sec": {"markets": -60}}', "cadences_sec.markets"),
    ("settings.json", '{"cadences_sec": {"chart_5m": "often"}}', "cadences_sec.chart_5m"),
    ("settings.json", '{"horizons": ["0m"]}', "horizons"),
    ("settings.json", '{"horizons": ["-1h"]}', "horizons"),
    ("settings.json", '{"confidence": {"level": 7}}', "confidence.level"),
    ("thresholds.json", '{"decision": {"min_confidence": "high"}}', "min_confidence"),
    ("targets.json", '{"net_profit_eur": {"notacoin": {"6h": 1}}}', "notacoin"),
    ("targets.json", '{"net_profit_eur": {"bitcoin": {"6h": -5}}}', "bitcoin"),
    ("costs.json", '{"fee_per_order_eur": -1}', "fee_per_order_eur"),
    ("costs.json", '{"currency": "USD"}', "currency"),
    ("secrets.json", "{bad", "secrets.json"),
    ("secrets.json", '{"coingecko_api_keys": "CG-one"}', "coingecko_api_keys"),
]


def _invoke(paths: Paths, *args: str) -> object:
    return CliRunner().invoke(app, ["--home", str(paths.home), "--lang", "en", *args])


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def _stored(paths: Paths) -> dict[str, str]:
    return tree_hashes(paths.home, skip=("logs",))


@pytest.mark.parametrize(("name", "text", "field"), CONFIG_CASES)
def test_malformed_config_file(home: Paths, name: str, text: str, field: str) -> None:
    BarStore(home.parquet_dir).upsert("bitcoin", "1h", make_bars(30))
    (home.config_dir / name).write_text(text, "utf-8")
    (home.config_dir / name).chmod(0o600)  # as finbot writes it: no permission warning here
    before = _stored(home)
    for command in (["settings"], ["status", "--json"], ["collect", "prices"]):
        result = _invoke(home, *command)
        assert result.exit_code == 2, (command, result.output)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error:"), lines
        assert name in lines[0] and field in lines[0], lines[0]
        if "--json" in command:  # the error is also one JSON object on stdout
            error = json.loads(result.stdout)["error"]
            assert error["type"] == "ConfigError" and error["message"] in lines[0]
        else:
            assert result.stdout == ""
        TRIED.append(f"{name}: {text[:30]}")
    assert _stored(home) == before


def test_trimmed_coin_list_loads_but_an_unknown_target_coin_does_not(home: Paths) -> None:
    (home.config_dir / "coins.json").write_text(
        '{"replace": true, "coins": [{"id": "bitcoin", "symbol": "BTC", "name": "Bitcoin"}]}'
    )
    assert list(load_settings(home).coins.ids) == ["bitcoin"]
    (home.config_dir / "targets.json").write_text('{"net_profit_eur": {"solana": {"6h": 1}}}')
    with pytest.raises(ConfigError, match="net_profit_eur.solana"):
        load_settings(home)


def test_corrupt_parquet_is_quarantined_and_the_rest_stays_readable(home: Paths) -> None:
    store = BarStore(home.parquet_dir, quarantine_dir=home.quarantine_dir)
    bars = make_bars(24 * 50)  # January and February
    store.upsert("bitcoin", "1h", bars)
    january, february = sorted(home.parquet_dir.rglob("part.parquet"))
    raw = january.read_bytes()
    january.write_bytes(raw[: len(raw) // 2] + b"\x00garbage" * 8)
    result = _invoke(home, "storage", "verify", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and len(data["problems"]) == 1
    assert "unreadable" in data["problems"][0]["problem"] and data["quarantined"]
    assert not january.exists() and list(home.quarantine_dir.rglob("part.parquet"))
    rest = store.read("bitcoin", "1h")
    assert rest.height > 0 and rest.equals(bars.filter(bars["ts"] >= rest["ts"].min()))
    again = _invoke(home, "storage", "verify")
    assert again.exit_code == 1  # not lost silently: reported until the backfill refills it
    assert "bitcoin 1h 2024-01: quarantined, not refilled yet" in again.stdout
    TRIED.append("corrupt parquet")


BAD_ROWS = [
    "2024-01-01T05:00:00Z,40000,40100,39900,40050,-3",  # negative volume
    "2024-01-01T06:00:00Z,40000,39000,39900,40050,10",  # high below the open
    "not-a-date,40000,40100,39900,40050,10",
    "2024-01-01T07:00:00Z,nan,40100,39900,40050,10",
    "2024-01-01T08:00:00Z,40000,40100,39900",  # a field missing
    "2024-01-01T09:00:00Z,0,40100,39900,40050,10",  # zero price
]


@pytest.mark.parametrize("bad", BAD_ROWS)
def test_csv_with_a_bad_row_imports_nothing(home: Paths, tmp_path: Path, bad: str) -> None:
    BarStore(home.parquet_dir).upsert("bitcoin", "1h", make_bars(30))
    good = [f"2024-02-01T0{h}:00:00Z,40000,40100,39900,40050,10" for h in range(5)]
    csv = tmp_path / "bars.csv"
    csv.write_text("\n".join(["timestamp,open,high,low,close,volume", *good, bad]) + "\n")
    before = _stored(home)
    result = _invoke(home, "import-csv", str(csv), "--coin", "btc", "--timeframe", "1h")
    assert result.exit_code == 2, result.output
    assert len(_error_lines(result.stderr)) == 1 and "line 7" in result.stderr
    assert _stored(home) == before
    TRIED.append(f"csv: {bad}")


@pytest.mark.parametrize(
    ("kind", "variant"),
    [("nan", "nan"), ("nan", "negative"), ("nan", "absurd"), ("wrong_types", None)],
)
@pytest.mark.parametrize("collector", ["prices", "markets", "chart_5m"])
def test_bad_payload_is_rejected_with_a_log_line_and_never_stored(
    tmp_path: Path,
    make_replay_server: Callable[..., ReplayServer],
    replay_clock,
    caplog: pytest.LogCaptureFixture,
    kind: str,
    variant: str | None,
    collector: str,
) -> None:
    server = make_replay_server(clock=replay_clock)
    paths = make_home(
        tmp_path / "home",
        replay_api(server.url, server.fx_url, server.exchange_url, attempts=1, read_s=30),
    )  # a loaded CI box is slow
    server.inject(kind, count=5, **({"variant": variant} if variant else {}))
    with (
        caplog.at_level(logging.WARNING),
        Services(paths, load_settings(paths), base_url=server.url, clock=replay_clock) as services,
    ):
        result = run_collector(collector, services.collectors, coins=("bitcoin",))
    assert not result.ok
    assert any(
        "rejected" in r.getMessage() or "unreadable" in r.getMessage() for r in caplog.records
    )
    assert not list(paths.parquet_dir.rglob("*.parquet"))
    TRIED.append(f"payload {collector} {kind}/{variant}")


def test_full_disk_during_an_import_keeps_the_old_file(
    home: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = BarStore(home.parquet_dir)
    store.upsert("bitcoin", "1h", make_bars(30))
    store.migrate()  # marked current, as any finbot command leaves a store
    csv = tmp_path / "bars.csv"
    csv.write_text(
        "timestamp,open,high,low,close,volume\n2024-01-01T05:00:00Z,40000,40100,39900,40050,10\n"
    )
    before = _stored(home)

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("pyarrow.parquet.write_table", disk_full)
    result = _invoke(home, "import-csv", str(csv), "--coin", "bitcoin", "--timeframe", "1h")
    assert result.exit_code == 1
    lines = _error_lines(result.stderr)
    assert len(lines) == 1 and "No space left on device" in lines[0]
    assert "previous file is unchanged" in lines[0]
    assert _stored(home) == before
    TRIED.append("full disk")


def test_zz_report_bad_inputs() -> None:
    report("bad input", {"bad_inputs_tried_in_this_worker": len(TRIED)})
