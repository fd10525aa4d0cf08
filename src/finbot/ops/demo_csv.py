"""``demo --csv-dir``: the whole CSV history served and used.

The replay starts where the data ends (``ShiftedClock``): the replay server, the collectors,
training and predictions all see the CSV's last bar as "now", so every timeframe present is
usable (the 5-minute bars of a file that ended months ago included). The history wanted per
timeframe covers the whole CSV span, and only the coins the folder has are run; whatever is
left out is said (``DemoResult.notes``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from finbot.clock import ShiftedClock, iso_utc
from finbot.i18n import N_, Message
from finbot.timeframes import DAY_MS

if TYPE_CHECKING:
    from finbot.ops.demo_report import DemoResult
    from finbot.replay import HistorySource
    from finbot.services import Services


def csv_services(
    services: Services, source: HistorySource, coins: list[str], result: DemoResult
) -> tuple[Services, list[str]]:
    """The demo's services for ``source`` (clock at its end, history covering it) and the
    chosen coins it has; a note for the coins it has not."""
    general = services.settings.general
    days = max(1, math.ceil((source.end_ms - source.start_ms) / DAY_MS) + 1)
    history = {tf: max(days, wanted) for tf, wanted in general.history_days.items()}
    settings = services.settings.model_copy(
        update={"general": general.model_copy(update={"history_days": history})}
    )
    kept = [c for c in coins if source.has(c)]
    left = [c for c in coins if not source.has(c)]
    if left:
        result.notes.append(Message(N_("no CSV file for {coins}: left out"), coins=", ".join(left)))
    result.notes.append(
        Message(
            N_("CSV history {start} to {end}: the replay starts at its end"),
            start=iso_utc(source.start_ms),
            end=iso_utc(source.end_ms),
        )
    )
    clock = ShiftedClock(source.end_ms / 1000)
    return services.derive(settings=settings, clock=clock), kept
