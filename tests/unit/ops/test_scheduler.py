"""Scheduler: job list from settings, persistence across restarts, coalescing, one instance."""

from __future__ import annotations

import pickle
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from apscheduler.util import ref_to_obj

from finbot.config import Settings
from finbot.ops import scheduler as sched
from finbot.paths import Paths
from finbot.services import Services
from finbot.storage.db import engine_for
from tests.fixtures import ops_jobs

pytestmark = pytest.mark.unit
T0 = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def _wait_lines(path: Path, n: int, timeout: float = 10) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().count("\n") >= n:
            break
        time.sleep(0.05)
    return path.read_text().count("\n") if path.exists() else 0


def test_job_specs_follow_settings(settings: Settings, home: Paths) -> None:
    services = Services(home, settings, base_url="http://x/api/v3")
    specs = {s.id: s for s in sched.job_specs(services)}
    cad = settings.general.cadences_sec
    assert {
        "prices",
        "markets",
        "chart_5m",
        "tickers",
        "fx",
        "ohlc",
        "exchange",
        "prediction_check",
        "retention",
        "train_micro",
        "train_mini",
        "clean_cache",
        "cleanup_models",
        "train_missing",
        "heartbeat",
    } == set(specs)
    assert specs["prices"].trigger_args == {"seconds": cad.prices}
    assert specs["fx"].trigger_args == {"seconds": cad.fx}
    assert specs["prediction_check"].trigger_args == {"seconds": cad.prediction_check}
    assert specs["prices"].args == (str(home.home), "http://x/api/v3")
    training = settings.general.training
    assert specs["train_micro"].trigger_args == {"hour": training.micro_hour_utc, "minute": 0}
    assert specs["train_mini"].trigger_args["day_of_week"] == training.mini_weekday


def test_every_job_reference_resolves_and_pickles(settings: Settings, home: Paths) -> None:
    for spec in sched.job_specs(Services(home, settings)):
        assert callable(ref_to_obj(spec.func)), spec.func
        pickle.dumps((spec.args, spec.make_trigger()))


def test_unknown_trigger_is_refused() -> None:
    with pytest.raises(ValueError, match="trigger"):
        sched.JobSpec("x", "a:b", "date", {}).make_trigger()


@pytest.mark.usefixtures("db_backend")
def test_jobs_survive_a_restart_with_their_next_run(home: Paths, tmp_path: Path) -> None:
    marker = str(tmp_path / "m")
    specs = [
        sched.interval_job("tick", "tests.fixtures.ops_jobs:count_run", 3600, (marker,)),
        sched.JobSpec(
            "nightly",
            "tests.fixtures.ops_jobs:count_run",
            "cron",
            {"hour": 3, "minute": 0},
            (marker,),
            misfire_grace_time=600,
        ),
    ]
    first = sched.start_scheduler(Services(home), specs)
    before = {j["id"]: j["next_run"] for j in sched.scheduler_jobs(engine_for(home.db_url))}
    first.shutdown()
    time.sleep(0.05)
    second = sched.build_scheduler(engine_for(home.db_url))
    second.start(paused=True)
    assert sched.sync_jobs(second, specs) == {"tick": "kept", "nightly": "kept"}
    second.shutdown()
    assert {j["id"]: j["next_run"] for j in sched.scheduler_jobs(engine_for(home.db_url))} == before
    assert before["tick"] is not None and before["nightly"].endswith("03:00:00Z")


@pytest.mark.usefixtures("db_backend")
def test_changed_jobs_are_replaced_and_obsolete_ones_removed(home: Paths, tmp_path: Path) -> None:
    marker = str(tmp_path / "m")
    old = [
        sched.interval_job("a", "tests.fixtures.ops_jobs:count_run", 60, (marker,)),
        sched.interval_job("b", "tests.fixtures.ops_jobs:count_run", 60, (marker,)),
    ]
    sched.start_scheduler(Services(home), old).shutdown()
    new = [
        sched.interval_job("a", "tests.fixtures.ops_jobs:count_run", 120, (marker,)),
        sched.interval_job("c", "tests.fixtures.ops_jobs:count_run", 60, (marker,)),
    ]
    scheduler = sched.build_scheduler(engine_for(home.db_url))
    scheduler.start(paused=True)
    assert sched.sync_jobs(scheduler, new) == {"b": "removed", "a": "replaced", "c": "added"}
    job = scheduler.get_job("a")
    assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time == 120
    scheduler.shutdown()
    assert [j["id"] for j in sched.scheduler_jobs(engine_for(home.db_url))] == ["a", "c"]


@pytest.mark.usefixtures("db_backend")
def test_missed_runs_after_a_sleep_coalesce_into_one(home: Paths, tmp_path: Path) -> None:
    marker = tmp_path / "runs"
    spec = sched.interval_job("tick", "tests.fixtures.ops_jobs:count_run", 60, (str(marker),))
    with time_machine.travel(T0, tick=True):
        sched.start_scheduler(Services(home), [spec]).shutdown()
    # The machine "sleeps" a whole day: 1,440 runs were due.
    with time_machine.travel(T0.timestamp() + 86_400 + 1, tick=True):
        scheduler = sched.start_scheduler(Services(home), [spec])
        assert _wait_lines(marker, 1) == 1
        time.sleep(0.5)
        scheduler.shutdown()
    assert marker.read_text().count("\n") == 1


@pytest.mark.usefixtures("db_backend")
def test_an_overrunning_job_never_runs_twice_at_once(home: Paths, tmp_path: Path) -> None:
    marker = tmp_path / "runs"
    ops_jobs.ACTIVE.update(now=0, max=0)
    spec = sched.interval_job(
        "slow", "tests.fixtures.ops_jobs:overrun", 0.2, (str(marker), 0.7), run_at_start=True
    )
    scheduler = sched.start_scheduler(Services(home), [spec])
    try:
        _wait_lines(marker, 2)
    finally:
        scheduler.shutdown(wait=True)
    assert marker.read_text().count("\n") >= 2
    assert ops_jobs.ACTIVE["max"] == 1


@pytest.mark.usefixtures("db_backend")
def test_scheduler_jobs_merges_next_and_last_runs(home: Paths, tmp_path: Path) -> None:
    marker = tmp_path / "runs"
    spec = sched.interval_job(
        "heartbeat", "finbot.ops.jobs:heartbeat", 3600, (str(home.home),), run_at_start=True
    )
    scheduler = sched.start_scheduler(Services(home), [spec])
    deadline = time.monotonic() + 10
    while (
        time.monotonic() < deadline
        and not sched.scheduler_jobs(engine_for(home.db_url))[0]["last_run"]
    ):
        time.sleep(0.05)
    scheduler.shutdown()
    [job] = sched.scheduler_jobs(engine_for(home.db_url))
    assert job["id"] == "heartbeat" and job["status"] == "ok" and job["runs"] == 1
    assert job["last_run"].endswith("Z") and job["next_run"] > job["last_run"]
    assert not marker.exists()


@pytest.mark.usefixtures("db_backend")
def test_scheduler_jobs_on_an_empty_database(home: Paths) -> None:
    assert sched.scheduler_jobs(engine_for(home.db_url)) == []
