from __future__ import annotations

import json
import os
import stat

import pytest

from finbot.config import effective_config, load_settings, resolve_coin, save_secrets
from finbot.config.loader import default_text
from finbot.config.models import Secrets
from finbot.errors import ConfigError, UsageError
from finbot.paths import Paths

pytestmark = pytest.mark.unit


def test_defaults_match_the_original_bot(settings):
    assert len(settings.coins.ids) == 10
    cg = settings.api.coingecko
    assert (cg.auth.rpm_per_key, cg.auth.monthly_cap_total) == (500, 2_000_000)
    assert (cg.timeouts_sec.connect, cg.timeouts_sec.read) == (5, 10)
    assert (cg.retries.max_attempts, cg.retries.backoff_sec, cg.retries.jitter) == (3, 1.5, 0.2)
    assert settings.general.cadences_sec.prices == 30
    assert settings.general.horizons == ("10m", "1h", "6h", "8h", "12h")
    assert settings.general.retention_days.for_timeframe("5m") == 30
    assert settings.general.retention_days.for_timeframe("1d") is None
    assert settings.costs.fee_per_order_eur == 1.0


@pytest.mark.parametrize(
    ("horizon", "expected_pct"),
    [("10m", 2.0), ("6h", 5.0), ("24h", 8.0), ("48h", 8.0), ("1h", 2.0 + 3.0 * 50 / 350)],
)
def test_max_error_is_interpolated_and_a_fraction(settings, horizon, expected_pct):
    assert settings.thresholds.max_error_frac(horizon) == pytest.approx(expected_pct / 100)


def test_targets_interpolate_between_horizons(settings):
    assert settings.targets.target_eur("bitcoin", "6h") == 50
    assert settings.targets.target_eur("bitcoin", "15h") == pytest.approx(125)
    assert settings.targets.target_eur("unknown", "6h") is None


def _write(home: Paths, name: str, content: str) -> None:
    (home.config_dir / name).write_text(content, encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("settings.json", "{", "config/settings.json: line 1 column 2: expected valid JSON"),
        ("settings.json", '{"cadences_sec": {"prices": 5}}', "cadences_sec.prices"),
        ("settings.json", '{"horizons": ["1h", "0m"]}', "horizons"),
        ("settings.json", '{"horizons": ["soon"]}', "expected a positive duration"),
        ("coins.json", '{"replace": true, "coins": []}', "coins"),
        ("coins.json", '{"coins": [{"id": "Bad Id", "symbol": "X", "name": "x"}]}', "coins.0.id"),
        ("targets.json", '{"net_profit_eur": {"notacoin": {"6h": 1}}}', "unknown coin id"),
        ("costs.json", '{"slippage_pct": -1}', "slippage_pct"),
        ("api_config.json", '{"coingecko": {"retries": {"max_attempts": "x"}}}', "max_attempts"),
        ("thresholds.json", "[1, 2]", "expected a JSON object"),
    ],
)
def test_malformed_config_gives_one_clear_line(home, name, content, expected):
    _write(home, name, content)
    with pytest.raises(ConfigError) as info:
        load_settings(home)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message
    assert name in message
    assert info.value.exit_code == 2


def test_a_coins_file_with_one_new_coin_adds_it_to_the_ten(home):
    _write(
        home, "coins.json", '{"coins": [{"id": "litecoin", "symbol": "LTC", "name": "Litecoin"}]}'
    )
    ids = load_settings(home).coins.ids
    assert len(ids) == 11 and ids[0] == "bitcoin" and ids[-1] == "litecoin"


def test_a_coins_entry_with_a_shipped_id_changes_that_coin(home):
    _write(home, "coins.json", '{"coins": [{"id": "dogecoin", "enabled": false}]}')
    coins = load_settings(home).coins
    assert "dogecoin" not in coins.ids and len(coins.ids) == 9
    assert [c.name for c in coins.coins if c.id == "dogecoin"] == ["Dogecoin"]


def test_replace_true_makes_the_users_list_the_whole_list(home):
    _write(
        home,
        "coins.json",
        '{"replace": true, "coins": [{"id": "bitcoin", "symbol": "BTC", "name": "Bitcoin"}]}',
    )
    assert load_settings(home).coins.ids == ("bitcoin",)


def test_a_bad_new_coin_is_named_as_written(home):
    _write(home, "coins.json", '{"coins": [{"id": "litecoin", "name": "Litecoin"}]}')
    with pytest.raises(ConfigError, match=r"coins\.0\.symbol"):
        load_settings(home)


def test_user_copy_overrides_defaults_and_eleventh_coin_is_one_line(home):
    coins = json.loads(default_text("coins.json"))
    coins["coins"].append({"id": "litecoin", "symbol": "LTC", "name": "Litecoin"})
    _write(home, "coins.json", json.dumps(coins))
    _write(home, "settings.json", '{"cadences_sec": {"prices": 15}}')
    loaded = load_settings(home)
    assert loaded.coins.ids[-1] == "litecoin"
    assert loaded.general.cadences_sec.prices == 15
    assert loaded.general.cadences_sec.markets == 60  # deep merge keeps the rest


@pytest.mark.parametrize(
    "text", ["bitcoin", "BTC", "btc", "Bitcoin", "matic-network", "MATIC", "POL"]
)
def test_coin_resolution_by_id_symbol_name_or_alias(settings, text):
    coin = resolve_coin(settings.coins, text)
    assert coin.id in ("bitcoin", "polygon-ecosystem-token")


def test_unknown_coin_is_a_usage_error(settings):
    with pytest.raises(UsageError, match="coin: unknown 'dogwifhat'"):
        resolve_coin(settings.coins, "dogwifhat")


def test_keys_come_from_env_and_are_masked(home, monkeypatch):
    monkeypatch.setenv("COINGECKO_API_KEYS", "CG-aaaaaaaaaaaa1111, CG-bbbbbbbbbbbb2222")
    loaded = load_settings(home)
    assert loaded.secrets.coingecko_keys == ("CG-aaaaaaaaaaaa1111", "CG-bbbbbbbbbbbb2222")
    dumped = json.dumps(effective_config(loaded))
    assert "aaaaaaaa" not in dumped and "****1111" in dumped
    assert "aaaa" not in repr(loaded.secrets)


@pytest.mark.skipif(os.name != "posix", reason="POSIX mode bits")
def test_a_secrets_file_open_to_others_is_warned_about_once(home, monkeypatch, caplog):
    from finbot.config import secrets_file

    monkeypatch.setattr(secrets_file, "_WARNED_OPEN", set())
    path = save_secrets(home, Secrets(coingecko_keys=("CG-secretsecret9999",)))
    caplog.set_level("WARNING", logger="finbot.config")
    load_settings(home)
    assert not caplog.records  # 0600: nothing to say
    path.chmod(0o644)
    for _ in range(2):
        loaded = load_settings(home)  # still used, never refused
        assert loaded.secrets.coingecko_keys == ("CG-secretsecret9999",)
    warned = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warned) == 1
    message = warned[0].getMessage()
    assert str(path) in message and f"chmod 600 {path}" in message and "0644" in message
    assert "secretsecret" not in message


def test_secrets_file_is_private_and_read_back(home):
    secrets = Secrets(coingecko_keys=("CG-secretsecret9999",), exchangerate_key="fx1")
    path = save_secrets(home, secrets)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    loaded = load_settings(home)
    assert loaded.secrets.coingecko_keys == ("CG-secretsecret9999",)
    assert loaded.secrets.exchangerate_key == "fx1"


@pytest.mark.parametrize(
    "content",
    [
        '{"coins": [{"id": []}]}',
        '{"coins": [1]}',
        '{"coins": [{"id": 5, "symbol": "X", "name": "x"}]}',
        '{"coins": [{"symbol": "X", "name": "x"}]}',
    ],
)
def test_a_malformed_added_coin_is_one_config_line(home, content):
    _write(home, "coins.json", content)
    with pytest.raises(ConfigError, match=r"coins\.0"):
        load_settings(home)
