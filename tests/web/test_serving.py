"""Serving: ``finbot dashboard`` in the foreground until Ctrl+C, and ``finbot start`` serving it
inside the bot process, its URL shown by ``status``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from finbot.ops.dashboard_url import url_file
from finbot.paths import Paths
from tests.fixtures.ops import REPO, finbot_cmd

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _wait_for_url(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert "Dashboard: http://127.0.0.1:" in line, line
    return line.split("Dashboard: ")[1].strip()


def test_dashboard_command_serves_until_ctrl_c(trained_home: Paths) -> None:
    proc = subprocess.Popen(
        [*finbot_cmd(trained_home, "tableau-de-bord", "--port", "0")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        url = _wait_for_url(proc)
        assert httpx.get(url + "api/v1/models", timeout=30).status_code == 200
        assert json.loads(url_file(trained_home).read_text("utf-8"))["url"] == url
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not url_file(trained_home).exists()


def test_the_bot_serves_the_dashboard_and_status_shows_it(
    offline_home: Paths,
    run_finbot: Callable[..., subprocess.CompletedProcess[str]],
    bot_guard: list[Paths],
) -> None:
    assert json.loads((offline_home.config_dir / "settings.json").read_text("utf-8")) == {
        "dashboard": {"port": 0}
    }
    bot_guard.append(offline_home)
    started = run_finbot(offline_home, "start", "--no-setup", "--no-menu")
    assert started.returncode == 0, started.stderr
    try:
        status: dict[str, object] = {}
        for _ in range(100):
            status = json.loads(run_finbot(offline_home, "status", "--json").stdout)
            if status.get("dashboard"):
                break
            time.sleep(0.2)
        url = str(status["dashboard"])
        assert status["running"] is True and url.startswith("http://127.0.0.1:")
        assert httpx.get(url + "api/v1/status", timeout=30).status_code == 200
        where = json.loads(url_file(offline_home).read_text("utf-8"))
        assert where["pid"] == status["pid"]  # served by the bot's own process
        text = run_finbot(offline_home, "status").stdout
        assert f"dashboard {url}" in text
    finally:
        assert run_finbot(offline_home, "stop").returncode == 0
    assert json.loads(run_finbot(offline_home, "status", "--json").stdout)["dashboard"] is None


def test_the_demo_says_how_to_open_its_dashboard(home: Paths) -> None:
    import io

    from rich.console import Console

    from finbot.cli.context import AppContext
    from finbot.cli.demo_cmd import _dashboard_hint

    for lang, command in (("en", "dashboard, then open"), ("fr", "tableau-de-bord, puis ouvrez")):
        out = io.StringIO()
        app_ctx = AppContext(paths=home, lang=lang, console=Console(file=out, width=200))
        _dashboard_hint(app_ctx)
        text = out.getvalue()
        assert f"finbot --home {home.home} {command} http://127.0.0.1:8765/" in text


def test_demo_serve_keeps_the_dashboard_open_on_the_demo_home(tmp_path: Path) -> None:
    home = Paths.resolve(tmp_path / "demo-home").ensure()
    (home.config_dir / "settings.json").write_text(json.dumps({"dashboard": {"port": 0}}), "utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("COINGECKO_API_KEYS", "FINBOT_DB_URL")}
    proc = subprocess.Popen(
        finbot_cmd(home, "demo", "--coins", "bitcoin", "--days", "60", "--serve"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=REPO,
        env=env,
    )
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:  # the demo's table, then the dashboard's address
            lines.append(line)
            if line.startswith("Dashboard: http://"):
                break
        url = lines[-1].split("Dashboard: ")[1].strip()
        served = httpx.get(url + "api/v1/predictions", timeout=60).json()
        assert {p["coin"] for p in served["predictions"]} == {"bitcoin"}
        assert len(served["predictions"]) == 5
        proc.send_signal(signal.SIGINT)
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
