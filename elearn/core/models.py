"""Operations tables: a heartbeat row per worker process, and what happened to jobs meanwhile.

Both are written by workers in their own short transactions and read by the admins' status page.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .timeutil import utcnow


class WorkerHeartbeat(db.Model):
    """One background worker process: seen recently means alive; ``stopped_at`` means it stopped in order."""

    __tablename__ = "worker_heartbeats"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: host:pid:start time, unique even when a pid is reused after a restart.
    name: Mapped[str] = mapped_column(String(160), unique=True)
    host: Mapped[str] = mapped_column(String(128))
    pid: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    stopped_at: Mapped[datetime | None]
    jobs_done: Mapped[int] = mapped_column(default=0)


#: What ``JobEvent.event`` records.
LEASE_EXPIRED = "lease_expired"  # its worker stopped answering; the job was queued to run again
GAVE_UP = "gave_up"              # its worker died on every attempt
RETRY_LATER = "retry_later"      # an attempt failed; the next one waits (the disk, for one)
FAILED = "failed"                # out of attempts


class JobEvent(db.Model):
    """Something that happened to a job that an admin should be able to see afterwards."""

    __tablename__ = "job_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    row_id: Mapped[int]
    event: Mapped[str] = mapped_column(String(32))
    #: Short machine-readable cause (``media_disk``, ``transcode_failed``...) and the worker it concerns.
    code: Mapped[str | None] = mapped_column(String(64))
    worker: Mapped[str | None] = mapped_column(String(160))
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def record(kind: str, row_id: int, event: str, *, code=None, worker=None, detail=None) -> None:
    """Add an event to the caller's transaction (it commits with the change it describes)."""
    db.session.add(JobEvent(kind=kind, row_id=row_id, event=event, code=code, worker=worker,
                            detail=(detail or "")[-2000:] or None))


class ThrottleHit(db.Model):
    """One counted request for ``core.throttle``: kept in the database so that a limit holds across
    processes and machines. ``bucket`` names what is limited, ``key`` whom (an address)."""

    __tablename__ = "throttle_hits"
    __table_args__ = (Index("ix_throttle_hits_bucket_key_created", "bucket", "key", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
