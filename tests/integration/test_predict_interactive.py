"""The interactive ``prevoir``: questions on a terminal (pseudo-terminal via pexpect, and
prompt_toolkit's pipe input for the keys), none without a terminal."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from finbot.cli.context import AppContext
from finbot.paths import Paths

pytestmark = pytest.mark.integration
DOWN = "\x1b[B"


@pytest.mark.parametrize(
    ("lang", "keys", "expected", "questions"),
    [
        (
            "fr",
            ["\r", DOWN + "\r"],
            ("bitcoin", "1h"),
            ("Quelle crypto ?", "Dans combien de temps ?"),
        ),
        ("en", ["2", "\r", "3", "\r"], ("ethereum", "6h"), ("Which crypto?", "In how long?")),
        ("en", [DOWN, DOWN, "\r", "\r"], ("solana", "10m"), ("Which crypto?", "In how long?")),
    ],
)
def test_prompt_keys(
    home: Paths, lang: str, keys: list[str], expected: tuple[str, str], questions: tuple[str, str]
) -> None:
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from finbot.cli.predict_cmd import interactive

    app_ctx = AppContext(paths=home, lang=lang)
    with create_pipe_input() as pipe:
        for key in keys:
            pipe.send_text(key)
        assert interactive(app_ctx, input=pipe, output=DummyOutput()) == expected


@pytest.mark.slow
def test_prevoir_on_a_pseudo_terminal(trained_home: Paths) -> None:
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "FINBOT_HOME": str(trained_home.home), "PYTHONIOENCODING": "utf-8"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "finbot", "--lang", "fr", "prevoir"],
        env=env,
        encoding="utf-8",
        timeout=180,
        dimensions=(40, 140),
    )
    try:
        child.expect("Quelle crypto")
        child.expect(r"\(flèches ou numéro, Entrée\)")  # not questionary's English hint
        child.send("1")
        child.send("\r")
        child.expect("Dans combien de temps")
        child.send(DOWN)
        child.send("\r")
        child.expect(r"Bitcoin dans 1 h : .* — confiance \d+ % — (ACHETER|VENDRE|CONSERVER)")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def test_prevoir_without_a_terminal_exits_2(trained_home: Paths) -> None:
    env = {**os.environ, "FINBOT_HOME": str(trained_home.home)}
    done = subprocess.run(
        [sys.executable, "-m", "finbot", "--lang", "en", "prevoir"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert done.returncode == 2
    assert done.stdout == "" and "--coin" in done.stderr and "--kind best" in done.stderr
