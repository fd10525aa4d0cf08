"""``python -m finbot.tools.run_smoke``: the end-to-end smoke passes as a real process, and
each of its checks fails loudly on a wrong answer (a smoke that cannot fail proves nothing)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from finbot.tools import run_smoke as rs

pytestmark = pytest.mark.smoke

DROP = object()  # a key to remove from a good answer
STEPS = ("replay server", "collect-historical", "train", "predict", "storage verify", "status")


@pytest.mark.slow
def test_the_smoke_passes_end_to_end(tmp_path: Path) -> None:
    home = tmp_path / "smoke-home"
    done = subprocess.run(
        [sys.executable, "-m", "finbot.tools.run_smoke", "--home", str(home)],
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for step in STEPS:
        assert any(line.startswith("PASS") and step in line for line in lines), (step, lines)
    assert not any(line.startswith("FAIL") for line in lines)
    assert lines[-1].startswith("smoke: PASS")
    assert (home / "models").is_dir() and home.is_dir()  # --home is kept


GOOD: dict[str, dict[str, Any]] = {
    "collect": {
        "rows": {"bitcoin": {"1h": 10, "1d": 2}, "ethereum": {"1h": 10}},
        "requests": 4,
        "errors": [],
    },
    "train": {
        "coin": "bitcoin",
        "timeframe": "1h",
        "horizon": "1h",
        "chosen": "naive",
        "scores": {"naive": {}, "linear": {}},
        "mae_ratio": 1.0,
        "version": "v1",
    },
    "predict": {
        "coin": "bitcoin",
        "horizon": "1h",
        "as_of": 1,
        "last_price": 1.0,
        "predicted_price": 1.0,
        "predicted_return": 0.0,
        "interval": {},
        "confidence": 50,
        "decision": "HOLD",
        "expected_net_return": 0.0,
        "model": "naive",
        "model_version": "v1",
    },
    "verify": {"ok": True, "rows": 20, "partitions": 4, "problems": []},
    "status": {
        "running": False,
        "pid": None,
        "jobs": [],
        "data": {"bitcoin": {}, "ethereum": {}},
        "models": {},
        "api_usage": {},
        "system": {},
    },
}
CHECKS = {
    "collect": rs.check_collect,
    "train": rs.check_train,
    "predict": rs.check_predict,
    "verify": rs.check_verify,
    "status": rs.check_status,
}


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_each_check_accepts_a_good_answer(name: str) -> None:
    assert CHECKS[name](GOOD[name])


@pytest.mark.parametrize(
    ("name", "change", "message"),
    [
        ("collect", {"errors": ["bitcoin 1h: 500"]}, "collection errors"),
        ("collect", {"rows": {"bitcoin": {"1h": 10}}}, "no hourly bars stored for ['ethereum']"),
        ("collect", {"requests": DROP, "rows": DROP}, "missing JSON keys"),
        ("train", {"scores": {"linear": {}}}, "naive baseline is missing"),
        ("predict", {"decision": "MAYBE"}, "decision: expected BUY/SELL/HOLD"),
        ("predict", {"confidence": 140}, "confidence out of 0-100"),
        ("verify", {"ok": False, "problems": [{"path": "x", "problem": "y"}]}, "storage not ok"),
        ("status", {"data": {"bitcoin": {}}}, "no data for ['ethereum']"),
    ],
)
def test_each_check_rejects_a_wrong_answer(name: str, change: dict[str, Any], message: str) -> None:
    answer = {k: v for k, v in {**GOOD[name], **change}.items() if v is not DROP}
    with pytest.raises(rs.StepFailed, match=re.escape(message)):
        CHECKS[name](answer)


def test_a_failing_command_is_reported_with_its_exit_code(tmp_path: Path) -> None:
    smoke = rs.Smoke(home=tmp_path / "home", base_url="http://127.0.0.1:9/api/v3")
    with pytest.raises(rs.StepFailed, match=r"exit 2: .*coin"):
        smoke.cli("predict", "--coin", "no-such-coin", "--horizon", "1h")


def test_a_failed_step_makes_the_run_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The server starts, the first step fails: FAIL line, exit 1, temp home removed."""

    def broken(smoke: rs.Smoke) -> list[tuple[str, Any]]:
        def fail() -> str:
            raise rs.StepFailed("exit 1: boom")

        return [("collect-historical", fail), ("train", lambda: "never reached")]

    monkeypatch.setattr(rs, "steps", broken)
    monkeypatch.setattr(rs.tempfile, "mkdtemp", lambda prefix: str(tmp_path / "tmp-home"))
    (tmp_path / "tmp-home").mkdir()
    assert rs.main([]) == 1
    out = capsys.readouterr().out
    assert "FAIL  collect-historical" in out and "boom" in out
    assert "train" not in out.split("collect-historical", 1)[1].split("smoke:")[0]
    assert out.strip().splitlines()[-1].startswith("smoke: FAIL")
    assert not (tmp_path / "tmp-home").exists()
