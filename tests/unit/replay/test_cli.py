"""``finbot replay-server`` as a subprocess: URLs on stdout, serves, stops on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from finbot.replay.synthetic import DAY_MS, generate_history, write_history_csv

pytestmark = pytest.mark.integration


def _start(args: list[str], home: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "FINBOT_HOME": str(home)}
    return subprocess.Popen(
        [sys.executable, "-m", "finbot", "replay-server", "--json", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    return err


def test_embedded_synthetic_history(tmp_path: Path) -> None:
    proc = _start(["--days", "40"], tmp_path)
    try:
        info = json.loads(proc.stdout.readline())  # type: ignore[union-attr]
        assert info["data"] == "synthetic" and info["url"].startswith("http://127.0.0.1:")
        assert info["url"].endswith("/api/v3") and "bitcoin" in info["coins"]
        body = httpx.get(
            info["url"] + "/simple/price", params={"ids": "bitcoin", "vs_currencies": "usd"}
        ).json()
        assert body["bitcoin"]["usd"] > 0
        assert httpx.get(info["fx_url"] + "/latest/USD").json()["result"] == "success"
    finally:
        err = _stop(proc)
    assert "1 requests" in err or "2 requests" in err


def test_serves_a_data_folder(tmp_path: Path) -> None:
    end = 1_717_200_000_000
    write_history_csv(generate_history(["bitcoin"], end - 10 * DAY_MS, end, 3), tmp_path / "data")
    proc = _start(["--data", str(tmp_path / "data")], tmp_path)
    try:
        info = json.loads(proc.stdout.readline())  # type: ignore[union-attr]
        assert info["coins"] == ["bitcoin"] and info["data"] == "synthetic"
        chart = httpx.get(
            info["url"] + "/coins/bitcoin/market_chart", params={"vs_currency": "usd", "days": "1"}
        )
        assert chart.status_code == 200 and chart.json()["prices"]
    finally:
        _stop(proc)


def test_bad_folder_is_a_usage_error(tmp_path: Path) -> None:
    proc = _start(["--csv-dir", str(tmp_path / "missing")], tmp_path)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and "--csv-dir" in err
