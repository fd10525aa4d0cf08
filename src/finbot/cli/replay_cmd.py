"""``finbot replay-server``: the loopback CoinGecko/FX/exchange replay, in the foreground.

Without ``--data``/``--csv-dir`` it serves the embedded synthetic history (fixed seed, ending
two days after today so "now" replays live with the system clock), labelled synthetic.
"""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import typer

from finbot.cli import context
from finbot.errors import UsageError
from finbot.i18n import N_
from finbot.replay import ReplayVolumeUnit
from finbot.timeframes import DAY_MS

if TYPE_CHECKING:
    from finbot.replay import HistorySource


def _history(
    data: Path | None, csv_dir: Path | None, seed: int, days: int, volume_unit: ReplayVolumeUnit
) -> HistorySource:
    from finbot.replay import HistorySource, default_coin_ids, generate_history, load_csv_dir

    if data is not None and csv_dir is not None:
        raise UsageError(N_("--data and --csv-dir: expected one of them, not both"))
    folder = data or csv_dir
    if folder is not None:
        return load_csv_dir(folder, volume_unit=volume_unit)
    end = (int(time.time() * 1000) // DAY_MS + 2) * DAY_MS
    return HistorySource(
        generate_history(default_coin_ids(), end - days * DAY_MS, end, seed), label="synthetic"
    )


def _wait_for_signal(stop: threading.Event) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    while not stop.wait(0.5):
        pass


def replay_server_command(
    ctx: typer.Context,
    port: int = typer.Option(
        0, "--port", min=0, max=65535, help="Port on 127.0.0.1 (0: a free one)."
    ),
    data: Path | None = typer.Option(
        None, "--data", help="Folder written by finbot.replay.synthetic."
    ),
    csv_dir: Path | None = typer.Option(
        None, "--csv-dir", help="Folder of <coin>_<tf>.csv[.gz] OHLCV files."
    ),
    volume_unit: ReplayVolumeUnit = typer.Option(
        ReplayVolumeUnit.AUTO,
        "--volume-unit",
        case_sensitive=False,
        help="CSV volume unit: auto, usd or base.",
    ),
    seed: int = typer.Option(42, "--seed", help="Seed of the embedded synthetic history."),
    days: int = typer.Option(730, "--days", min=2, help="Days of embedded synthetic history."),
    fault_rate: float = typer.Option(
        0.0, "--fault-rate", min=0.0, max=1.0, help="Fraction of requests failed at random."
    ),
    plan: str = typer.Option("demo", "--plan", help="demo (365-day history limit) or pro."),
    as_json: bool = typer.Option(False, "--json", help="Print the URLs as one JSON line."),
) -> None:
    """Serve CoinGecko-shaped data on loopback until Ctrl-C / SIGTERM."""
    from finbot.clock import SystemClock
    from finbot.replay import ReplayServer

    app_ctx = context.get(ctx)
    source = _history(data, csv_dir, seed, days, volume_unit)
    server = ReplayServer(source, port=port, clock=SystemClock(), plan=plan)
    if fault_rate > 0:
        server.set_random(
            fault_rate, seed=seed, kinds=["429", "500", "502", "503", "truncated", "reset"]
        )
    server.start()
    info = {
        "url": server.url,
        "fx_url": server.fx_url,
        "exchange_url": server.exchange_url,
        "port": server.port,
        "data": source.label,
        "coins": source.coins,
    }
    try:
        if as_json:
            app_ctx.emit_json(info)
        else:
            app_ctx.console.print(
                app_ctx.tr(
                    "Replay server ({label} data) at {url}\n  FX: {fx}\n  exchange: {ex}\n"
                    "Ctrl-C to stop.",
                    label=source.label,
                    url=server.url,
                    fx=server.fx_url,
                    ex=server.exchange_url,
                )
            )
        _wait_for_signal(threading.Event())
    finally:
        server.stop()
        app_ctx.err.print(
            app_ctx.tr(
                "replay server stopped: {n} requests",
                n=server.stats()["requests"],
            )
        )


def register(app: typer.Typer) -> None:
    app.command("replay-server")(replay_server_command)
