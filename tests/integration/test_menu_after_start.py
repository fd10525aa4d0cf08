"""``finbot demarrer`` on a terminal: the bot starts in the background, then the menu opens;
Quit leaves the bot running (the menu says so) and ``arreter`` stops it."""

from __future__ import annotations

import os

import pytest

from finbot.paths import Paths
from tests.fixtures.ops import DEAD_URL, finbot_cmd, write_api_config

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_demarrer_opens_the_menu_and_quit_leaves_the_bot_running(
    trained_home: Paths, monkeypatch: pytest.MonkeyPatch, bot_guard: list[Paths], run_finbot
) -> None:
    pexpect = pytest.importorskip("pexpect")
    from finbot.ops.process import probe

    write_api_config(trained_home, f"{DEAD_URL}/api/v3", f"{DEAD_URL}/v6", DEAD_URL)
    monkeypatch.setenv("FINBOT_COINGECKO_URL", f"{DEAD_URL}/api/v3")
    bot_guard.append(trained_home)
    command = finbot_cmd(trained_home, "demarrer")
    command[command.index("--lang") + 1] = "fr"
    child = pexpect.spawn(
        command[0],
        command[1:],
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 140),
    )
    try:
        child.expect("finbot démarré en arrière-plan")  # the PID is coloured
        child.expect("menu principal")
        child.send("5")
        child.send("\r")
        child.expect("Menu fermé ; finbot continue en arrière-plan")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert probe(trained_home).running
    stopped = run_finbot(trained_home, "stop")
    assert stopped.returncode == 0 and "finbot stopped" in stopped.stdout, stopped.stderr
    assert not probe(trained_home).running
