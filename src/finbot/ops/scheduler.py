"""The bot's timetable: APScheduler 3 with its jobs persisted in the project database.

Every job is referenced by text (``finbot.ops.jobs:collect_prices``) with plain arguments
(the home path, the base URL), so the ``SQLAlchemyJobStore`` can keep it across restarts. All
jobs coalesce (after a sleep, the missed runs collapse into one), run one instance at a time
(an overrunning job is skipped, not piled up), and tolerate a late start within their
``misfire_grace_time``. On start, jobs already in the store keep their next run time when their
definition has not changed; changed ones are replaced, obsolete ones removed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypedDict

from finbot.clock import iso_utc
from finbot.i18n import N_, Message

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler
    from sqlalchemy import Engine

    from finbot.services import Services

log = logging.getLogger("finbot.scheduler")
JOBS_TABLE = "apscheduler_jobs"
DAILY_GRACE_S = 6 * 3600
OHLC_INTERVAL_S = 3600  # /ohlc candles: 30-minute granularity at best, hourly is plenty
_JOBS = "finbot.ops.jobs:"
_ALERT_JOBS = "finbot.ops.alert_jobs:"
RETRAIN_JOBS = ("train_micro", "train_mini")  # the one retraining path (daily, weekly)
#: A job's arguments are plain values the job store persists (the home path, the base URL).
JobArg = str | None
#: An interval's seconds, a cron field (hour, minute, day of week).
TriggerArg = int | float | str


@dataclass(frozen=True)
class JobSpec:
    """One job: its id, the textual reference of its function, its trigger and arguments."""

    id: str
    func: str
    trigger: str  # "interval" or "cron"
    trigger_args: dict[str, TriggerArg]
    args: tuple[JobArg, ...] = ()
    misfire_grace_time: int = 60
    run_at_start: bool = False
    kwargs: dict[str, JobArg] = field(default_factory=dict)

    def make_trigger(self) -> Any:
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        if self.trigger == "interval":
            return IntervalTrigger(timezone=UTC, **self.trigger_args)
        if self.trigger == "cron":
            return CronTrigger(timezone=UTC, **self.trigger_args)
        raise ValueError(f"job {self.id}: trigger: expected interval or cron, got {self.trigger}")

    def describe(self) -> dict[str, Any]:
        """``{id, func, trigger, **trigger arguments}`` (``train-incremental --mode schedule``)."""
        return {"id": self.id, "func": self.func, "trigger": self.trigger, **self.trigger_args}


def interval_job(
    job_id: str, func: str, seconds: float, args: tuple[JobArg, ...], *, run_at_start: bool = False
) -> JobSpec:
    """An interval job whose grace time is one interval (a late run still counts)."""
    return JobSpec(
        job_id,
        func,
        "interval",
        {"seconds": seconds},
        args,
        misfire_grace_time=max(int(seconds), 30),
        run_at_start=run_at_start,
    )


def _collect_jobs(services: Services) -> list[JobSpec]:
    """The collectors, each run at start and then every cadence of ``settings.json``."""
    settings, home, base_url = services.settings, str(services.paths.home), services.base_url
    cad = settings.general.cadences_sec
    collect = [
        ("prices", cad.prices),
        ("markets", cad.markets),
        ("chart_5m", cad.chart_5m),
        ("tickers", cad.tickers),
        ("fx", cad.fx),
        ("ohlc", OHLC_INTERVAL_S),
    ]
    if settings.api.exchange.enabled:  # true OHLCV bars, as often as the 5-minute chart
        collect.append(("exchange", cad.chart_5m))
    return [
        interval_job(kind, f"{_JOBS}collect_{kind}", secs, (home, base_url), run_at_start=True)
        for kind, secs in collect
    ]


def _maintenance_jobs(services: Services) -> list[JobSpec]:
    """Prediction checks, heartbeat, training, retention and cleanups."""
    settings, home = services.settings, str(services.paths.home)
    training = settings.general.training
    hour, weekday = training.micro_hour_utc, training.mini_weekday
    check_every = settings.general.cadences_sec.prediction_check
    return [
        interval_job("prediction_check", f"{_JOBS}check_predictions", check_every, (home,)),
        interval_job("heartbeat", f"{_JOBS}heartbeat", 60, (home,)),
        interval_job("train_missing", f"{_JOBS}train_missing", 3600, (home,), run_at_start=True),
        _cron("retention", "apply_retention", home, hour=(hour + 22) % 24, minute=15),
        _cron("train_micro", "train_micro", home, hour=hour, minute=0),
        _cron("train_mini", "train_mini", home, day_of_week=weekday, hour=hour, minute=30),
        _cron(
            "clean_cache", "clean_cache", home, day_of_week=weekday, hour=(hour + 1) % 24, minute=45
        ),
        _cron(
            "cleanup_models",
            "cleanup_models",
            home,
            day_of_week=weekday,
            hour=(hour + 2) % 24,
            minute=0,
        ),
    ]


def _alert_jobs(services: Services) -> list[JobSpec]:
    """The alert rules' pass and the daily digest, when alerts are on and have a channel."""
    settings, home = services.settings, str(services.paths.home)
    alerts = settings.general.alerts
    if not alerts.enabled or not settings.secrets.alert_urls:
        return []
    every = alerts.check_every_sec
    specs = [interval_job("alerts_check", f"{_ALERT_JOBS}check_alerts", every, (home,))]
    if alerts.digest.enabled:
        when: dict[str, TriggerArg] = {
            "hour": alerts.digest.hour_utc,
            "minute": alerts.digest.minute,
        }
        digest = f"{_ALERT_JOBS}alert_digest"
        specs.append(JobSpec("alerts_digest", digest, "cron", when, (home,), DAILY_GRACE_S))
    return specs


def job_specs(services: Services) -> list[JobSpec]:
    """Every job of the bot, with cadences and hours from ``settings.json``; each job gets the
    home path (and the collectors ``services.base_url``) and builds its services from it."""
    return _collect_jobs(services) + _maintenance_jobs(services) + _alert_jobs(services)


def retrain_jobs(services: Services) -> list[JobSpec]:
    """The daily micro and weekly mini retraining jobs."""
    return [spec for spec in job_specs(services) if spec.id in RETRAIN_JOBS]


def _cron(job_id: str, func: str, home: str, **when: TriggerArg) -> JobSpec:
    return JobSpec(job_id, _JOBS + func, "cron", when, (home,), misfire_grace_time=DAILY_GRACE_S)


def build_scheduler(engine: Engine, *, workers: int = 4) -> BackgroundScheduler:
    """A BackgroundScheduler whose job store is the home's database ``engine`` (not started)."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    class Scheduler(BackgroundScheduler):  # type: ignore[misc]
        """Cuts the collector jobs' waits short on shutdown (they end as failed runs)."""

        def start(self, *args: Any, **kwargs: Any) -> None:
            from finbot.ops.jobs import JOB_CLOCK

            JOB_CLOCK.resume()
            super().start(*args, **kwargs)

        def shutdown(self, *args: Any, **kwargs: Any) -> None:
            from finbot.ops.jobs import JOB_CLOCK

            JOB_CLOCK.interrupt()
            super().shutdown(*args, **kwargs)

    return Scheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)},
        executors={"default": ThreadPoolExecutor(workers)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=UTC,
    )


def _same(job: Any, spec: JobSpec, trigger: Any) -> bool:
    return bool(
        job.func_ref == spec.func
        and tuple(job.args) == tuple(spec.args)
        and dict(job.kwargs) == spec.kwargs
        and str(job.trigger) == str(trigger)
        and job.misfire_grace_time == spec.misfire_grace_time
    )


def sync_jobs(scheduler: BackgroundScheduler, specs: list[JobSpec]) -> dict[str, str]:
    """Make the store hold exactly ``specs``; returns ``{id: kept|added|replaced|removed}``."""
    outcome: dict[str, str] = {}
    wanted = {spec.id for spec in specs}
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            job.remove()
            outcome[job.id] = "removed"
    now = datetime.now(UTC)
    for spec in specs:
        trigger = spec.make_trigger()
        existing = scheduler.get_job(spec.id)
        if existing is not None and _same(existing, spec, trigger):
            outcome[spec.id] = "kept"
            if spec.run_at_start:
                existing.modify(next_run_time=now)
            continue
        extra = {"next_run_time": now} if spec.run_at_start else {}
        scheduler.add_job(
            spec.func,
            trigger,
            args=list(spec.args),
            kwargs=dict(spec.kwargs),
            id=spec.id,
            name=spec.id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=spec.misfire_grace_time,
            **extra,
        )
        outcome[spec.id] = "replaced" if existing is not None else "added"
    return outcome


def prepare_tables(services: Services) -> None:
    """Create the tables jobs write to before jobs run in parallel threads: two threads
    creating the same SQLite table at once fail with "table already exists"."""
    from finbot.ops.job_runs import ensure_job_runs

    ensure_job_runs(services.engine)
    services.usage  # noqa: B018 - building the ledger and the tracker creates their tables
    services.tracker  # noqa: B018
    services.alert_log  # noqa: B018


def start_scheduler(
    services: Services, specs: list[JobSpec], *, workers: int = 4
) -> BackgroundScheduler:
    """Start the scheduler paused, reconcile its jobs with ``specs``, then let it run."""
    prepare_tables(services)
    scheduler = build_scheduler(services.engine, workers=workers)
    scheduler.start(paused=True)
    outcome = sync_jobs(scheduler, specs)
    log.info("%s", Message(N_("scheduler jobs")), extra={"jobs": outcome})
    scheduler.resume()
    return scheduler


class JobRow(TypedDict):
    """One job as ``status`` shows it (``status --json``: the ``jobs`` list)."""

    id: str
    last_run: str | None
    next_run: str | None
    status: str | None
    duration_s: float | None
    rows: int | None
    runs: int
    failures: int
    error: str | None


def scheduler_jobs(engine: Engine) -> list[JobRow]:
    """Every job with its next run (the job store) and last run (``job_runs``), read from the
    database, so any process (``finbot status``) sees what the running bot did."""
    from sqlalchemy import inspect, text

    from finbot.ops.job_runs import last_runs

    next_runs: dict[str, float | None] = {}
    if inspect(engine).has_table(JOBS_TABLE):
        with engine.connect() as conn:
            rows = conn.execute(text(f"SELECT id, next_run_time FROM {JOBS_TABLE}"))
            next_runs = {str(r[0]): r[1] for r in rows}
    runs = last_runs(engine)
    out: list[JobRow] = []
    for job_id in sorted(set(next_runs) | set(runs)):
        run = runs.get(job_id)
        nxt = next_runs.get(job_id)
        out.append(
            {
                "id": job_id,
                "last_run": iso_utc(run.last_run_ms) if run is not None else None,
                "next_run": iso_utc(int(nxt * 1000)) if nxt is not None else None,
                "status": run.status if run is not None else None,
                "duration_s": run.duration_s if run is not None else None,
                "rows": run.rows if run is not None else None,
                "runs": run.runs if run is not None else 0,
                "failures": run.failures if run is not None else 0,
                "error": run.error if run is not None else None,
            }
        )
    return out
