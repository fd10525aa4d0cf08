"""The scheduler's jobs: module-level functions referenced by text (``finbot.ops.jobs:NAME``).

Each takes the home path as a string (and, for collectors, the CoinGecko base URL), so the job
store can persist it, and builds the run's services from it (``finbot.services``): the home's
settings are loaded afresh (a changed cadence or coin list is picked up). Each calls one library
function with its collaborators (its ``Work``: the rows it touched, or None), logs one
structured line (job, duration, rows), records the run in ``job_runs`` for ``status`` and
returns it as a ``JobOutcome``. A failure is an exception: ``JobFailed`` when the library
reported it without raising (logged as it said it), anything else logged with its traceback.
A run cut short by a stop (the job clock's ``Interrupted``) is logged at INFO as stopped by
shutdown, not as a failure. Every line names its job in its text, not only in its fields.
None reaches APScheduler, and the next run happens as planned.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Callable
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from finbot.clock import Interrupted, InterruptibleClock, SystemClock, now_ms
from finbot.errors import JobFailed
from finbot.i18n import N_, Message, Number, failure_line
from finbot.ops.job_runs import JobOutcome, JobStatus, record_run
from finbot.paths import Paths
from finbot.services import Services

if TYPE_CHECKING:
    from finbot.alerts import AlertDispatcher
    from finbot.config.models import CacheTtl
    from finbot.prediction.training import RetrainMode
    from finbot.storage import BarStore, Cache

log = logging.getLogger("finbot.jobs")
CACHE_MAX_AGE_S = 7 * 86_400

Work = Callable[[Services], int | None]  # -> rows touched (None: nothing to count)
#: What the collector jobs wait on (backoff, rate limits): the scheduler interrupts it when it
#: shuts down, so a stop never waits out a minute of rate-limit sleeps. One instance per
#: process, so the jobs also share one per-key rate limiter (keyed by the clock).
JOB_CLOCK = InterruptibleClock()
#: The error a run cut short by a stop records (logged at INFO: a stop is not a failure).
STOPPED = "stopped by shutdown"


class JobServices(Services):
    """A job run's services: the interruptible job clock, and one collector cache and one
    alert sender per home for the life of the bot process (TTLs, the cache hits ``status``
    shows and the alert queue span runs)."""

    @cached_property
    def cache(self) -> Cache:
        return _shared_cache(str(self.paths.home), self.settings.api.coingecko.cache_ttl_sec)

    @cached_property
    def alert_dispatcher(self) -> AlertDispatcher:
        """The bot process's sender for this home (its queue and thread outlive the run)."""
        from finbot.ops.alert_senders import ALERT_SENDERS

        return ALERT_SENDERS.get(self)


@lru_cache(maxsize=8)
def _shared_cache(_home: str, ttl: CacheTtl) -> Cache:
    """Like ``engine_for``, a per-process resource: one per home (and TTL configuration)."""
    from finbot.collectors import make_collector_cache

    return make_collector_cache(ttl, JOB_CLOCK)


def run_job(job_id: str, home: str, work: Work, *, base_url: str | None = None) -> JobOutcome:
    """Run ``work(services)`` as job ``job_id``, record and return how it went; never
    raises."""
    services = JobServices(Paths.resolve(home), clock=JOB_CLOCK, base_url=base_url)
    started_ms = now_ms(SystemClock())
    begin = time.perf_counter()
    status, rows, error, stopped = JobStatus.OK, None, None, False
    try:
        with services:
            services.settings  # noqa: B018 - loaded afresh: a broken settings.json fails the run
            rows = work(services)
    except Interrupted:  # the scheduler is stopping and cut a wait short: a normal end
        status, error, stopped = JobStatus.ERROR, STOPPED, True
    except JobFailed as exc:  # the library said why (and logged it): recorded as it said it
        status, rows, error = JobStatus.ERROR, exc.rows, str(exc)
        if JOB_CLOCK.interrupted:  # a collector reports its cut-short wait as a failure
            error, stopped = STOPPED, True
        else:
            line = Message(N_("job {job} failed: {error}"), job=job_id, error=failure_line(exc))
            log.error("%s", line, extra={"job": job_id, "error": error})
    except Exception as exc:  # boundary: logged with its traceback and shown by status
        status, error = JobStatus.ERROR, f"{type(exc).__name__}: {exc}"
        line = Message(N_("job {job} failed: {error}"), job=job_id, error=failure_line(exc))
        log.exception("%s", line, extra={"job": job_id})
    duration = round(time.perf_counter() - begin, 3)
    extra = {"job": job_id, "duration_s": duration, "rows": rows}
    if status is JobStatus.OK:
        took = Number(duration, 2)
        line = (
            Message(N_("job {job} done in {s} s"), job=job_id, s=took)
            if rows is None
            else Message(N_("job {job} done in {s} s ({rows} rows)"), job=job_id, s=took, rows=rows)
        )
        log.info("%s", line, extra=extra)
    elif stopped:
        line = Message(
            N_("job {job} stopped by shutdown after {s} s"), job=job_id, s=Number(duration, 2)
        )
        log.info("%s", line, extra=extra)
    outcome = JobOutcome(job_id, started_ms, duration, status, rows, error)
    try:
        record_run(services.engine, outcome)
    except Exception:  # boundary: logged; the run is over and must not fail the scheduler
        line = Message(N_("could not record the run of job {job}"), job=job_id)
        log.exception("%s", line, extra={"job": job_id})
    return outcome


# ------------------------------------------------------------------ collectors
def _collector(kind: str) -> Work:
    def work(services: Services) -> int:
        from finbot.collectors import run_collector

        result = run_collector(kind, services.collectors)
        if not result.ok:  # the collector logged and recorded its failure without raising
            raise JobFailed(result.error or N_("failed"), rows=result.rows)
        return result.rows

    return work


def collect_prices(home: str, base_url: str | None = None) -> JobOutcome:
    return run_job("prices", home, _collector("prices"), base_url=base_url)


def collect_markets(home: str, base_url: str | None = None) -> JobOutcome:
    return run_job("markets", home, _collector("markets"), base_url=base_url)


def collect_chart_5m(home: str, base_url: str | None = None) -> JobOutcome:
    return run_job("chart_5m", home, _collector("chart_5m"), base_url=base_url)


def collect_tickers(home: str, base_url: str | None = None) -> JobOutcome:
    return run_job("tickers", home, _collector("tickers"), base_url=base_url)


def collect_fx(home: str, base_url: str | None = None) -> JobOutcome:
    return run_job("fx", home, _collector("fx"), base_url=base_url)


def collect_ohlc(home: str, base_url: str | None = None) -> JobOutcome:
    return run_job("ohlc", home, _collector("ohlc"), base_url=base_url)


def collect_exchange(home: str, base_url: str | None = None) -> JobOutcome:
    """True OHLCV bars from the configured exchange (its own URL; ``base_url`` unused)."""
    return run_job("exchange", home, _collector("exchange"), base_url=base_url)


# ------------------------------------------------------------------ predictions and models
def _resolve_predictions(services: Services) -> int:
    return int(services.tracker.resolve_due(services.bar_store, now_ms(services.clock)))


def check_predictions(home: str) -> JobOutcome:
    """Score the stored predictions whose target time has passed (the tracker)."""
    return run_job("prediction_check", home, _resolve_predictions)


def _incremental(mode: RetrainMode) -> Work:
    def work(services: Services) -> int:
        from finbot.prediction.training import incremental_trainer

        settings = services.settings
        out = incremental_trainer.run(
            mode,
            services.bar_store,
            services.model_store,
            services.training,
            settings.coins.ids,
            settings.general.horizons,
            clock=services.clock,
            volatility=services.volatility_training,
        )
        from finbot.prediction.training import RetrainMode as Mode

        if mode == Mode.MINI:  # the weekly full retrain refits the pooled models too
            from finbot.ops.training import train_pool

            for horizon in settings.general.horizons:
                train_pool(services, horizon)
        return len(out["results"])

    return work


def train_micro(home: str) -> JobOutcome:
    """Daily light update of every model on the recent window (never replaces a better one)."""
    from finbot.prediction.training import RetrainMode

    return run_job("train_micro", home, _incremental(RetrainMode.MICRO))


def train_mini(home: str) -> JobOutcome:
    """Weekly re-training of every model."""
    from finbot.prediction.training import RetrainMode

    return run_job("train_mini", home, _incremental(RetrainMode.MINI))


def _train_missing(services: Services) -> int:
    from finbot.ops.training import missing_sets, train_sets, trainable

    missing = missing_sets(services)
    ready = trainable(services.bar_store, missing) if missing else []
    if len(ready) < len(missing):
        waiting = len(missing) - len(ready)
        log.info(
            "%s",
            Message(
                N_("job train_missing: {n} sets without data wait for the collectors"), n=waiting
            ),
            extra={"job": "train_missing", "waiting": waiting},
        )
    if not ready:
        return 0
    return train_sets(services, ready, should_stop=lambda: JOB_CLOCK.interrupted)


def train_missing(home: str) -> JobOutcome:
    """Train every (coin, horizon) that has no model yet: the rest of a first start."""
    return run_job("train_missing", home, _train_missing)


def _cleanup_models(services: Services) -> int:
    keep = services.settings.general.training.keep_versions
    return len(services.model_store.cleanup(keep=keep))


def cleanup_models(home: str) -> JobOutcome:
    """Drop old model versions beyond ``training.keep_versions`` (never the live one)."""
    return run_job("cleanup_models", home, _cleanup_models)


# ------------------------------------------------------------------ housekeeping
def _retention(services: Services) -> int:
    now = now_ms(services.clock)
    store, retention = services.bar_store, services.settings.general.retention_days
    removed = 0
    for timeframe in store_timeframes(store):
        keep = retention.for_timeframe(timeframe)
        if keep is not None:
            removed += int(store.apply_retention(timeframe, keep, now))
    removed += services.usage.prune(now)
    removed += services.tracker.prune(retention.predictions, now)
    return removed


def store_timeframes(store: BarStore) -> list[str]:
    """Every timeframe that has data for at least one coin."""
    return sorted({tf for coin in store.coins() for tf in store.timeframes(coin)})


def apply_retention(home: str) -> JobOutcome:
    """Daily: bars past their timeframe's retention, old API request rows."""
    return run_job("retention", home, _retention)


def _clean_cache(services: Services) -> int:
    """Files in the cache folder untouched for a week (every TTL is far shorter)."""
    cache_dir = services.paths.cache_dir
    if not cache_dir.is_dir():
        return 0
    cutoff = time.time() - CACHE_MAX_AGE_S
    removed = 0
    for entry in cache_dir.iterdir():
        if entry.stat().st_mtime >= cutoff:
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed += 1
    return removed


def clean_cache(home: str) -> JobOutcome:
    """Weekly: stale entries of the on-disk cache."""
    return run_job("clean_cache", home, _clean_cache)


def heartbeat(home: str) -> JobOutcome:
    """Every minute: proves the scheduler is alive (``status`` shows its last run)."""
    return run_job("heartbeat", home, lambda _services: None)
