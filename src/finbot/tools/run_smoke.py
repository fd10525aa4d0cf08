"""End-to-end smoke test of the real CLI against the in-process replay server (under a minute).

    python -m finbot.tools.run_smoke [--home DIR] [--keep] [--lang fr|en]

It generates a small synthetic history (2 coins, about 60 days), serves it on a free loopback
port, then runs ``collect-historical``, ``train`` (one horizon, two fast algorithms),
``predict --json``, ``storage verify --json`` and ``status --json``, each as a separate
``python -m finbot`` process (exactly what a user runs), and checks their exit codes and JSON
keys. One PASS/FAIL line per step; exit 1 at the first failure (later steps need it), 0 when
all pass. Without ``--home`` it works in a temporary folder removed afterwards (``--keep``
keeps it and prints where). Nothing touches the internet.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from finbot.timeframes import DAY_MS

COINS = ("bitcoin", "ethereum")
DAYS = 60
HORIZON = "1h"
ALGORITHMS = "linear,random_forest"
SMOKE_KEY = "CG-replay-smoke-key-0000"  # any key works on the replay server (lifts 10 rpm)
STEP_TIMEOUT_S = 180.0
Check = Callable[[dict[str, Any]], str | None]


class StepFailed(Exception):
    """A step's command failed or answered something unexpected (the message says what)."""


@dataclass
class Smoke:
    """One smoke run: where, against which server, and what each step took."""

    home: Path
    base_url: str = ""
    lang: str = "en"
    timings: list[tuple[str, float]] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("FINBOT_DB_URL", "REDIS_URL", "EXCHANGERATE_API_KEY")
        }
        env.update(
            {
                "FINBOT_HOME": str(self.home),
                "COINGECKO_API_KEYS": SMOKE_KEY,
                "FINBOT_COINGECKO_URL": self.base_url,
                "PYTHONIOENCODING": "utf-8",
            }
        )
        return env

    def cli(self, *args: str) -> dict[str, Any]:
        """Run ``python -m finbot --home H ARGS --json``; return its one JSON object."""
        command = [
            sys.executable,
            "-m",
            "finbot",
            "--home",
            str(self.home),
            "--lang",
            self.lang,
            *args,
            "--json",
        ]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                env=self.env(),
                timeout=STEP_TIMEOUT_S,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            raise StepFailed(f"no answer within {STEP_TIMEOUT_S:.0f} s") from None
        if done.returncode != 0:
            raise StepFailed(f"exit {done.returncode}: {_last_line(done.stderr)}")
        try:
            data = json.loads(done.stdout)
        except json.JSONDecodeError:
            raise StepFailed(f"stdout is not one JSON object: {done.stdout[:200]!r}") from None
        if not isinstance(data, dict):
            raise StepFailed(f"expected a JSON object, got {type(data).__name__}")
        return data


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "(no message)"


def require(data: dict[str, Any], *keys: str) -> None:
    missing = [k for k in keys if k not in data]
    if missing:
        raise StepFailed(f"missing JSON keys {missing} (got {sorted(data)[:12]})")


# ------------------------------------------------------------------ the checks
def check_collect(data: dict[str, Any]) -> str:
    require(data, "rows", "requests", "errors")
    if data["errors"]:
        raise StepFailed(f"collection errors: {data['errors'][:3]}")
    short = [c for c in COINS if not data["rows"].get(c, {}).get("1h")]
    if short:
        raise StepFailed(f"no hourly bars stored for {short}")
    total = sum(n for by_tf in data["rows"].values() for n in by_tf.values())
    return f"{total} bars, {data['requests']} requests"


def check_train(data: dict[str, Any]) -> str:
    require(data, "coin", "timeframe", "horizon", "chosen", "scores", "mae_ratio", "version")
    from finbot.algorithms import Algorithm

    if Algorithm.NAIVE not in data["scores"]:
        raise StepFailed("the naive baseline is missing from the scores")
    return f"{data['coin']} {data['horizon']}: {data['chosen']}, MAE/naive {data['mae_ratio']:.3f}"


def check_predict(data: dict[str, Any]) -> str:
    from finbot.prediction.decision import Action
    from finbot.prediction.questions import PRICE_JSON_KEYS

    require(data, *PRICE_JSON_KEYS)
    if data["decision"] not in tuple(Action):
        raise StepFailed(f"decision: expected BUY/SELL/HOLD, got {data['decision']!r}")
    if not 0 <= float(data["confidence"]) <= 100:
        raise StepFailed(f"confidence out of 0-100: {data['confidence']}")
    return (
        f"{data['coin']} {data['horizon']}: {data['predicted_price']:.2f} $ "
        f"({data['model']}), {data['decision']}"
    )


def check_verify(data: dict[str, Any]) -> str:
    require(data, "ok", "rows", "partitions", "problems")
    if data["ok"] is not True or data["problems"]:
        raise StepFailed(f"storage not ok: {data['problems'][:3]}")
    return f"{data['rows']} rows in {data['partitions']} partitions, no problem"


def check_status(data: dict[str, Any]) -> str:
    require(data, "running", "pid", "jobs", "data", "models", "api_usage", "system")
    missing = [c for c in COINS if c not in data["data"]]
    if missing:
        raise StepFailed(f"status shows no data for {missing}")
    return f"running={data['running']}, {len(data['data'])} coins with data"


def steps(smoke: Smoke) -> list[tuple[str, Callable[[], str]]]:
    coins = ",".join(COINS)
    return [
        (
            "collect-historical",
            lambda: check_collect(
                smoke.cli("collect-historical", "--coins", coins, "--days", str(DAYS))
            ),
        ),
        (
            "train",
            lambda: check_train(
                smoke.cli(
                    "train", "--coin", COINS[0], "--horizon", HORIZON, "--algorithms", ALGORITHMS
                )
            ),
        ),
        (
            "predict",
            lambda: check_predict(smoke.cli("predict", "--coin", COINS[0], "--horizon", HORIZON)),
        ),
        ("storage verify", lambda: check_verify(smoke.cli("storage", "verify"))),
        ("status", lambda: check_status(smoke.cli("status"))),
    ]


# ------------------------------------------------------------------ running
def report(name: str, started: float, detail: str, ok: bool) -> float:
    seconds = time.perf_counter() - started
    print(f"{'PASS' if ok else 'FAIL'}  {name:<20} {seconds:5.1f} s  {detail}", flush=True)
    return seconds


def start_server(seed: int) -> Any:
    """The replay server over ``DAYS`` days of synthetic history ending today."""
    from finbot.clock import SystemClock
    from finbot.replay import HistorySource, ReplayServer, generate_history

    end = (int(time.time() * 1000) // DAY_MS + 1) * DAY_MS
    history = generate_history(COINS, end - DAYS * DAY_MS, end, seed, hourly_days=DAYS, m5_days=2)
    server = ReplayServer(HistorySource(history, label="synthetic"), clock=SystemClock())
    server.start()
    return server


def run(home: Path, *, lang: str = "en", seed: int = 7) -> bool:
    """Every step in order; False at the first failure."""
    started = time.perf_counter()
    try:
        server = start_server(seed)
    except Exception as exc:  # noqa: BLE001 - reported as the step's failure
        report("replay server", started, f"{type(exc).__name__}: {exc}", ok=False)
        return False
    report("replay server", started, f"{server.url} ({len(COINS)} coins, {DAYS} days)", ok=True)
    smoke = Smoke(home=home, base_url=server.url, lang=lang)
    try:
        for name, step in steps(smoke):
            begun = time.perf_counter()
            try:
                detail = step()
            except (StepFailed, KeyError, TypeError, ValueError) as exc:
                report(name, begun, str(exc), ok=False)
                return False
            report(name, begun, detail, ok=True)
    finally:
        server.stop()
    return True


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m finbot.tools.run_smoke",
        description="End-to-end smoke of the finbot CLI, offline.",
    )
    parser.add_argument("--home", type=Path, help="finbot home to use (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary home")
    parser.add_argument("--lang", choices=("fr", "en"), default="en")
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic history")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    temporary = args.home is None
    home = Path(tempfile.mkdtemp(prefix="finbot-smoke-")) if temporary else args.home
    started = time.perf_counter()
    try:
        ok = run(home, lang=args.lang, seed=args.seed)
    finally:
        if temporary and not args.keep:
            shutil.rmtree(home, ignore_errors=True)
    where = f"; home kept at {home}" if args.keep or not temporary else ""
    print(f"smoke: {'PASS' if ok else 'FAIL'} in {time.perf_counter() - started:.1f} s{where}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
