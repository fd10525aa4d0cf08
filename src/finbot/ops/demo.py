"""The offline demo: the whole flow on the embedded synthetic history, through the loopback
replay server, exactly as the bot runs against CoinGecko (only ``base_url`` differs).

Phases (each timed): serve → collect (history, prices, FX, tickers) → train (every coin ×
horizon, against the naive baseline) → predict (every coin × horizon, with interval,
confidence and decision after costs, recorded in the tracker) → report (HTML with charts).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from finbot.config import Settings
from finbot.config.models import Secrets
from finbot.i18n import N_, Message, error_message
from finbot.ops.demo_charts import PriceHistory
from finbot.ops.demo_csv import csv_services
from finbot.ops.demo_report import DemoResult, write_demo_report
from finbot.services import Services
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
        spent = time.perf_counter() - start
        result.phases[name] = round(result.phases.get(name, 0.0) + spent, 2)


def demo_settings(settings: Settings) -> Settings:
    """The user's settings with a replay key when they have none (never written to disk)."""
    if settings.secrets.coingecko_keys:
        return settings
    fx_key = settings.secrets.exchangerate_key
    secrets = Secrets(coingecko_keys=(DEMO_KEY,), exchangerate_key=fx_key)
    return settings.model_copy(update={"secrets": secrets})


def _history(coins: Sequence[str], seed: int, days: int, csv_dir: Path | None) -> HistorySource:
    from finbot.replay import HistorySource, ReplayVolumeUnit, generate_history, load_csv_dir

    if csv_dir is not None:
        return load_csv_dir(csv_dir, volume_unit=ReplayVolumeUnit.AUTO)
    end = (int(time.time() * 1000) // DAY_MS + 1) * DAY_MS
    history = generate_history(coins, end - days * DAY_MS, end, seed)
    return HistorySource(history, label="synthetic")


def _collect(replay: Services, coins: list[str], step: Step, result: DemoResult) -> None:
    from finbot.collectors import collect_historical, run_collector

    kit = replay.collectors
    summary = collect_historical(
        kit, coins, progress=lambda label, done, total: step(label, done, total)
    )
    result.collected = {
        "requests": summary.requests,
        "seconds": round(summary.seconds, 2),
        "errors": list(summary.errors),
    }
    result.notes += summary.clamps  # history cut by the plan's window: said, not silent
    for kind in ("prices", "fx", "tickers", "markets"):
        outcome = run_collector(kind, kit, coins=coins)
        result.collected[kind] = outcome.rows
        if not outcome.ok:
            result.failures.append(
                Message(N_("collect {kind}: {error}"), kind=kind, error=outcome.error)
            )


def _train(services: Services, coins: list[str], step: Step, result: DemoResult) -> None:
    from finbot.prediction.training import train_all

    horizons = list(services.settings.general.horizons)
    total = len(coins) * len(horizons)
    result.trained = train_all(
        services.bar_store,
        services.model_store,
        services.training,
        coins,
        horizons,
        progress=lambda summary, done, _n: step(
            f"{summary.get('coin', '')} {summary.get('horizon', '')}", done, total
        ),
        volatility=services.volatility_training,
    )
    result.failures += [
        Message(
            N_("train {coin} {horizon}: {error}"),
            coin=t["coin"],
            horizon=t["horizon"],
            error=t["error"],
        )
        for t in result.trained
        if "error" in t
    ]


def _predict(services: Services, coins: list[str], step: Step, result: DemoResult) -> None:
    from finbot.clock import now_ms
    from finbot.errors import FinbotError
    from finbot.prediction.questions import assess, to_record
    from finbot.services import live_sources

    settings, tracker = services.settings, services.tracker
    sources = live_sources(services)
    tasks = [(c, h) for c in coins for h in settings.general.horizons]
    for done, (coin, horizon) in enumerate(tasks):
        step(f"{coin} {horizon}", done, len(tasks))
        try:
            answer = assess(settings, sources, coin, horizon)
        except FinbotError as exc:
            result.failures.append(
                Message(
                    N_("predict {coin} {horizon}: {error}"),
                    coin=coin,
                    horizon=horizon,
                    error=error_message(exc),
                )
            )
            continue
        tracker.record(to_record(answer, now_ms(services.clock), "demo"))
        result.answers.append(answer)
    step("done", len(tasks), len(tasks))


def _serve_and_collect(
    services: Services,
    source: HistorySource,
    coins: list[str],
    tick: Callable[[str], Step],
    result: DemoResult,
) -> None:
    """Serve ``source`` on the loopback replay server (on the services' clock) and collect
    from it, as the bot collects from CoinGecko."""
    from finbot.replay import ReplayServer

    with _phase(result, "serve"):
        server = ReplayServer(source, clock=services.clock)
        url = server.start()
    try:
        with _phase(result, "collect"), services.derive(base_url=url) as replay:
            _collect(replay, coins, tick("collect"), result)
    finally:
        server.stop()


def _recent_history(
    services: Services, coins: Sequence[str], days: int = 3
) -> dict[str, PriceHistory]:
    """The last ``days`` of hourly closes per coin (the report's price charts)."""
    out: dict[str, PriceHistory] = {}
    for coin in coins:
        bars = services.bar_store.read(coin, "1h", last_n=days * 24)
        if not bars.is_empty():
            out[coin] = (bars["ts"].to_list(), bars["close"].to_list())
    return out


def run_demo(
    services: Services,
    *,
    seed: int = 42,
    days: int = 730,
    coins: list[str] | None = None,
    csv_dir: Path | None = None,
    step: Step | None = None,
    lang: str,
) -> DemoResult:
    """Run every phase; failures of one coin are collected, not fatal to the others.

    The phases use the demo's services: ``services`` with a replay key (``demo_settings``),
    and for collection the replay server's URL. The report is written in ``lang`` (the
    command's language)."""
    services = services.derive(settings=demo_settings(services.settings))
    services.paths.ensure()
    chosen = coins or list(services.settings.coins.ids)
    result = DemoResult()

    def tick(phase: str) -> Step:
        return lambda label, done, total: step(f"{phase}: {label}", done, total) if step else None

    with _phase(result, "serve"):  # loading the history is part of serving it
        source = _history(services.settings.coins.ids, seed, days, csv_dir)
        result.data_label = source.label
    if csv_dir is not None:
        services, chosen = csv_services(services, source, chosen, result)
    _serve_and_collect(services, source, chosen, tick, result)
    with _phase(result, "train"):
        _train(services, chosen, tick("train"), result)
    with _phase(result, "predict"):
        _predict(services, chosen, tick("predict"), result)
    with _phase(result, "report"):
        result.history = _recent_history(services, chosen)
        level = services.settings.general.confidence.level
        result.report = write_demo_report(result, level, services.paths.reports_dir, lang=lang)
    return result
