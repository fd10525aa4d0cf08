"""The dashboard: warm ``/api/v1/predictions`` (10 coins x 5 horizons), the coin page to its
chart drawn in headless Chromium (Navigation Timing), 50 concurrent clients for a bounded time
(``$FINBOT_BENCH_LOAD_SEC``, default 15, at most 60) and the RSS the dashboard adds to the bot.

The server is a real ``finbot dashboard`` process on loopback over a copy of the trained home
(``$FINBOT_BENCH_HOME`` or the demo's); the bot runs are ``start --foreground`` on that copy,
its APIs pointed at a dead loopback port.

    python -m benchmarks.run dashboard
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.chromium import chromium_installed, start_chromium
from benchmarks.common import FINBOT, ROOT, load_avg, percentile, quiet_env, row, trained_home

DEAD = "http://127.0.0.1:9"
CLIENTS = 50
LOAD_PATHS = (
    "/api/v1/predictions",
    "/api/v1/status",
    "/api/v1/bars?coin=bitcoin&timeframe=1h&limit=500",
    "/api/v1/questions/price?coin=ethereum&horizon=1h",
    "/",
    "/coin?id=bitcoin",
)


def _home_copy() -> Path:
    home = Path(tempfile.mkdtemp(prefix="finbot-bench-web-")) / "home"
    shutil.copytree(trained_home(), home, ignore=shutil.ignore_patterns("logs", "run"))
    config = {
        "coingecko": {"base_url": f"{DEAD}/api/v3", "pro_base_url": f"{DEAD}/api/v3"},
        "exchangerate": {"base_url": f"{DEAD}/v6", "keyed_base_url": f"{DEAD}/v6"},
        "exchange": {"base_url": DEAD},
    }
    (home / "config").mkdir(exist_ok=True)
    (home / "config" / "api_config.json").write_text(json.dumps(config), "utf-8")
    return home


def _settings(home: Path, enabled: bool) -> None:
    data = {"dashboard": {"enabled": enabled, "port": 0}, "training": {"workers": 1}}
    (home / "config" / "settings.json").write_text(json.dumps(data), "utf-8")


def _env(home: Path) -> dict[str, str]:
    """The environment of a finbot process on the copy: quiet, CoinGecko at the dead port."""
    return {**os.environ, **quiet_env(home), "FINBOT_COINGECKO_URL": f"{DEAD}/api/v3"}


def _serve(home: Path) -> tuple[subprocess.Popen[str], str]:
    env = _env(home)
    args = [str(FINBOT), "--home", str(home), "--lang", "en", "dashboard", "--port", "0"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if "Dashboard: " not in line:
        proc.kill()
        raise RuntimeError(f"dashboard did not start: {line!r}")
    return proc, line.split("Dashboard: ")[1].strip().rstrip("/")


def _stop(proc: subprocess.Popen[Any], sig: int = signal.SIGINT, wait_s: float = 30) -> None:
    """Ask ``proc`` to stop with ``sig``; killed when it has not within ``wait_s``."""
    proc.send_signal(sig)
    try:
        proc.wait(wait_s)
    except subprocess.TimeoutExpired:
        proc.kill()


def bench_predictions(url: str) -> dict[str, Any]:
    import httpx

    with httpx.Client(base_url=url, timeout=120) as client:
        start = time.perf_counter()
        first = client.get("/api/v1/predictions")
        cold_ms = (time.perf_counter() - start) * 1000
        first.raise_for_status()
        answered = len(first.json()["predictions"])
        times = []
        for _ in range(30):
            start = time.perf_counter()
            client.get("/api/v1/predictions").raise_for_status()
            times.append((time.perf_counter() - start) * 1000)
    p50 = statistics.median(times)
    return row(
        "dashboard: warm /api/v1/predictions (10 coins x 5 horizons), p50",
        p50,
        cold_ms,
        "ms",
        "<= 50 ms",
        p50 <= 50,
        first_request_ms=round(cold_ms, 1),
        predictions=answered,
        note="baseline: the first request (computes the 50 answers; later ones until the next "
        "store write are served from the one shared answer)",
        load=load_avg(),
    )


def bench_chart(url: str, loads: int = 5) -> dict[str, Any] | None:
    if not chromium_installed():
        return None
    from selenium.webdriver.support.ui import WebDriverWait

    profile = tempfile.mkdtemp(prefix="finbot-bench-chromium-")
    driver = start_chromium(profile)
    mark = "return performance.getEntriesByName('chart-drawn').map(e => e.startTime)[0]"
    times, bars = [], 0
    try:
        for _ in range(loads + 1):  # the first load warms the browser's cache
            driver.get(url + "/coin?id=bitcoin&tf=1h")
            WebDriverWait(driver, 60, 0.05).until(lambda d: d.execute_script(mark) is not None)
            times.append(float(driver.execute_script(mark)))
            bars = int(driver.find_element("id", "chart").get_attribute("data-bars") or 0)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    ms = statistics.median(times[1:])
    return row(
        "dashboard: coin page to chart drawn (Navigation Timing, Chromium)",
        ms,
        None,
        "ms",
        "<= 1000 ms",
        ms <= 1000,
        bars=bars,
        first_load_ms=round(times[0], 1),
        load=load_avg(),
    )


async def _client(
    url: str, until: float, lat: dict[str, list[float]], errors: list[str], k: int
) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        i = k
        while time.perf_counter() < until:
            path = LOAD_PATHS[i % len(LOAD_PATHS)]
            i += 1
            start = time.perf_counter()
            try:
                response = await client.get(path)
                if response.status_code != 200:
                    errors.append(f"{path}: {response.status_code}")
            except httpx.HTTPError as exc:
                errors.append(f"{path}: {type(exc).__name__}")
            lat.setdefault(path, []).append((time.perf_counter() - start) * 1000)


def bench_load(url: str) -> dict[str, Any]:
    import httpx

    seconds = min(60.0, float(os.environ.get("FINBOT_BENCH_LOAD_SEC", "15")))
    for path in LOAD_PATHS:  # a warm server: each answer built once before the clock starts
        httpx.get(url + path, timeout=120).raise_for_status()
    by_path: dict[str, list[float]] = {}
    errors: list[str] = []

    async def main() -> None:
        until = time.perf_counter() + seconds
        await asyncio.gather(*(_client(url, until, by_path, errors, k) for k in range(CLIENTS)))

    asyncio.run(main())
    lat = [ms for values in by_path.values() for ms in values]
    p99 = percentile(lat, 99)
    return row(
        f"dashboard: {CLIENTS} concurrent clients for {seconds:g} s, p99",
        p99,
        None,
        "ms",
        "no error, p99 <= 500 ms",
        not errors and p99 <= 500,
        requests=len(lat),
        errors=len(errors),
        first_errors=errors[:3],
        p50_ms=round(percentile(lat, 50), 1),
        p99_by_path_ms={p: round(percentile(v, 99), 1) for p, v in by_path.items()},
        seconds=seconds,
        load=load_avg(),
    )


def _bot_rss(home: Path, enabled: bool, settle: float = 12.0) -> float:
    import httpx
    import psutil

    _settings(home, enabled)
    env = _env(home)
    args = [str(FINBOT), "--home", str(home), "start", "--foreground", "--no-setup", "--no-menu"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        time.sleep(settle)
        if enabled:
            where = json.loads((home / "run" / "dashboard.json").read_text("utf-8"))
            for path in LOAD_PATHS:  # every page and answer once: the server warm
                httpx.get(where["url"].rstrip("/") + path, timeout=120).raise_for_status()
        return float(psutil.Process(proc.pid).memory_info().rss) / 2**20
    finally:
        _stop(proc, signal.SIGTERM, 60)


def bench_rss(home: Path) -> dict[str, Any]:
    without = _bot_rss(home, enabled=False)
    with_dashboard = _bot_rss(home, enabled=True)
    added = with_dashboard - without
    return row(
        "dashboard: RSS added to the running bot",
        added,
        without,
        "MB",
        "<= 150 MB",
        added <= 150,
        bot_without_mb=round(without, 1),
        bot_with_mb=round(with_dashboard, 1),
        load=load_avg(),
    )


def run() -> list[dict[str, Any]]:
    home = _home_copy()
    rows: list[dict[str, Any]] = []
    try:
        proc, url = _serve(home)
        try:
            rows.append(bench_predictions(url))
            chart = bench_chart(url)
            if chart is not None:
                rows.append(chart)
            rows.append(bench_load(url))
        finally:
            _stop(proc)
        rows.append(bench_rss(home))
    finally:
        shutil.rmtree(home.parent, ignore_errors=True)
    return rows


if __name__ == "__main__":
    for r in run():
        print(json.dumps(r))
