"""Shared fixtures: an isolated finbot home per test, a seed, loaded settings.

Area-specific fixtures live in plugin modules under ``tests/fixtures/`` listed below.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from finbot.config import Settings, load_settings
from finbot.paths import Paths

pytest_plugins: list[str] = [
    "tests.fixtures.bars",  # first: other plugins import its builders
    "tests.fixtures.trained_home",
    "tests.fixtures.storage",
    "tests.fixtures.database",
    "tests.fixtures.replay",
    "tests.fixtures.ops",
    "tests.fixtures.dashboard",
    "tests.fixtures.alerts",
]

REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    """A fresh ``$FINBOT_HOME`` with no keys in the environment."""
    monkeypatch.setenv("FINBOT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("COINGECKO_API_KEYS", raising=False)
    monkeypatch.delenv("EXCHANGERATE_API_KEY", raising=False)
    monkeypatch.delenv("FINBOT_DB_URL", raising=False)
    monkeypatch.delenv("FINBOT_COINGECKO_URL", raising=False)
    return Paths.resolve(tmp_path / "home").ensure()


@pytest.fixture
def settings(home: Paths) -> Settings:
    return load_settings(home)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture
def real_data() -> Path:
    """``../shared/data/real`` or a clean skip where it is absent."""
    if not REAL_DATA.is_dir():
        pytest.skip("real market data (../shared/data/real) not present")
    return REAL_DATA
