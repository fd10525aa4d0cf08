"""Issue 12 item 10: on a keyless first start the most-capitalised coin is answered first,
with the fewest requests, and every coin within 10 % of the rate-limit bound (against the
replay server enforcing the keyless limit; one fake clock for the server and the bot, so the
limiter's waits are the only time that passes)."""

from __future__ import annotations

import json

import pytest

from finbot.clock import FakeClock
from finbot.config import load_settings
from finbot.config.sizing import MachineFacts
from finbot.ops.training import first_start
from finbot.paths import Paths
from finbot.services import Services
from tests.fixtures.replay import REPLAY_END_MS

pytestmark = pytest.mark.integration

MACHINE = MachineFacts(cores=2, memory_mb=8192, available_mb=4096)


def _quick_settings(home: Paths) -> None:
    settings = {
        "training": {"algorithms": ["linear"]},
        "history_days": {"1d": 365, "1h": 730, "5m": 1},
    }
    (home.config_dir / "settings.json").write_text(json.dumps(settings), "utf-8")


def test_keyless_first_start_answers_the_largest_coin_first_within_the_bound(
    home: Paths, make_replay_server
) -> None:
    clock = FakeClock(REPLAY_END_MS / 1000)
    server = make_replay_server(clock=clock, rpm_limit=10)
    _quick_settings(home)
    settings = load_settings(home)
    with Services(home, settings, clock=clock, base_url=server.url, machine=MACHINE) as services:
        result = first_start(services)
    answers = result["first_answers"]
    caps = {c: server.source.latest(c, server.now_ms())[2] for c in settings.coins.ids}
    assert answers["order"] == sorted(caps, key=lambda c: -caps[c])
    assert answers["errors"] == [] and set(answers["ready_s"]) == set(settings.coins.ids)
    # one /simple/price for the caps, then 4 hourly chunks of 90 days per coin
    assert answers["requests_needed"] == 1 + 4 * 10 and answers["rpm"] == 10
    coingecko = [r for r in server.requests if r["path"].startswith("/api/v3/")]
    first_phase = [r["path"].rsplit("/", 1)[-1] for r in coingecko[: answers["requests_needed"]]]
    assert first_phase == ["price"] + ["range"] * 40
    assert "429" not in server.stats()["status"]
    ready = answers["ready_s"]
    assert ready[answers["order"][0]] == answers["first_ready_s"] <= 60
    assert answers["all_ready_s"] <= 1.1 * answers["bound_s"] == pytest.approx(1.1 * 41 * 6)
    assert result["trained"] == 10 and result["horizon"] == "1h"


def test_a_resumed_first_start_fetches_only_what_is_missing(
    home: Paths, make_replay_server
) -> None:
    clock = FakeClock(REPLAY_END_MS / 1000)
    server = make_replay_server(clock=clock)
    _quick_settings(home)
    settings = load_settings(home)
    with Services(home, settings, clock=clock, base_url=server.url, machine=MACHINE) as services:
        first_start(services)
        first_run = server.stats()["endpoints"]
        server.reset_stats()
        again = first_start(services)
    assert again["first_answers"]["errors"] == []
    coingecko = [
        r["path"].rsplit("/", 1)[-1] for r in server.requests if r["path"].startswith("/api/v3/")
    ]
    # the first answers' series are only extended from their newest bar: one request a coin
    assert coingecko[:11] == ["price"] + ["range"] * 10
    assert len(coingecko) < sum(first_run.values())
