"""The bot process's alert senders: one ``AlertDispatcher`` (queue and thread) per home and
alert configuration, shared by every job run (each builds its own services), closed when the
bot stops. Like the job clock, a per-process resource."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from finbot.i18n import N_, Message

if TYPE_CHECKING:
    from finbot.alerts import AlertDispatcher
    from finbot.services import Services

log = logging.getLogger("finbot.alerts")
SENDERS_CLOSE_S = 5.0  # on stop, queued alerts get this long to go out
SenderKey = tuple[str, str, tuple[str, ...], object]


class DispatcherPool:
    """Senders by (home, database, channels, alert settings): a changed configuration gets a
    new sender; the old one drains and stops at ``close_all``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._senders: dict[SenderKey, AlertDispatcher] = {}

    def get(self, services: Services) -> AlertDispatcher:
        settings = services.settings
        key: SenderKey = (
            str(services.paths.home),
            services.paths.db_url,
            settings.secrets.alert_urls,
            settings.general.alerts,
        )
        with self._lock:
            sender = self._senders.get(key)
            if sender is None:
                sender = self._senders[key] = services.new_alert_dispatcher()
            return sender

    def close_all(self, timeout_s: float) -> None:
        """Deliver what is queued (``timeout_s`` each at most), then stop every sender."""
        with self._lock:
            senders = list(self._senders.values())
            self._senders.clear()
        for sender in senders:
            sender.close(timeout_s)


#: The process's senders (the scheduler's jobs all run in the bot process).
ALERT_SENDERS = DispatcherPool()


def tell_stopped(services: Services, error: str) -> None:
    """The ``bot_error`` alert, delivered (or failed) within the delivery timeout; never
    raises: the error that stopped the bot is what the caller reports."""
    from finbot.alerts import bot_stopped

    try:
        if services.settings.secrets.alert_urls:
            delivery = services.settings.general.alerts.delivery
            wait = delivery.timeout_sec * delivery.max_attempts + delivery.backoff_sec * 4
            bot_stopped(services.alert_run(), error, wait)
    except Exception:  # boundary: the stop goes on without its alert
        log.exception("%s", Message(N_("could not send the bot-stopped alert")))


def close_senders(services: Services) -> None:
    """On stop: ``services``' own sender and the jobs' ones drain (briefly) and stop."""
    own = services.__dict__.get("alert_dispatcher")  # the bot-stopped alert's sender
    if own is not None:
        own.close(SENDERS_CLOSE_S)
    ALERT_SENDERS.close_all(timeout_s=SENDERS_CLOSE_S)
