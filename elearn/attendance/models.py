"""The one attendance engine's tables: events, a record per (event, person), every change to it,
and leave requests.

An ``AttendanceEvent`` belongs to a feature above this one (a class session, a branch activity):
``kind`` names that feature's provider in ``hooks.event_kinds`` and ``owner_id`` its row. Who is
expected and who may mark is the provider's answer; the engine never imports classes or branches.

Times are naive UTC, as everywhere in the database; the site's time zone is applied when shown.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.timeutil import utcnow
from ..extensions import db

# Statuses, in the order a tap on the roll-call page cycles through them.
PRESENT, LATE, LEFT_EARLY, EXCUSED, ABSENT, MADE_UP = "present", "late", "left_early", "excused", "absent", "made_up"
STATUSES = (PRESENT, LATE, LEFT_EARLY, EXCUSED, ABSENT, MADE_UP)
#: Statuses that count as having attended (a made-up session counts, an excused one does not).
ATTENDED = frozenset({PRESENT, LATE, LEFT_EARLY, MADE_UP})

ON_SITE, ONLINE, HOME_VISIT = "on_site", "online", "home_visit"
MODES = (ON_SITE, ONLINE, HOME_VISIT)

# Who made a mark.
BY_TEACHER, BY_ASSISTANT, BY_SELF, BY_AUTO, BY_LEAVE = "teacher", "assistant", "self", "auto", "leave"
#: A branch officer (支部委员) taking roll at a branch activity.
BY_OFFICER = "officer"
SOURCES = (BY_TEACHER, BY_ASSISTANT, BY_OFFICER, BY_SELF, BY_AUTO, BY_LEAVE)
#: Sources that stand for a person marking others: always taken from the owning feature, never from the caller.
MARKER_SOURCES = (BY_TEACHER, BY_ASSISTANT, BY_OFFICER)

PENDING, APPROVED, DECLINED, WITHDRAWN = "pending", "approved", "declined", "withdrawn"
LEAVE_STATES = (PENDING, APPROVED, DECLINED, WITHDRAWN)


class AttendanceEvent(db.Model):
    """Something people are expected at, for a time window: a class session, a branch activity."""

    __tablename__ = "attendance_events"
    __table_args__ = (
        UniqueConstraint("kind", "owner_id"),
        Index("ix_attendance_events_open", "closed_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    owner_id: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    #: Self check-in opens this many minutes before the start and closes this many after the end.
    opens_before_minutes: Mapped[int] = mapped_column(default=15)
    closes_after_minutes: Mapped[int] = mapped_column(default=15)
    #: A self check-in this many minutes after the start is 迟到 (None: never late by the clock).
    late_after_minutes: Mapped[int | None]
    #: Watching this lesson inside the window marks 出勤/线上; within ``makeup_days`` after, 补学.
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id", ondelete="SET NULL"))
    makeup_days: Mapped[int] = mapped_column(default=7)
    #: At the end of the window, members still unmarked become 缺勤.
    absent_when_unmarked: Mapped[bool] = mapped_column(default=True)
    #: Signs this event's rotating check-in codes (a new secret voids every code shown so far).
    checkin_secret: Mapped[str] = mapped_column(String(64))
    cancelled_at: Mapped[datetime | None]
    #: When the unmarked were made absent (the event is closed to automatic marking then).
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    records: Mapped[list["AttendanceRecord"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", passive_deletes=True)


class AttendanceRecord(db.Model):
    """Where one person stands for one event. Changed only through ``services.mark``, which keeps
    every change in ``AttendanceChange``."""

    __tablename__ = "attendance_records"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("attendance_events.id", ondelete="CASCADE"))
    #: Kept when the account is deleted (registers must keep the name and the attendance).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    person_name: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12))
    mode: Mapped[str] = mapped_column(String(12), default=ON_SITE)
    source: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(String(500))
    #: When the mark that stands was made (by the marker's device clock, bounded by the server's):
    #: a later-made mark wins, whenever it arrives.
    marked_at: Mapped[datetime]
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    event: Mapped[AttendanceEvent] = relationship(back_populates="records")
    changes: Mapped[list["AttendanceChange"]] = relationship(
        back_populates="record", cascade="all, delete-orphan", passive_deletes=True,
        order_by="AttendanceChange.id")


class AttendanceChange(db.Model):
    """One mark, as it was made: kept even when a later-made mark already stood (``applied`` False)."""

    __tablename__ = "attendance_changes"
    __table_args__ = (UniqueConstraint("record_id", "client_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("attendance_records.id", ondelete="CASCADE"), index=True)
    old_status: Mapped[str | None] = mapped_column(String(12))
    new_status: Mapped[str] = mapped_column(String(12))
    old_mode: Mapped[str | None] = mapped_column(String(12))
    new_mode: Mapped[str] = mapped_column(String(12))
    source: Mapped[str] = mapped_column(String(12))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(500))
    #: When the mark was made (device clock, bounded) and when the server received it.
    made_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: False when a mark made later already stood: kept for the history, changed nothing.
    applied: Mapped[bool] = mapped_column(default=True)
    #: The marking device's id for this mark, so a mark re-sent after a dropped connection counts once.
    client_ref: Mapped[str | None] = mapped_column(String(64))

    record: Mapped[AttendanceRecord] = relationship(back_populates="changes")


class LeaveRequest(db.Model):
    """请假: asked by the person (or by a teacher for them), decided by someone who may mark."""

    __tablename__ = "attendance_leave_requests"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("attendance_events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(12), default=PENDING)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]

    event: Mapped[AttendanceEvent] = relationship()
