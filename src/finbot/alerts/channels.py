"""Channels are apprise URLs (Telegram, Discord, Slack, ntfy, e-mail, webhooks...): apprise
does the sending; finbot only gives each attempt its timeout and says which channel failed,
always by its masked URL (the scheme: the rest may hold a token)."""

from __future__ import annotations

import logging
from typing import Any

from finbot.config import mask_url
from finbot.errors import ConfigError, FinbotError
from finbot.i18n import N_

log = logging.getLogger("finbot.alerts")
#: apprise's own log lines, and those of the HTTP library under it (urllib3 writes each
#: request line at DEBUG), name the receiver: its host and a path that may hold a token (a
#: Telegram bot's). Only finbot's masked lines say what failed.
QUIET_LOGGERS = ("apprise", "urllib3.connectionpool")


class DeliveryFailed(FinbotError):
    """A channel did not take the alert (down, slow past the timeout, or an error answer)."""


def _plugin(url: str) -> Any:
    import apprise

    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin is None:
        raise ConfigError(
            N_("alert channel {url}: not an apprise URL apprise knows"), url=mask_url(url)
        )
    return plugin


def check_url(url: str) -> str:
    """The masked form of ``url`` once apprise accepts it; ConfigError otherwise."""
    _plugin(url)
    return mask_url(url)


def deliver(url: str, title: str, body: str, *, timeout_s: float) -> None:
    """Send one message to one channel; DeliveryFailed (which never names the receiver) when
    it did not take it."""
    plugin = _plugin(url)
    plugin.socket_connect_timeout = timeout_s
    plugin.socket_read_timeout = timeout_s
    try:
        ok = plugin.notify(body=body, title=title)
    except Exception as exc:  # boundary: a plugin's own failure is a failed delivery
        raise DeliveryFailed(N_("the channel failed ({kind})"), kind=type(exc).__name__) from exc
    if not ok:
        raise DeliveryFailed(N_("not delivered (down, too slow or refused)"))
