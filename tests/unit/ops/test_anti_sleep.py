"""Anti-sleep: the Windows call mocked at the ctypes boundary; no-op elsewhere."""

from __future__ import annotations

import ctypes
import subprocess
from types import SimpleNamespace

import pytest

from finbot.ops import anti_sleep_win as anti

pytestmark = pytest.mark.unit


class FakeKernel32:
    def __init__(self, answer: int = 1) -> None:
        self.calls: list[int] = []
        self.answer = answer

    def SetThreadExecutionState(self, flags: int) -> int:  # noqa: N802 - the Win32 name
        self.calls.append(flags)
        return self.answer


@pytest.fixture
def kernel32(monkeypatch: pytest.MonkeyPatch) -> FakeKernel32:
    fake = FakeKernel32()
    monkeypatch.setattr(ctypes, "windll", SimpleNamespace(kernel32=fake), raising=False)
    return fake


def test_windows_keeps_awake_then_releases(kernel32: FakeKernel32) -> None:
    with anti.keep_awake() as guard:
        assert guard.mode == "windows"
        assert kernel32.calls == [anti.ES_CONTINUOUS | anti.ES_SYSTEM_REQUIRED]
    assert kernel32.calls[-1] == anti.ES_CONTINUOUS
    assert guard.mode == "none"


def test_windows_refusal_is_logged_and_harmless(
    kernel32: FakeKernel32, caplog: pytest.LogCaptureFixture
) -> None:
    kernel32.answer = 0
    with anti.AntiSleep() as guard:
        assert guard.mode == "none"
    assert kernel32.calls == [anti.ES_CONTINUOUS | anti.ES_SYSTEM_REQUIRED]
    assert "refused" in caplog.text


def test_disabled_does_nothing(kernel32: FakeKernel32) -> None:
    with anti.keep_awake(enabled=False) as guard:
        assert guard.mode == "none"
    assert kernel32.calls == []


def test_elsewhere_without_systemd_it_is_a_noop_that_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delattr(ctypes, "windll", raising=False)
    monkeypatch.setattr(anti.shutil, "which", lambda _name: None)
    caplog.set_level("INFO")
    with anti.AntiSleep() as guard:
        assert guard.mode == "none"
    assert "no-op" in caplog.text


class FakeInhibitor:
    def __init__(self, exits: bool) -> None:
        self.exits = exits
        self.terminated = False

    def wait(self, timeout: float | None = None) -> int:
        if self.exits or self.terminated:
            return 1
        raise subprocess.TimeoutExpired("systemd-inhibit", timeout or 0)

    def terminate(self) -> None:
        self.terminated = True


@pytest.mark.parametrize("exits, mode", [(False, "systemd-inhibit"), (True, "none")])
def test_linux_uses_systemd_inhibit_when_it_holds(
    monkeypatch: pytest.MonkeyPatch, exits: bool, mode: str
) -> None:
    monkeypatch.delattr(ctypes, "windll", raising=False)
    monkeypatch.setattr(anti.sys, "platform", "linux")
    monkeypatch.setattr(anti.shutil, "which", lambda _name: "/usr/bin/systemd-inhibit")
    fake = FakeInhibitor(exits)
    commands: list[list[str]] = []
    monkeypatch.setattr(anti.subprocess, "Popen", lambda cmd, **_kw: commands.append(cmd) or fake)
    guard = anti.AntiSleep().acquire()
    assert guard.mode == mode
    assert "--what=sleep:idle" in commands[0]
    guard.release()
    assert fake.terminated is (not exits)
    assert guard.mode == "none"


def test_portable_name_is_the_same_module() -> None:
    from finbot.ops import anti_sleep

    assert anti_sleep.keep_awake is anti.keep_awake
