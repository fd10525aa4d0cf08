"""Which horizons finbot answers: the configured ones (``settings.general.horizons``), and a
clear error listing them for any other."""

from __future__ import annotations

from finbot.config.models import Settings
from finbot.errors import UsageError
from finbot.i18n import N_
from finbot.timeframes import canonical, duration_seconds


def configured_horizons(settings: Settings) -> list[str]:
    """Every configured horizon, shortest first: what ``when`` scans and ``best`` ranks."""
    return sorted(settings.general.horizons, key=duration_seconds)


def check_horizon(settings: Settings, horizon: str) -> str:
    """``horizon`` in its canonical spelling when configured, else a UsageError that lists the
    supported horizons and how to add one (never a train command that cannot work)."""
    key = canonical(horizon)
    supported = configured_horizons(settings)
    if key not in supported:
        raise UsageError(
            N_(
                "horizon: {key} is not supported; expected one of {supported} (add it to "
                "'horizons' in settings.json, then 'finbot train --all')"
            ),
            key=key,
            supported=", ".join(supported),
        )
    return key
