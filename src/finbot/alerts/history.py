"""Every alert sent, failed or dropped, and the marks its rules keep, in the project database.

``alerts_history``: one row per alert and channel (its kind, key, masked channel, status,
attempts, error, title and body as sent). ``alerts_marks``: the last time each alert key
fired (its cool-down) and the rules' watermarks (the last prediction looked at). Both sit
beside the tracker's table, in the home's schema on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypedDict

from sqlalchemy import BigInteger, Engine, Index, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column

from finbot.storage import Base, ensure_tables, session_scope


class AlertStatus(StrEnum):
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"  # the queue was full: never tried


class AlertRow(Base):
    __tablename__ = "alerts_history"
    __table_args__ = (Index("ix_alerts_history_ts", "ts_ms"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ts_ms: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(64))  # masked: scheme only
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)


class AlertMark(Base):
    __tablename__ = "alerts_marks"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


@dataclass(frozen=True)
class Delivery:
    """One alert's outcome on one channel."""

    ts_ms: int
    kind: str
    key: str
    channel: str
    status: AlertStatus
    attempts: int
    title: str
    body: str
    error: str | None = None


class AlertCounts(TypedDict):
    """``status``'s alert figures: sent, failed and dropped so far, the last failure."""

    sent: int
    failed: int
    dropped: int
    last_failure: str | None
    last_failure_ms: int | None


class AlertLog:
    """The alert tables of one database engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        ensure_tables(engine, AlertRow, AlertMark)  # a creation race is ensure_tables' own

    def record(self, delivery: Delivery) -> None:
        with session_scope(self.engine) as session:
            session.add(
                AlertRow(
                    ts_ms=delivery.ts_ms,
                    kind=delivery.kind,
                    key=delivery.key[:200],
                    channel=delivery.channel[:64],
                    status=delivery.status.value,
                    attempts=delivery.attempts,
                    error=delivery.error[:1000] if delivery.error else None,
                    title=delivery.title,
                    body=delivery.body,
                )
            )

    def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest deliveries first."""
        query = select(AlertRow).order_by(AlertRow.ts_ms.desc(), AlertRow.id.desc()).limit(limit)
        columns = [c.name for c in AlertRow.__table__.columns]
        with session_scope(self.engine) as session:
            return [{c: getattr(r, c) for c in columns} for r in session.scalars(query)]

    def counts(self) -> AlertCounts:
        with session_scope(self.engine) as session:
            rows = session.execute(select(AlertRow.status, func.count()).group_by(AlertRow.status))
            by_status = {str(status): int(n) for status, n in rows}
            last = session.scalars(
                select(AlertRow)
                .where(AlertRow.status == AlertStatus.FAILED.value)
                .order_by(AlertRow.ts_ms.desc(), AlertRow.id.desc())
                .limit(1)
            ).first()
            return {
                "sent": by_status.get(AlertStatus.SENT.value, 0),
                "failed": by_status.get(AlertStatus.FAILED.value, 0),
                "dropped": by_status.get(AlertStatus.DROPPED.value, 0),
                "last_failure": last.error if last is not None else None,
                "last_failure_ms": last.ts_ms if last is not None else None,
            }

    def mark(self, key: str) -> int | None:
        with session_scope(self.engine) as session:
            row = session.get(AlertMark, key[:200])
            return None if row is None else int(row.value)

    def set_mark(self, key: str, value: int) -> None:
        with session_scope(self.engine) as session:
            row = session.get(AlertMark, key[:200])
            if row is None:
                session.add(AlertMark(key=key[:200], value=value))
            else:
                row.value = value
