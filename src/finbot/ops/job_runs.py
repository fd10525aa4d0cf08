"""The last run of each scheduler job, in the project database (table ``job_runs``).

APScheduler's job store only keeps the *next* run; ``status`` (another process) also needs the
last one, its outcome, duration and row count, so every job records itself here.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import BigInteger, Float, Integer, String, Text, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Mapped, mapped_column

from finbot.storage import Base, ensure_tables, session_scope


class JobRun(Base):
    __tablename__ = "job_runs"

    job_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_run_ms: Mapped[int] = mapped_column(BigInteger)
    duration_s: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))  # ok | error
    rows: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)


_CREATE = threading.Lock()  # jobs finishing together must not both CREATE the table


def ensure_job_runs(engine: Engine) -> None:
    """Create ``job_runs`` once; another process creating it at the same moment is fine."""
    with _CREATE:
        try:
            ensure_tables(engine, JobRun)
        except OperationalError as exc:
            if "already exists" not in str(exc):
                raise


class JobStatus(StrEnum):
    """How a job run ended (the ``status`` column; ``status`` shows it as is)."""

    OK = "ok"
    ERROR = "error"


@dataclass(frozen=True)
class JobOutcome:
    """What one run of a job did: returned by the job runner, recorded in ``job_runs``."""

    job_id: str
    started_ms: int
    duration_s: float
    status: JobStatus
    rows: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is JobStatus.OK


@dataclass(frozen=True)
class LastRun:
    """A job's row in ``job_runs``: its last run and its counters."""

    last_run_ms: int
    duration_s: float
    status: str
    rows: int | None
    error: str | None
    runs: int
    failures: int


def record_run(engine: Engine, run: JobOutcome) -> None:
    """Upsert the job's row with this run's outcome and bump its counters."""
    ensure_job_runs(engine)
    with session_scope(engine) as session:
        row = session.get(JobRun, run.job_id)
        if row is None:
            row = JobRun(job_id=run.job_id, runs=0, failures=0)
            session.add(row)
        row.last_run_ms = run.started_ms
        row.duration_s = run.duration_s
        row.status = run.status.value
        row.rows = run.rows
        row.error = run.error[:2000] if run.error else None
        row.runs = (row.runs or 0) + 1
        row.failures = (row.failures or 0) + (not run.ok)


def last_runs(engine: Engine) -> dict[str, LastRun]:
    """Every job's last run, by job id."""
    ensure_job_runs(engine)
    with session_scope(engine) as session:
        rows = session.scalars(select(JobRun)).all()
        return {
            r.job_id: LastRun(
                last_run_ms=r.last_run_ms,
                duration_s=r.duration_s,
                status=r.status,
                rows=r.rows,
                error=r.error,
                runs=r.runs,
                failures=r.failures,
            )
            for r in rows
        }
