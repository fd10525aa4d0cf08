"""The offline demo: the whole flow on the embedded synthetic history, through the loopback
replay server, exactly as the bot runs against CoinGecko (only ``base_url`` differs).

Phases (each timed): serve → collect (history, prices, FX, tickers) → train (every coin ×
horizon, against the naive baseline) → predict (every coin × horizon, with interval,
confidence and decision after costs, recorded in the tracker) → report (HTML with charts).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from finbot.config import Settings
from finbot.config.models import Secrets
from finbot.ops.demo_report import DemoResult, write_demo_report
from finbot.paths import Paths
from finbot.timeframes import DAY_MS

if TYPE_CHECKING:
    from finbot.replay import HistorySource
DEMO_KEY = "CG-replay-demo-key-0000"  # any key works on the replay server; it lifts the
# keyless 10 rpm limit to the demo plan's, as a real demo key would.
Step = Callable[[str, int, int], None]


@contextmanager
def _phase(result: DemoResult, name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        result.phases[name] = round(time.perf_counter() - start, 2)


def demo_settings(settings: Settings) -> Settings:
    """The user's settings with a replay key when they have none (never written to disk)."""
    if settings.secrets.coingecko_keys:
        return settings
    fx_key = settings.secrets.exchangerate_key
    secrets = Secrets(coingecko_keys=(DEMO_KEY,), exchangerate_key=fx_key)
    return settings.model_copy(update={"secrets": secrets})


def _history(settings: Settings, seed: int, days: int, csv_dir: Path | None) -> HistorySource:
    from finbot.replay import HistorySource, ReplayVolumeUnit, generate_history, load_csv_dir

    if csv_dir is not None:
        return load_csv_dir(csv_dir, volume_unit=ReplayVolumeUnit.AUTO)
    end = (int(time.time() * 1000) // DAY_MS + 1) * DAY_MS
    history = generate_history(settings.coins.ids, end - days * DAY_MS, end, seed)
    return HistorySource(history, label="synthetic")


def _collect(
    settings: Settings, paths: Paths, url: str, coins: list[str], step: Step, result: DemoResult
) -> None:
    from finbot.collectors import collect_historical, run_collector

    summary = collect_historical(
        settings,
        paths,
        coins,
        base_url=url,
        progress=lambda label, done, total: step(label, done, total),
    )
    result.collected = {
        "requests": summary.requests,
        "seconds": round(summary.seconds, 2),
        "errors": list(summary.errors),
    }
    for kind in ("prices", "fx", "tickers", "markets"):
        outcome = run_collector(kind, settings, paths, base_url=url)
        result.collected[kind] = outcome.rows
        if not outcome.ok:
            result.failures.append(f"collect {kind}: {outcome.error}")


def _train(
    settings: Settings, paths: Paths, coins: list[str], step: Step, result: DemoResult
) -> None:
    from finbot.prediction.training import train_all

    horizons = list(settings.general.horizons)
    total = len(coins) * len(horizons)
    result.trained = train_all(
        settings,
        paths,
        coins,
        horizons,
        progress=lambda summary, done, _n: step(
            f"{summary.get('coin', '')} {summary.get('horizon', '')}", done, total
        ),
    )
    result.failures += [
        f"train {t['coin']} {t['horizon']}: {t['error']}" for t in result.trained if "error" in t
    ]


def _predict(
    settings: Settings, paths: Paths, coins: list[str], step: Step, result: DemoResult
) -> None:
    from finbot.clock import SystemClock, now_ms
    from finbot.errors import FinbotError
    from finbot.prediction.questions import assess, to_record
    from finbot.prediction.tracking import PredictionTracker
    from finbot.services import live_sources
    from finbot.storage import engine_for

    clock = SystemClock()
    tracker = PredictionTracker(engine_for(paths.db_url))
    sources = live_sources(settings, paths, clock=clock, tracker=tracker)
    tasks = [(c, h) for c in coins for h in settings.general.horizons]
    for done, (coin, horizon) in enumerate(tasks):
        step(f"{coin} {horizon}", done, len(tasks))
        try:
            answer = assess(settings, sources, coin, horizon)
        except FinbotError as exc:
            result.failures.append(f"predict {coin} {horizon}: {exc}")
            continue
        tracker.record(to_record(answer, now_ms(clock), "demo"))
        result.answers.append(answer)
    step("done", len(tasks), len(tasks))


def run_demo(
    settings: Settings,
    paths: Paths,
    *,
    seed: int = 42,
    days: int = 730,
    coins: list[str] | None = None,
    csv_dir: Path | None = None,
    step: Step | None = None,
) -> DemoResult:
    """Run every phase; failures of one coin are collected, not fatal to the others."""
    from finbot.clock import SystemClock
    from finbot.replay import ReplayServer

    settings = demo_settings(settings)
    paths.ensure()
    chosen = coins or list(settings.coins.ids)
    result = DemoResult()

    def tick(phase: str) -> Step:
        return lambda label, done, total: step(f"{phase}: {label}", done, total) if step else None

    with _phase(result, "serve"):
        source = _history(settings, seed, days, csv_dir)
        result.data_label = source.label
        server = ReplayServer(source, clock=SystemClock())
        url = server.start()
    try:
        with _phase(result, "collect"):
            _collect(settings, paths, url, chosen, tick("collect"), result)
    finally:
        server.stop()
    with _phase(result, "train"):
        _train(settings, paths, chosen, tick("train"), result)
    with _phase(result, "predict"):
        _predict(settings, paths, chosen, tick("predict"), result)
    with _phase(result, "report"):
        result.report = write_demo_report(result, settings, paths)
    return result
