"""The volatility model beside a point model: fitted on the same bars, saved in the home's
``VolatilityStore`` (``<models>/<coin>/vol/<horizon>/<version>/``, versioned like the models).

``fit_and_save`` never raises a FinbotError: a series too short for the volatility walk-forward
(or any other data problem) is reported in the summary's ``error``, and the point model it
rides with is kept all the same; the previous volatility version then stays the latest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from finbot.errors import FinbotError
from finbot.i18n import N_, Message, error_message

if TYPE_CHECKING:
    import polars as pl

    from finbot.config.models import Costs, GeneralSettings
    from finbot.prediction.volatility import VolatilityConfig


@dataclass(frozen=True)
class VolatilityTraining:
    """Where volatility models go and how they are fitted (picklable: a folder, not a store)."""

    root: Path  # the models root the ``VolatilityStore`` shares with the ``ModelStore``
    config: VolatilityConfig
    keep: int = 3

    @staticmethod
    def of(root: Path, general: GeneralSettings, costs: Costs) -> VolatilityTraining | None:
        """From the settings (None when ``volatility.enabled`` is off): the two naive
        forecasts and ``volatility.models`` as candidates, the interval level of
        ``confidence.level``, direction events beyond the round-trip cost of the default order
        at the default spread, ``training.keep_versions`` versions kept."""
        from finbot.prediction.decision import resolve_spread, round_trip_cost
        from finbot.prediction.volatility import NAIVES, VolatilityConfig, WalkForwardConfig

        vol = general.volatility
        if not vol.enabled:
            return None
        cost = round_trip_cost(costs, resolve_spread(costs)).fraction
        walk = WalkForwardConfig(candidates=NAIVES + tuple(dict.fromkeys(vol.models)))
        config = VolatilityConfig(level=general.confidence.level, cost=cost, walk=walk)
        return VolatilityTraining(root, config, general.training.keep_versions)


def _ratio(value: float) -> float | None:
    return value if math.isfinite(value) else None


def fit_and_save(
    training: VolatilityTraining, frame: pl.DataFrame, coin: str, timeframe: str, horizon: str
) -> dict[str, Any]:
    """Fit ``coin``'s volatility model for ``horizon`` on ``frame`` and save it; a summary
    (model, version, the skill ratios) or ``{"error": ...}``."""
    from finbot.prediction.volatility import VolatilityStore, fit_volatility

    try:
        model = fit_volatility(frame, timeframe, horizon, training.config)
        version = VolatilityStore(training.root, keep=training.keep).save(
            coin, horizon, model.fitted
        )
    except FinbotError as exc:
        return {"error": Message(N_("volatility: {error}"), error=error_message(exc))}
    skill = model.skill
    return {
        "model": model.chosen,
        "version": version,
        "qlike_ratio": _ratio(skill.qlike_ratio),
        "winkler_ratio": _ratio(skill.winkler_ratio),
        "direction_brier_ratio": _ratio(skill.direction_brier_ratio),
        "touch_brier_ratio": _ratio(skill.touch_brier_ratio),
    }
