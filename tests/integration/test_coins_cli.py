"""``finbot coins add|list``: a new coin is checked against /coins/list (the replay server)
and ADDED to the ten defaults in the home's coins.json."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from finbot.config import load_settings
from finbot.paths import Paths
from finbot.replay import ReplayServer
from finbot.replay.synthetic import DAY_MS, generate_history
from tests.fixtures.cli import invoke
from tests.fixtures.replay import REPLAY_END_MS, History

pytestmark = pytest.mark.integration


@pytest.fixture
def server_with_litecoin(
    make_replay_server: Callable[..., ReplayServer], replay_history: History
) -> ReplayServer:
    extra = generate_history(["litecoin"], REPLAY_END_MS - 30 * DAY_MS, REPLAY_END_MS, 3)
    return make_replay_server(history={**replay_history, **extra})


def test_add_checks_the_id_and_adds_to_the_defaults(
    home: Paths, server_with_litecoin: ReplayServer
) -> None:
    result = invoke(home, "coins", "add", "litecoin", "--base-url", server_with_litecoin.url)
    assert result.exit_code == 0, result.output
    assert "added to" in result.output
    ids = load_settings(home).coins.ids
    assert len(ids) == 11 and ids[0] == "bitcoin" and ids[-1] == "litecoin"
    written = json.loads((home.config_dir / "coins.json").read_text("utf-8"))
    assert written == {"coins": [{"id": "litecoin", "symbol": "LTC", "name": "Litecoin"}]}
    assert any("/coins/list" in r for r in map(str, server_with_litecoin.requests))
    listed = invoke(home, "coins", "list", "--json")
    assert [c["id"] for c in json.loads(listed.output)["coins"]][-1] == "litecoin"


def test_an_id_coingecko_does_not_list_is_one_line_and_exit_2(
    home: Paths, server_with_litecoin: ReplayServer
) -> None:
    url = server_with_litecoin.url
    result = invoke(home, "coins", "add", "notacoin", "--base-url", url)
    assert result.exit_code == 2
    assert "CoinGecko lists no coin with the id 'notacoin'" in result.output
    assert not (home.config_dir / "coins.json").exists()
    again = invoke(home, "coins", "add", "bitcoin", "--base-url", url)
    assert again.exit_code == 2 and "already followed" in again.output


def test_offline_add_and_the_french_aliases(home: Paths) -> None:
    result = invoke(
        home, "cryptos", "ajouter", "litecoin", "--offline", "--symbol", "ltc", "--name", "Litecoin"
    )
    assert result.exit_code == 0, result.output
    table = invoke(home, "cryptos", "liste", lang="fr").output
    assert "LTC" in table and "Cryptos (11 suivies)" in table
    bad = invoke(home, "coins", "add", "Not An Id", "--offline", "--symbol", "x", "--name", "x")
    assert bad.exit_code == 2
