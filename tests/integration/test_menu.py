"""The interactive menu (after ``demarrer``, or ``finbot menu``): every entry reached by keys
through prompt_toolkit's pipe input, a real pseudo-terminal session with pexpect, and the
no-terminal refusal."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest
from rich.console import Console

from finbot.cli.context import AppContext
from finbot.paths import Paths

pytestmark = pytest.mark.integration
DOWN = "\x1b[B"
ENTER = "\r"


def _ctx(paths: Paths, lang: str) -> tuple[AppContext, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    app_ctx = AppContext(
        paths=paths,
        lang=lang,
        console=Console(file=out, width=160, force_terminal=False),
        err=Console(file=err, width=160, force_terminal=False),
    )
    return app_ctx, out, err


def _drive(app_ctx: AppContext, keys: list[str]) -> None:
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from finbot.cli.menu import run_menu

    with create_pipe_input() as pipe:
        for key in keys:
            pipe.send_text(key)
        run_menu(app_ctx, input=pipe, output=DummyOutput())


@pytest.mark.parametrize(
    ("lang", "keys", "expected"),
    [
        # Predictions → Price → Bitcoin → 1 h (second horizon), Back, Quit
        (
            "en",
            ["1", ENTER, "1", ENTER, "1", ENTER, DOWN, ENTER, "0", ENTER, "5", ENTER],
            [
                r"Bitcoin in 1 h: .* \$ \([+-]\d+\.\d+ %\) — 80 % interval .* — (BUY|SELL|HOLD)",
                r"Goodbye\.",
            ],
        ),
        # the same in French, with arrow keys only
        (
            "fr",
            [ENTER, ENTER, ENTER, DOWN, ENTER, DOWN * 5, ENTER, DOWN * 4, ENTER],
            [
                r"Bitcoin dans 1 h : .* — confiance \d+ % — (ACHETER|VENDRE|CONSERVER)",
                r"Au revoir\.",
            ],
        ),
        # Amount: Ethereum, 1 h, 250 EUR
        (
            "en",
            [
                "1",
                ENTER,
                "2",
                ENTER,
                "2",
                ENTER,
                DOWN,
                ENTER,
                "\x7f" * 8 + "250",
                ENTER,
                "0",
                ENTER,
                "5",
                ENTER,
            ],
            [
                r"Ethereum in 1 h:",
                r"250\.00 EUR → [\d,.]+ EUR in 1 h; costs [\d.]+ EUR; net profit",
            ],
        ),
        # Time to target: Bitcoin +50 % (never within 12 h)
        (
            "en",
            ["1", ENTER, "3", ENTER, "1", ENTER, "\x7f" * 4 + "50", ENTER, "0", ENTER, "5", ENTER],
            [r"Bitcoin \+50 %: not within 12 h"],
        ),
        # Best moment, then Statistics (the price asked just before is tracked)
        (
            "en",
            ["1", ENTER, "4", ENTER, "5", ENTER, "0", ENTER, "5", ENTER],
            [
                r"Top buys:",
                r"Top sells:",
                r"Tracked predictions: \d+ pending",
                r"Recent predictions",
            ],
        ),
        # Status, Models, Confidence
        (
            "en",
            ["2", ENTER, "3", ENTER, "4", ENTER, "5", ENTER],
            [
                r"finbot at .*not running",
                r"Live models \(MAE ratio < 1: beats the naive baseline\)",
                r"BTC +1h +1h +linear +\d\d-\d\d \d\d:\d\d +0\.\d+ +yes",
                r"Interval coverage \(nominal 80 %\)",
            ],
        ),
        (
            "fr",
            ["3", ENTER, "5", ENTER],
            [r"Modèles en service", r"ETH +1h +1h +naive .* +1,000 +non", r"Au revoir"],
        ),
    ],
    ids=["price-en", "price-fr-arrows", "amount", "when", "best-stats", "views-en", "models-fr"],
)
def test_menu_entries(trained_home: Paths, lang: str, keys: list[str], expected: list[str]) -> None:
    app_ctx, out, err = _ctx(trained_home, lang)
    _drive(app_ctx, keys)
    text = out.getvalue()
    for pattern in expected:
        assert re.search(pattern, text), (pattern, text[-3000:], err.getvalue()[-2000:])
    assert "error:" not in err.getvalue()


def test_an_entry_that_fails_prints_one_line_and_the_menu_goes_on(home: Paths) -> None:
    """No models: the price entry fails with a clear line, then Quit still works."""
    app_ctx, out, err = _ctx(home, "en")
    _drive(app_ctx, ["1", ENTER, "1", ENTER, "1", ENTER, ENTER, "0", ENTER, "5", ENTER])
    assert "error:" in err.getvalue()
    assert "Goodbye." in out.getvalue()


def test_ctrl_c_leaves_the_menu(trained_home: Paths) -> None:
    app_ctx, out, _ = _ctx(trained_home, "fr")
    _drive(app_ctx, ["\x03"])
    assert "Au revoir." in out.getvalue()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("500", 500.0),
        ("2,5", 2.5),
        ("1 000", 1000.0),
        ("0", None),
        ("-3", None),
        ("abc", None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_parse_number(text: str, value: float | None) -> None:
    from finbot.cli.menu import parse_number

    assert parse_number(text) == value


def test_menu_without_a_terminal_exits_2(trained_home: Paths) -> None:
    env = {**os.environ, "FINBOT_HOME": str(trained_home.home)}
    done = subprocess.run(
        [sys.executable, "-m", "finbot", "--lang", "fr", "menu"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == "" and "terminal" in done.stderr and "prevoir" in done.stderr


@pytest.mark.slow
def test_menu_on_a_pseudo_terminal(trained_home: Paths) -> None:
    """``finbot menu`` on a real pseudo-terminal: Predictions → Price → Bitcoin → 1 h, then
    Back and Quit; the answer line is the spec's."""
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "FINBOT_HOME": str(trained_home.home), "PYTHONIOENCODING": "utf-8"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "finbot", "--lang", "en", "menu"],
        env=env,
        encoding="utf-8",
        timeout=180,
        dimensions=(40, 160),
    )
    try:
        for prompt, keys in (
            ("main menu", ["1", ENTER]),
            ("Predictions", ["1", ENTER]),
            ("Which crypto", ["1", ENTER]),
            ("In how long", [DOWN, ENTER]),
        ):
            child.expect(prompt)
            for key in keys:
                child.send(key)
        child.expect(r"Bitcoin in 1 h: .* — confidence \d+ % — (BUY|SELL|HOLD)")
        child.expect("Predictions")
        child.send("0")
        child.send(ENTER)
        child.expect("main menu")
        child.send("5")
        child.send(ENTER)
        child.expect("Goodbye")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
