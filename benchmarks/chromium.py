"""The headless Debian Chromium through its chromedriver (no Selenium Manager download): one
definition of its binaries and flags for the dashboard benchmark and the browser test fixture.

Free of finbot on purpose: ``tests/fixtures/dashboard.py`` imports it (tests already import
``benchmarks``; benchmarks never import ``tests``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_installed() -> bool:
    """Whether Debian's chromium and chromium-driver are both there."""
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


def start_chromium(profile: str, *extra_flags: str, browser_logs: bool = False) -> Any:
    """A headless Chromium on the profile folder ``profile``, with ``extra_flags`` after the
    common ones and, with ``browser_logs``, the console kept for ``get_log("browser")``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, *extra_flags):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    if browser_logs:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
