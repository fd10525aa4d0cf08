"""The scheduler's alert jobs (``finbot.ops.alert_jobs:NAME``): a pass of the rules every
``alerts.check_every_sec``, the daily digest. They only queue: the sending happens on the
process's sender thread (``alert_senders``), so a slow channel never holds a job, and these
jobs never run inside a collector or a prediction."""

from __future__ import annotations

from finbot.ops.job_runs import JobOutcome
from finbot.ops.jobs import run_job
from finbot.services import Services


def _check(services: Services) -> int:
    from finbot.alerts import check_alerts as run_rules

    alerts = run_rules(services.alert_run(), services.tracker, services.usage, services.paths.home)
    return len(alerts)


def check_alerts(home: str) -> JobOutcome:
    """Every rule once: BUY/SELL and targets since the last pass, the bot's health."""
    return run_job("alerts_check", home, _check)


def _digest(services: Services) -> int:
    from finbot.alerts import send_digest

    return len(send_digest(services.alert_run(), services.tracker))


def alert_digest(home: str) -> JobOutcome:
    """The tracker's daily digest."""
    return run_job("alerts_digest", home, _digest)
