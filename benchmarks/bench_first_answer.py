"""First answer first (issue 12.10): a keyless first start of the ten default coins against
the replay server enforcing the keyless rate limit (``public_rpm``, 10 a minute), with the
shipped settings (4 algorithms, the 1 h quick horizon, a year of hourly history).

The real bound is minutes ((1 + 4 x 10) requests / 10 per minute = 246 s), so the run uses a
SCALED CLOCK: the bot and the server share a clock running ``SCALE`` times faster than real
time; the rate-limit waits shrink by that factor, training does not (it counts ``SCALE`` times
more, in clock seconds, than it would at real speed: the figures are pessimistic). Times are
clock seconds from the start, the bound is requests needed / requests per minute.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

from benchmarks.common import BENCH_HOME, load_avg, row

SCALE = float(os.environ.get("FINBOT_BENCH_CLOCK_SCALE", "2"))
FIRST_TARGET_S = 60.0


def first_answers_run() -> dict[str, Any]:
    from finbot.clock import ScaledClock
    from finbot.ops.training import first_answers, quick_horizon
    from finbot.paths import Paths
    from finbot.replay import ReplayServer, default_coin_ids, generate_history
    from finbot.services import Services
    from finbot.timeframes import DAY_MS

    clock = ScaledClock(SCALE)
    end = int(clock.now() * 1000) // DAY_MS * DAY_MS
    history = generate_history(default_coin_ids(), end - 400 * DAY_MS, end, 7, m5_days=2)
    home = BENCH_HOME / "first-answer"
    shutil.rmtree(home, ignore_errors=True)
    paths = Paths.resolve(home).ensure()
    os.environ.pop("COINGECKO_API_KEYS", None)  # keyless
    with ReplayServer(history, clock=clock, rpm_limit=10) as server:
        with Services(paths, clock=clock, base_url=server.url) as services:
            horizon = quick_horizon(services.settings.general.horizons)
            answers = first_answers(services, horizon).as_dict()
        answers["http_429"] = server.stats()["status"].get("429", 0)
    return answers


def run() -> list[dict[str, Any]]:
    out = first_answers_run()
    first, last, bound = out["first_ready_s"], out["all_ready_s"], out["bound_s"]
    common = {
        "clock_scale": SCALE,
        "requests_needed": out["requests_needed"],
        "rpm": out["rpm"],
        "bound_s": bound,
        "order": out["order"],
        "errors": out["errors"],
        "http_429": out["http_429"],
        "load_avg": load_avg(),
        "runs": 1,
    }
    return [
        row(
            f"first answer: keyless first start, first coin ready (clock x{SCALE:g})",
            first,
            None,
            "s",
            f"<= {FIRST_TARGET_S:g} s",
            first is not None and first <= FIRST_TARGET_S,
            **common,
        ),
        row(
            f"first answer: keyless first start, all 10 ready vs bound (clock x{SCALE:g})",
            last,
            bound,
            "s",
            "<= 1.1 x bound (requests needed / rpm)",
            last is not None and last <= 1.1 * bound and not out["errors"],
            **common,
        ),
    ]


if __name__ == "__main__":
    for result in run():
        print(result)
