"""Whether an alert goes out now: its rule enabled, outside quiet hours (critical alerts may
pass), and its key not fired within the rule's cool-down (de-duplication). The time each key
last fired is kept in the database, so a restart or another job does not repeat it."""

from __future__ import annotations

from datetime import UTC, datetime

from finbot.alerts.history import AlertLog
from finbot.alerts.messages import Alert, AlertKind
from finbot.config import AlertSettings
from finbot.config.alert_settings import AlertRule, QuietHours
from finbot.timeframes import DAY_MS, HOUR_MS, SECOND_MS

MONTH_MS = 31 * DAY_MS  # a monthly-cap level names its month: once a month is enough
DIGEST_MS = 20 * HOUR_MS  # one digest a day, even if the job runs late or twice


def _rule(kind: AlertKind, settings: AlertSettings) -> AlertRule | None:
    by_kind: dict[AlertKind, AlertRule] = {
        AlertKind.DECISION: settings.decisions,
        AlertKind.TARGET_REACHED: settings.targets,
        AlertKind.TARGET_LIKELY: settings.targets,
        AlertKind.COLLECTOR_FAILING: settings.collector_failures,
        AlertKind.API_USAGE: settings.api_usage,
        AlertKind.MONTHLY_CAP: settings.api_usage,
        AlertKind.DISK_LOW: settings.disk,
        AlertKind.BOT_ERROR: settings.bot_error,
    }
    return by_kind.get(kind)


def enabled(kind: AlertKind, settings: AlertSettings) -> bool:
    if not settings.enabled:
        return False
    if kind is AlertKind.DIGEST:
        return settings.digest.enabled
    rule = _rule(kind, settings)
    return rule is None or rule.enabled


def cooldown_ms(kind: AlertKind, settings: AlertSettings) -> int:
    rule = _rule(kind, settings)
    base = rule.cooldown_sec * SECOND_MS if rule is not None else 0
    if kind is AlertKind.MONTHLY_CAP:
        return max(base, MONTH_MS)
    if kind is AlertKind.DIGEST:
        return DIGEST_MS
    return base


def quiet(hours: QuietHours, now_ms: int) -> bool:
    """Inside the quiet hours (``start`` included, ``end`` excluded, wrapping at midnight)."""
    if hours.start_hour is None or hours.end_hour is None:
        return False
    hour = datetime.fromtimestamp(now_ms / 1000, tz=UTC).hour
    start, end = hours.start_hour, hours.end_hour
    return start <= hour < end if start <= end else hour >= start or hour < end


class Gate:
    """Admits each alert at most once per cool-down of its key."""

    def __init__(self, settings: AlertSettings, history: AlertLog) -> None:
        self.settings = settings
        self.history = history

    def admit(self, alert: Alert, now_ms: int) -> bool:
        """True (and the key marked as fired now) when ``alert`` goes out."""
        if not enabled(alert.kind, self.settings):
            return False
        hours = self.settings.quiet_hours
        if quiet(hours, now_ms) and not (alert.critical and hours.critical_pass):
            return False
        mark = f"fired:{alert.key}"
        last = self.history.mark(mark)
        if last is not None and now_ms - last < cooldown_ms(alert.kind, self.settings):
            return False
        self.history.set_mark(mark, now_ms)
        return True
