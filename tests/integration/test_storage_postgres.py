"""PostgreSQL for real: ``$FINBOT_DB_URL`` on a test-started server, for everything kept in the
database, with homes sharing one database isolated in their own schemas."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from finbot.collectors.usage import ApiUsageStore
from finbot.ops import jobs
from finbot.ops import scheduler as sched
from finbot.paths import Paths
from finbot.prediction.tracking.prediction_tracker import NewPrediction, PredictionTracker
from finbot.services import Services
from finbot.storage.db import engine_for
from tests.fixtures.ops import write_api_config
from tests.fixtures.tracker import T0, new_prediction

pytestmark = pytest.mark.integration
FINBOT_TABLES = ("predictions", "api_requests", "job_runs", sched.JOBS_TABLE)


def prediction(coin: str, made_at: int = T0 + 5_000) -> NewPrediction:
    """One prediction per ``made_at``, each from its own bar (a bar is recorded once)."""
    return new_prediction(coin=coin, made_at=made_at, bar_ts=made_at)


@pytest.fixture
def shared_url(postgres_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every home of the test on the session's PostgreSQL, through ``$FINBOT_DB_URL``."""
    for name in ("FINBOT_HOME", "COINGECKO_API_KEYS", "EXCHANGERATE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FINBOT_DB_URL", postgres_server)
    return postgres_server


def _new_home(root: Path) -> Paths:
    paths = Paths.resolve(root).ensure()
    write_api_config(
        paths, "http://127.0.0.1:9/api/v3", "http://127.0.0.1:9/v6", "http://127.0.0.1:9"
    )
    return paths


def _fill(paths: Paths, coin: str, requests: int, job: str, tmp_path: Path) -> None:
    """A bot's worth of rows: predictions, API usage, a job run and a scheduled job."""
    engine = engine_for(paths.db_url)
    tracker = PredictionTracker(engine)
    usage = ApiUsageStore(engine)
    for i in range(requests):
        tracker.record(prediction(coin, T0 + i))
        usage.record("/simple/price", 200, 10.0, "public", T0 + i)
    outcome = jobs.run_job(f"ran_{job}", str(paths.home), lambda _services: requests)
    assert outcome.status == "ok" and outcome.rows == requests
    marker = str(tmp_path / f"{job}.marker")
    spec = sched.interval_job(job, "tests.fixtures.ops_jobs:count_run", 3600, (marker,))
    sched.start_scheduler(Services(paths), [spec]).shutdown()


def _where_tables_are(url: str) -> dict[str, set[str]]:
    """``{schema: {finbot tables in it}}`` over the whole database."""
    query = text(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_name = ANY(:names)"
    )
    found: dict[str, set[str]] = {}
    with engine_for(url).connect() as conn:
        for schema, table in conn.execute(query, {"names": list(FINBOT_TABLES)}):
            found.setdefault(str(schema), set()).add(str(table))
    return found


def test_two_homes_on_one_database_never_see_each_others_rows_or_jobs(
    shared_url: str, tmp_path: Path
) -> None:
    alpha, beta = _new_home(tmp_path / "alpha"), _new_home(tmp_path / "beta")
    _fill(alpha, "bitcoin", 3, "only_alpha", tmp_path)
    _fill(beta, "ethereum", 1, "only_beta", tmp_path)

    expected = ((alpha, "bitcoin", 3, "only_alpha"), (beta, "ethereum", 1, "only_beta"))
    for paths, coin, count, job in expected:
        engine = engine_for(paths.db_url)
        assert {r["coin"] for r in PredictionTracker(engine).recent(100)} == {coin}
        assert PredictionTracker(engine).counts()["pending"] == count
        usage = ApiUsageStore(engine).summary(T0 + 10)
        assert usage["month"]["requests"] == count
        listed = {j["id"]: j for j in sched.scheduler_jobs(engine)}
        assert set(listed) == {job, f"ran_{job}"}
        assert listed[job]["next_run"] is not None and listed[f"ran_{job}"]["rows"] == count

    where = _where_tables_are(shared_url + f"?finbot_schema={alpha.db_schema}")
    assert alpha.db_schema != beta.db_schema
    assert where[alpha.db_schema] == where[beta.db_schema] == set(FINBOT_TABLES)
    assert "public" not in where  # (other tests' homes have schemas of their own there)
    assert not alpha.db_file.exists() and not beta.db_file.exists()


def test_a_moved_home_keeps_its_rows(shared_url: str, tmp_path: Path) -> None:
    home = _new_home(tmp_path / "before")
    PredictionTracker(engine_for(home.db_url)).record(prediction("solana"))
    schema = home.db_schema
    shutil.move(home.home, tmp_path / "after")
    moved = Paths.resolve(tmp_path / "after")
    assert moved.db_schema == schema
    assert [r["coin"] for r in PredictionTracker(engine_for(moved.db_url)).recent()] == ["solana"]


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_plain_postgresql_urls_need_no_driver_name(
    shared_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scheme: str
) -> None:
    monkeypatch.setenv("FINBOT_DB_URL", shared_url.replace("postgresql+psycopg", scheme, 1))
    home = _new_home(tmp_path / scheme)
    assert home.db_url.startswith(f"{scheme}://")
    engine = engine_for(home.db_url)
    assert engine.url.drivername == "postgresql+psycopg"
    PredictionTracker(engine).record(prediction("bitcoin"))
    assert PredictionTracker(engine_for(home.db_url)).counts()["pending"] == 1


def test_the_cli_tracker_and_status_read_the_homes_schema(
    shared_url: str,
    tmp_path: Path,
    run_finbot: Callable[..., object],
) -> None:
    home, other = _new_home(tmp_path / "cli"), _new_home(tmp_path / "other")
    PredictionTracker(engine_for(home.db_url)).record(prediction("bitcoin"))
    ApiUsageStore(engine_for(home.db_url)).record_collector_run("prices", "ok", 5.0, rows=2)

    done = run_finbot(home, "tracker", "--json", "--no-resolve")
    assert done.returncode == 0, done.stderr  # type: ignore[attr-defined]
    tracked = json.loads(done.stdout)  # type: ignore[attr-defined]
    assert [p["coin"] for p in tracked["predictions"]] == ["bitcoin"]
    assert tracked["counts"] == {"pending": 1, "resolved": 0, "expired": 0}

    done = run_finbot(home, "status", "--json")
    assert done.returncode == 0, done.stderr  # type: ignore[attr-defined]
    status = json.loads(done.stdout)  # type: ignore[attr-defined]
    assert status["tracker"]["counts"]["pending"] == 1
    assert status["collectors"]["prices"]["rows"] == 2

    done = run_finbot(other, "tracker", "--json", "--no-resolve")
    assert done.returncode == 0, done.stderr  # type: ignore[attr-defined]
    assert json.loads(done.stdout)["predictions"] == []  # type: ignore[attr-defined]
    assert not home.db_file.exists() and not other.db_file.exists()
