"""Job functions: one library call each, a structured log line, a ``job_runs`` record, and
never an exception into APScheduler."""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from finbot.collectors.runner import CollectorResult
from finbot.ops import jobs, logs
from finbot.ops.job_runs import JobStatus, last_runs
from finbot.paths import Paths
from finbot.storage.db import engine_for

pytestmark = pytest.mark.unit


def _runs(home: Paths) -> dict:
    return {job: dataclasses.asdict(run) for job, run in last_runs(engine_for(home.db_url)).items()}


@pytest.mark.usefixtures("db_backend")
def test_a_successful_job_is_logged_and_recorded(
    home: Paths, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    outcome = jobs.run_job("demo", str(home.home), lambda _services: 7)
    assert outcome.status is JobStatus.OK and outcome.ok and outcome.rows == 7
    run = _runs(home)["demo"]
    assert run["status"] == "ok" and run["rows"] == 7 and run["runs"] == 1
    record = next(r for r in caplog.records if r.getMessage().startswith("job demo done in "))
    assert record.getMessage().endswith(" s (7 rows)")
    assert record.job == "demo" and record.rows == 7 and record.duration_s >= 0
    shown = logs.LanguageFormatter("fr").format(record)  # the French console's line
    assert shown.startswith("tâche demo terminée en ") and shown.endswith(" s (7 lignes)")
    assert "," in shown.split(" en ")[1]  # the duration's decimal comma (0,01 s)


@pytest.mark.usefixtures("db_backend")
def test_a_failed_job_names_itself_in_the_message(
    home: Paths, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(_services: object) -> None:
        raise RuntimeError("disk on fire")

    jobs.run_job("demo", str(home.home), boom)
    failed = [r for r in caplog.records if r.levelname == "ERROR"]
    assert [r.getMessage() for r in failed] == ["job demo failed: RuntimeError: disk on fire"]


@pytest.fixture
def stopping() -> Iterator[None]:
    jobs.JOB_CLOCK.interrupt()
    try:
        yield
    finally:
        jobs.JOB_CLOCK.resume()


@pytest.mark.usefixtures("db_backend", "stopping")
def test_a_job_cut_short_by_a_stop_is_no_error(
    home: Paths, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")

    def waits(services: jobs.Services) -> None:
        services.clock.sleep(60)  # the interrupted job clock raises at once

    outcome = jobs.run_job("prices", str(home.home), waits)
    assert outcome.error == jobs.STOPPED
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    stopped = [r.getMessage() for r in caplog.records if r.name == "finbot.jobs"]
    assert len(stopped) == 1 and stopped[0].startswith("job prices stopped by shutdown after ")


@pytest.mark.usefixtures("db_backend", "stopping")
def test_a_collector_failure_during_a_stop_is_no_error(
    home: Paths, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    _collector_returns(monkeypatch, CollectorResult("prices", False, 0, 0, 1.0, "interrupted"))
    outcome = jobs.collect_prices(str(home.home))
    assert outcome.error == jobs.STOPPED
    assert not [r for r in caplog.records if r.name == "finbot.jobs" and r.levelname == "ERROR"]
    assert any(r.getMessage().startswith("job prices stopped by shutdown") for r in caplog.records)


@pytest.mark.usefixtures("db_backend")
def test_a_failing_job_never_raises_and_keeps_counting(
    home: Paths, caplog: pytest.LogCaptureFixture
) -> None:
    def boom(_services: object) -> None:
        raise RuntimeError("disk on fire")

    failed = jobs.run_job("demo", str(home.home), boom)
    assert failed.status is JobStatus.ERROR and failed.error == "RuntimeError: disk on fire"
    assert jobs.run_job("demo", str(home.home), lambda _services: 1).status == "ok"
    run = _runs(home)["demo"]
    assert run == run | {"status": "ok", "runs": 2, "failures": 1}
    assert "disk on fire" in caplog.text and "Traceback" in caplog.text


def _collector_returns(monkeypatch: pytest.MonkeyPatch, result: CollectorResult) -> None:
    import finbot.collectors

    monkeypatch.setattr(finbot.collectors, "run_collector", lambda *_a, **_kw: result)


@pytest.mark.usefixtures("db_backend")
def test_a_collector_result_that_is_not_ok_counts_as_a_failure(
    home: Paths, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _collector_returns(monkeypatch, CollectorResult("prices", False, 0, 1, 5.0, "HTTP 503"))
    outcome = jobs.collect_prices(str(home.home))
    assert outcome.status == "error" and outcome.error == "HTTP 503" and outcome.rows == 0
    assert _runs(home)["prices"] == _runs(home)["prices"] | {"error": "HTTP 503", "rows": 0}
    assert "Traceback" not in caplog.text  # the collector already said why; no traceback


@pytest.mark.usefixtures("db_backend")
def test_a_collector_job_records_the_rows_it_stored(
    home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    _collector_returns(monkeypatch, CollectorResult("markets", True, 12, 1, 5.0))
    assert jobs.collect_markets(str(home.home)).rows == 12
    assert _runs(home)["markets"] == _runs(home)["markets"] | {"status": "ok", "rows": 12}


@pytest.mark.usefixtures("db_backend")
def test_bad_configuration_is_a_failed_run_not_a_crash(home: Paths) -> None:
    (home.config_dir / "settings.json").write_text("{not json")
    assert jobs.run_job("demo", str(home.home), lambda _services: 1).status == "error"
    assert "settings.json" in _runs(home)["demo"]["error"]


@pytest.mark.parametrize("rows", [None, 0, 5])
def test_rows_are_what_the_work_returned(home: Paths, rows: int | None) -> None:
    assert jobs.run_job("demo", str(home.home), lambda _services: rows).rows == rows
    assert _runs(home)["demo"]["rows"] == rows


def test_cleanup_models_counts_the_versions_it_removed(
    home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from finbot.prediction.models import ModelStore

    removed = [{"coin": "bitcoin", "timeframe": "1h", "horizon": "1h", "version": v} for v in "ab"]
    monkeypatch.setattr(ModelStore, "cleanup", lambda _self, **_kw: removed)
    assert jobs.cleanup_models(str(home.home)).rows == 2


@pytest.mark.usefixtures("db_backend")
def test_prices_job_lands_data_from_the_replay_server(home: Paths, replay_server) -> None:
    from finbot.collectors.usage import ApiUsageStore

    assert jobs.collect_prices(str(home.home), replay_server.url).status == "ok"
    run = _runs(home)["prices"]
    assert run["status"] == "ok" and run["rows"] and run["rows"] > 0
    assert any(home.parquet_dir.rglob("*.parquet"))
    summary = ApiUsageStore(engine_for(home.db_url)).collector_summary()
    assert summary["prices"]["last_status"] == "ok"


@pytest.mark.usefixtures("db_backend")
def test_collector_job_against_a_dead_server_is_a_recorded_failure(offline_home: Paths) -> None:
    outcome = jobs.collect_markets(str(offline_home.home), "http://127.0.0.1:9/api/v3")
    assert outcome.status == "error"
    assert _runs(offline_home)["markets"]["failures"] == 1


@pytest.mark.usefixtures("db_backend")
def test_clean_cache_removes_only_week_old_entries(home: Paths) -> None:
    old_file, old_dir, fresh = (
        home.cache_dir / "old.json",
        home.cache_dir / "olddir",
        home.cache_dir / "fresh.json",
    )
    old_file.write_text("{}")
    old_dir.mkdir()
    (old_dir / "x").write_text("1")
    fresh.write_text("{}")
    week_ago = time.time() - jobs.CACHE_MAX_AGE_S - 60
    for path in (old_file, old_dir):
        os.utime(path, (week_ago, week_ago))
    assert jobs.clean_cache(str(home.home)).status == "ok"
    assert sorted(p.name for p in home.cache_dir.iterdir()) == ["fresh.json"]
    assert _runs(home)["clean_cache"]["rows"] == 2


def test_retention_drops_old_bars_and_keeps_recent_ones(home: Paths) -> None:
    from finbot.clock import SystemClock, now_ms
    from finbot.schema import conform
    from finbot.storage.parquet_writer import BarStore

    now = now_ms(SystemClock())
    day = 86_400_000
    ts = [now - 90 * day + i * 300_000 for i in range(3)] + [now - i * 300_000 for i in (3, 2, 1)]
    import polars as pl

    bars = conform(
        pl.DataFrame(
            {
                "ts": ts,
                "open": [1.0] * 6,
                "high": [1.0] * 6,
                "low": [1.0] * 6,
                "close": [1.0] * 6,
                "volume": [1.0] * 6,
                "market_cap": [None] * 6,
                "source": ["test"] * 6,
            }
        )
    )
    store = BarStore(home.parquet_dir)
    store.upsert("bitcoin", "5m", bars)
    assert jobs.apply_retention(str(home.home)).status == "ok"
    assert store.read("bitcoin", "5m").height == 3
    assert _runs(home)["retention"]["rows"] >= 3


@pytest.mark.usefixtures("db_backend")
@pytest.mark.parametrize("job", ["check_predictions", "cleanup_models", "heartbeat"])
def test_housekeeping_jobs_run_on_an_empty_home(home: Paths, job: str) -> None:
    assert getattr(jobs, job)(str(home.home)).status == "ok"


def test_train_missing_trains_only_what_is_missing(
    home: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from finbot.ops import training

    calls: list[list] = []
    monkeypatch.setattr(
        training, "missing_sets", lambda _services: [("bitcoin", "6h"), ("ethereum", "6h")]
    )
    monkeypatch.setattr(training, "trainable", lambda _bars, sets: sets[:1])
    monkeypatch.setattr(training, "train_sets", lambda _svc, sets, **_kw: calls.append(sets) or 1)
    assert jobs.train_missing(str(home.home)).rows == 1
    assert calls == [[("bitcoin", "6h")]]
    monkeypatch.setattr(training, "missing_sets", lambda _services: [])
    assert jobs.train_missing(str(home.home)).rows == 0
    assert len(calls) == 1


@pytest.mark.parametrize("job, mode", [("train_micro", "micro"), ("train_mini", "mini")])
def test_incremental_training_jobs_call_the_trainer(
    home: Paths, monkeypatch: pytest.MonkeyPatch, job: str, mode: str
) -> None:
    from finbot.prediction.training import incremental_trainer

    seen: list[str] = []
    results = [{"coin": c, "status": "accepted"} for c in ("bitcoin", "ethereum", "solana")]
    monkeypatch.setattr(
        incremental_trainer,
        "run",
        lambda m, *_stores_and_sets, **_kw: seen.append(m) or {"mode": m, "results": results},
    )
    outcome = getattr(jobs, job)(str(home.home))
    assert outcome.status == "ok" and outcome.rows == 3  # one per coin x horizon retrained
    assert seen == [mode]


def test_store_timeframes_lists_every_series(tmp_path: Path) -> None:
    store = SimpleNamespace(
        coins=lambda: ["a", "b"], timeframes=lambda c: ["1h", "5m"] if c == "a" else ["1d"]
    )
    assert jobs.store_timeframes(store) == ["1d", "1h", "5m"]


def test_only_sets_with_data_are_trainable(home: Paths) -> None:
    import polars as pl

    from finbot.ops.training import trainable
    from finbot.schema import conform
    from finbot.storage.parquet_writer import BarStore

    bars = conform(
        pl.DataFrame(
            {
                "ts": [1_717_196_400_000],
                "open": [1.0],
                "high": [1.0],
                "low": [1.0],
                "close": [1.0],
                "volume": [1.0],
                "market_cap": [None],
                "source": ["t"],
            }
        )
    )
    store = BarStore(home.parquet_dir)
    store.upsert("bitcoin", "1h", bars)
    sets = [("bitcoin", "1h"), ("bitcoin", "10m"), ("ethereum", "1h")]
    assert trainable(store, sets) == [("bitcoin", "1h")]
