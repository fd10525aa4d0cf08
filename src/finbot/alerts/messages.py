"""The alerts and their messages: one catalog of English message ids (French in finbot.po),
rendered in the user's language with the numbers written its way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from finbot.i18n import N_, localise_number, translate

Param = str | int | float


class Signed(float):
    """A change in percent, always shown with its sign."""


class AlertKind(StrEnum):
    """What an alert is about; also the rule that governs its cool-down."""

    DECISION = "decision"
    TARGET_REACHED = "target_reached"
    TARGET_LIKELY = "target_likely"
    COLLECTOR_FAILING = "collector_failing"
    API_USAGE = "api_usage"
    MONTHLY_CAP = "monthly_cap"
    DISK_LOW = "disk_low"
    BOT_ERROR = "bot_error"
    DIGEST = "digest"
    TEST = "test"


@dataclass(frozen=True)
class Alert:
    """One alert: its kind, its de-duplication key (kind and subject) and its values."""

    kind: AlertKind
    key: str
    params: Mapping[str, Param] = field(default_factory=dict)
    critical: bool = False
    variant: str = ""  # another body for the same kind (see VARIANTS)


#: kind -> (title, body): English message ids, formatted with the alert's params.
CATALOG: dict[AlertKind, tuple[str, str]] = {
    AlertKind.DECISION: (
        N_("finbot: {action} {coin} ({horizon})"),
        N_(
            "{action} {coin} at {horizon}: confidence {confidence} % (alert level {level} %). "
            "Price {price} $, predicted {predicted} $ ({change} %)."
        ),
    ),
    AlertKind.TARGET_REACHED: (
        N_("finbot: target reached for {coin} ({horizon})"),
        N_(
            "{coin} at {horizon}: {net} EUR net on {order} EUR, target {target} EUR reached "
            "(price {price} $)."
        ),
    ),
    AlertKind.TARGET_LIKELY: (
        N_("finbot: target likely for {coin} ({horizon})"),
        N_(
            "{coin} at {horizon}: {net} EUR net expected on {order} EUR against a target of "
            "{target} EUR (probability {probability} %)."
        ),
    ),
    AlertKind.COLLECTOR_FAILING: (
        N_("finbot: collector {collector} failing"),
        N_("The {collector} collector failed {n} times in a row. Last error: {error}"),
    ),
    AlertKind.API_USAGE: (
        N_("finbot: CoinGecko usage {state}"),
        N_("CoinGecko API usage is {state}: {requests} requests this minute out of {limit}."),
    ),
    AlertKind.MONTHLY_CAP: (
        N_("finbot: {level} % of the monthly cap"),
        N_("{requests} CoinGecko requests this month: {share} % of the cap of {cap}."),
    ),
    AlertKind.DISK_LOW: (
        N_("finbot: disk space low"),
        N_("Only {free} GB free under {path} (minimum {minimum} GB)."),
    ),
    AlertKind.BOT_ERROR: (
        N_("finbot stopped on an error"),
        N_("The bot stopped on an error: {error}"),
    ),
    AlertKind.DIGEST: (
        N_("finbot: daily digest"),
        N_(
            "Last 24 h: {resolved} predictions resolved, hit rate {hit_rate}, coverage "
            "{coverage}; {pending} pending."
        ),
    ),
    AlertKind.TEST: (
        N_("finbot: test alert"),
        N_("This is a test alert from finbot: this channel works."),
    ),
}
#: (kind, variant) -> body, in place of the catalog's.
VARIANTS: dict[tuple[AlertKind, str], str] = {
    (AlertKind.TARGET_LIKELY, "interval"): N_(
        "{coin} at {horizon}: {net} EUR net expected on {order} EUR against a target of "
        "{target} EUR, reached even at the low end of the {level} % interval."
    ),
}
#: How a missing figure reads (no resolved prediction: no hit rate).
NO_VALUE = N_("n/a")


def _shown(lang: str, value: Param) -> str:
    if isinstance(value, bool | str):
        return translate(lang, NO_VALUE) if value == NO_VALUE else str(value)
    if isinstance(value, Signed):
        return localise_number(lang, f"{value:+,.2f}")
    if isinstance(value, int):
        return localise_number(lang, f"{value:,}")
    return localise_number(lang, f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}")


def render(alert: Alert, lang: str) -> tuple[str, str]:
    """(title, body) of ``alert`` in ``lang``."""
    title, body = CATALOG[alert.kind]
    body = VARIANTS.get((alert.kind, alert.variant), body)
    values = {k: _shown(lang, v) for k, v in alert.params.items()}
    return translate(lang, title, **values), translate(lang, body, **values)
