"""The ``alerts`` section of ``settings.json``: which rules speak, how often, when not, and how
alerts are delivered. The channels (apprise URLs) are secrets: ``Secrets.alert_urls``.

Every rule has ``enabled`` and ``cooldown_sec``: an alert with the same key (rule and subject,
e.g. ``decision:bitcoin:1h:BUY``) is not sent again within its cool-down. The BUY/SELL level is
``thresholds.json``'s ``alert_level``, not repeated here.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from finbot.config.frozen import Frozen
from finbot.i18n import N_, Message


class AlertRule(Frozen):
    enabled: bool = True
    cooldown_sec: int = Field(3600, ge=0)


class TargetRule(AlertRule):
    """A target reached (a resolved prediction) or likely (a new one): ``probability_level``
    where the forecast gives a probability, else the whole interval must reach the target."""

    cooldown_sec: int = Field(6 * 3600, ge=0)
    probability_level: float = Field(0.70, gt=0, le=1)


class CollectorRule(AlertRule):
    after_failures: int = Field(3, ge=1)


class UsageRule(AlertRule):
    cooldown_sec: int = Field(1800, ge=0)
    states: tuple[Literal["AMBER", "RED"], ...] = ("AMBER", "RED")
    monthly_cap_pct: tuple[float, ...] = (80.0, 95.0)


class DiskRule(AlertRule):
    cooldown_sec: int = Field(6 * 3600, ge=0)
    min_free_gb: float = Field(2.0, ge=0)


class DigestRule(Frozen):
    enabled: bool = True
    hour_utc: int = Field(8, ge=0, le=23)
    minute: int = Field(0, ge=0, le=59)


class QuietHours(Frozen):
    """No alert between ``start_hour`` and ``end_hour`` (UTC, may wrap past midnight), except
    the critical ones (collector down, RED usage, cap 95 %, disk, bot stopped) when
    ``critical_pass``. Both None: no quiet hours."""

    start_hour: int | None = Field(None, ge=0, le=23)
    end_hour: int | None = Field(None, ge=0, le=23)
    critical_pass: bool = True

    @model_validator(mode="after")
    def _both(self) -> QuietHours:
        if (self.start_hour is None) != (self.end_hour is None):
            raise ValueError(Message(N_("expected both start_hour and end_hour, or neither")))
        return self


class AlertDelivery(Frozen):
    """The sender: a bounded queue, a timeout per attempt, retries with backoff."""

    queue_size: int = Field(100, ge=1)
    timeout_sec: float = Field(10.0, gt=0)
    max_attempts: int = Field(3, ge=1, le=10)
    backoff_sec: float = Field(1.0, ge=0)


class AlertSettings(Frozen):
    enabled: bool = True
    lang: Literal["fr", "en"] | None = None  # None: settings.json's lang, else English
    check_every_sec: int = Field(60, ge=5)
    decisions: AlertRule = AlertRule()
    targets: TargetRule = TargetRule()
    collector_failures: CollectorRule = CollectorRule()
    api_usage: UsageRule = UsageRule()
    disk: DiskRule = DiskRule()
    bot_error: AlertRule = AlertRule(cooldown_sec=0)
    digest: DigestRule = DigestRule()
    quiet_hours: QuietHours = QuietHours()
    delivery: AlertDelivery = AlertDelivery()
