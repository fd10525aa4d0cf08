"""The four questions' answers as the ``--json`` objects, built once for every face: the CLI
(``predict``), the dashboard's API and its pages call these, never a second implementation.

``question_sources`` wires the live inputs (and the tracker, None when the database is not
there); ``assess_many`` answers coins × horizons, skipping (and reporting) what cannot be
answered; ``coin_json`` is ``predict --coin C --json`` without a horizon.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from finbot.errors import FinbotError
from finbot.i18n import N_, Message, failure_line

if TYPE_CHECKING:
    from finbot.config import Settings
    from finbot.prediction.decision import Decision
    from finbot.prediction.questions import AmountAnswer, Assessment, Sources
    from finbot.prediction.tracking import PredictionTracker
    from finbot.services import Services

log = logging.getLogger(__name__)


def question_sources(services: Services) -> tuple[Sources, PredictionTracker | None]:
    """The questions' live inputs and the tracker (None when the database is unavailable)."""
    from finbot.services import live_sources

    try:
        tracker: PredictionTracker | None = services.tracker
    except Exception as exc:  # noqa: BLE001 - predictions still work without the database
        log.warning("%s", Message(N_("tracker unavailable: {error}"), error=failure_line(exc)))
        tracker = None
    return live_sources(services), tracker


def assess_many(
    settings: Settings,
    sources: Sources,
    coins: Sequence[str],
    horizons: Sequence[str],
    on_error: Callable[[str, str, FinbotError], None] | None = None,
) -> list[Assessment]:
    """Every answerable coin × horizon, in that order; ``on_error`` hears the others."""
    from finbot.prediction import questions as q

    out = []
    for coin in coins:
        for h in horizons:
            try:
                out.append(q.assess(settings, sources, coin, h))
            except FinbotError as exc:
                if on_error is not None:
                    on_error(coin, h, exc)
    return out


def amount_answer(
    settings: Settings, sources: Sources, coin: str, horizon: str, amount_eur: float | None
) -> AmountAnswer:
    """``predict --kind amount``: what ``amount_eur`` (default: ``costs.json``'s order size)
    becomes at ``horizon``; an amount the question refuses is a UsageError."""
    from finbot.prediction import questions as q

    amount = amount_eur if amount_eur is not None else settings.costs.default_order_eur
    return q.amount(settings, sources, coin, horizon, amount)


def coin_json(coin: str, assessed: Sequence[Assessment], decision: Decision) -> dict[str, Any]:
    """``predict --coin C --json`` (every horizon and the coin's overall decision)."""
    from finbot.prediction import questions as q

    return {
        "coin": coin,
        "predictions": [q.price_json(a) for a in assessed],
        "decision": decision.to_json(),
    }
