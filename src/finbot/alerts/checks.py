"""One pass of the rules over what finbot recorded, and the alerts that pass the gate queued
for sending. Called by the scheduler's alert jobs (``finbot.ops``) and the ``alerts`` CLI;
everything arrives as typed collaborators."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import finbot.alerts.rules as rules
from finbot.alerts.dispatcher import AlertDispatcher, Outgoing
from finbot.alerts.gate import Gate
from finbot.alerts.history import AlertLog
from finbot.alerts.messages import Alert, render
from finbot.timeframes import SECOND_MS

if TYPE_CHECKING:
    from finbot.collectors import ApiUsageStore
    from finbot.config import Settings
    from finbot.prediction.tracking import PredictionTracker

SEEN_MARK = "watermark:predictions_ms"  # made_at / resolved_at already looked at
RECENT_ROWS = 1000  # predictions read per pass (newest first): far more than made in a minute


@dataclass(frozen=True)
class AlertRun:
    """What a pass needs: the settings, the alert tables, the sender and the time."""

    settings: Settings
    history: AlertLog
    dispatcher: AlertDispatcher
    now_ms: int

    @property
    def lang(self) -> str:
        return self.settings.general.alerts.lang or self.settings.general.lang or "en"

    def raise_alerts(self, alerts: Iterable[Alert]) -> list[Alert]:
        """Queue every alert the gate admits; returns them."""
        gate = Gate(self.settings.general.alerts, self.history)
        sent = []
        for alert in alerts:
            if gate.admit(alert, self.now_ms):
                title, body = render(alert, self.lang)
                self.dispatcher.submit(Outgoing(alert, title, body, self.now_ms))
                sent.append(alert)
        return sent


def _since(run: AlertRun) -> int:
    seen = run.history.mark(SEEN_MARK)
    first = run.now_ms - 2 * run.settings.general.alerts.check_every_sec * SECOND_MS
    return seen if seen is not None else first


def prediction_alerts(run: AlertRun, tracker: PredictionTracker) -> list[Alert]:
    """BUY/SELL and targets from the predictions made or resolved since the last pass."""
    since, settings = _since(run), run.settings
    rows: list[dict[str, Any]] = tracker.recent(RECENT_ROWS)
    new = [r for r in rows if since < r["made_at"] <= run.now_ms]
    resolved = [r for r in rows if r["resolved_at"] is not None and since < r["resolved_at"]]
    alerts = rules.decision_alerts(new, settings.thresholds.alert_level)
    alerts += rules.target_likely_alerts(
        new, settings.targets, settings.costs, settings.general.alerts.targets
    )
    alerts += rules.target_reached_alerts(resolved, settings.targets, settings.costs)
    run.history.set_mark(SEEN_MARK, run.now_ms)
    return alerts


def month_key(now_ms: int) -> str:
    return datetime.fromtimestamp(now_ms / 1000, tz=UTC).strftime("%Y-%m")


def health_alerts(run: AlertRun, usage: ApiUsageStore, disk_path: Path) -> list[Alert]:
    """Collectors failing in a row, API usage AMBER/RED, the monthly cap, the disk."""
    cfg = run.settings.general.alerts
    alerts = rules.collector_alerts(usage.collector_summary(), cfg.collector_failures)
    alerts += rules.usage_alerts(usage.summary(run.now_ms), cfg.api_usage, month_key(run.now_ms))
    alerts += rules.disk_alerts(shutil.disk_usage(disk_path).free, str(disk_path), cfg.disk)
    return alerts


def check_alerts(
    run: AlertRun, tracker: PredictionTracker, usage: ApiUsageStore, disk_path: Path
) -> list[Alert]:
    """One pass of every rule; returns the alerts queued."""
    return run.raise_alerts(
        [*prediction_alerts(run, tracker), *health_alerts(run, usage, disk_path)]
    )


def send_digest(run: AlertRun, tracker: PredictionTracker) -> list[Alert]:
    """The daily digest of the tracker (once a day)."""
    day = datetime.fromtimestamp(run.now_ms / 1000, tz=UTC).strftime("%Y-%m-%d")
    alert = rules.digest_alert(tracker.counts(), tracker.summary(run.now_ms), day)
    return run.raise_alerts([alert])


def bot_stopped(run: AlertRun, error: str, timeout_s: float) -> bool:
    """Tell the channels the bot stopped on ``error``, waiting at most ``timeout_s``."""
    if not run.raise_alerts([rules.bot_error_alert(error)]):
        return False
    return run.dispatcher.flush(timeout_s)
