"""Terms, class groups (教学班), their staff, weekly schedules, sessions and enrolments.

A session's attendance lives in the attendance engine: each ``ClassSession`` owns one
``AttendanceEvent`` of kind ``class_session`` (see ``roster.py``). Session times are naive UTC, as
everywhere in the database; a weekly rule keeps the local weekday and clock time it was given in
the site's time zone, so summer time elsewhere or a change of zone never shifts a class.
"""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.timeutil import utcnow
from ..extensions import db

TEACHER, ASSISTANT = "teacher", "assistant"
STAFF_ROLES = (TEACHER, ASSISTANT)

ON_SITE, ONLINE, BOTH = "on_site", "online", "both"
SESSION_MODES = (ON_SITE, ONLINE, BOTH)

ENROLLED, WAITING, LEFT = "enrolled", "waiting", "left"
SCHEDULED, CANCELLED = "scheduled", "cancelled"


class Term(db.Model):
    """学期: the dates a round of classes runs between (days in the site's time zone)."""

    __tablename__ = "terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: Attendance rate (0-1) a member needs for the 结业证书.
    required_rate: Mapped[float] = mapped_column(default=0.8)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    classes: Mapped[list["ClassGroup"]] = relationship(back_populates="term", order_by="ClassGroup.name")


class ClassGroup(db.Model):
    """A teaching class: one term, one course, teachers and assistants, a room and a schedule."""

    __tablename__ = "class_groups"
    __table_args__ = (UniqueConstraint("term_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id", ondelete="RESTRICT"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    room: Mapped[str] = mapped_column(String(100), default="")
    #: None: no limit.
    capacity: Mapped[int | None]
    #: Students may join by themselves (with the waiting list when full).
    self_enrol: Mapped[bool] = mapped_column(default=False)
    # The attendance window of its sessions, in minutes, and the rules the engine applies.
    opens_before_minutes: Mapped[int] = mapped_column(default=15)
    closes_after_minutes: Mapped[int] = mapped_column(default=15)
    late_after_minutes: Mapped[int | None] = mapped_column(default=10)
    makeup_days: Mapped[int] = mapped_column(default=7)
    absent_when_unmarked: Mapped[bool] = mapped_column(default=True)
    #: Attendance rate (0-1) this class asks for the 结业证书; None: the term's ``required_rate``.
    certificate_rate: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    term: Mapped[Term] = relationship(back_populates="classes", lazy="joined")
    staff: Mapped[list["ClassStaff"]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    rules: Mapped[list["WeeklyRule"]] = relationship(cascade="all, delete-orphan", passive_deletes=True,
                                                     order_by="WeeklyRule.weekday")
    sessions: Mapped[list["ClassSession"]] = relationship(
        back_populates="class_group", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ClassSession.starts_at")

    def staff_ids(self, role: str | None = None) -> set[int]:
        return {s.user_id for s in self.staff if role is None or s.role == role}


class ClassStaff(db.Model):
    __tablename__ = "class_staff"

    class_id: Mapped[int] = mapped_column(ForeignKey("class_groups.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(12), default=TEACHER)


class WeeklyRule(db.Model):
    """Every week on ``weekday`` (0 = Monday) at ``starts`` (site time), for ``minutes``."""

    __tablename__ = "class_weekly_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("class_groups.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int]
    starts: Mapped[time] = mapped_column(Time)
    minutes: Mapped[int]
    mode: Mapped[str] = mapped_column(String(12), default=ON_SITE)
    #: Days (ISO dates) without a session: holidays.
    skip_dates: Mapped[list] = mapped_column(JSON, default=list)


class ClassSession(db.Model):
    """One meeting of a class: from a weekly rule or a one-off, on site, online or both."""

    __tablename__ = "class_sessions"
    __table_args__ = (Index("ix_class_sessions_room_time", "room", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("class_groups.id", ondelete="CASCADE"), index=True)
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("class_weekly_rules.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    mode: Mapped[str] = mapped_column(String(12), default=ON_SITE)
    room: Mapped[str] = mapped_column(String(100), default="")
    topic: Mapped[str] = mapped_column(String(200), default="")
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default=SCHEDULED)
    #: When it was first planned, if it has been moved since.
    moved_from: Mapped[datetime | None]

    class_group: Mapped[ClassGroup] = relationship(back_populates="sessions")


class Enrolment(db.Model):
    """A person in a class: enrolled, waiting for a place, or left (kept: the history stays)."""

    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("class_id", "user_id"), Index("ix_enrolments_user", "user_id", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("class_groups.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(12), default=ENROLLED)
    #: Since when the person counts for sessions (a session that started before is not theirs).
    enrolled_at: Mapped[datetime | None]
    waiting_since: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    #: The person was moved up from the waiting list and has not seen that yet.
    promoted_unseen: Mapped[bool] = mapped_column(default=False)

    user: Mapped["User"] = relationship(lazy="joined")  # noqa: F821
    class_group: Mapped[ClassGroup] = relationship()


class Certificate(db.Model):
    """结业证书 of one member for one class, as issued: the names, dates and attendance are copied in,
    so the certificate and its public check say what was true when it was issued. ``code`` is the
    certificate number anyone may check (random, never derived from the row)."""

    __tablename__ = "class_certificates"
    __table_args__ = (UniqueConstraint("class_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("class_groups.id", ondelete="CASCADE"), index=True)
    #: Kept when the account is deleted: the certificate still verifies.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    person_name: Mapped[str] = mapped_column(String(64))
    class_name: Mapped[str] = mapped_column(String(100))
    term_name: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    attended: Mapped[int]
    expected: Mapped[int]
    issuer: Mapped[str] = mapped_column(String(100))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str | None] = mapped_column(String(500))

    class_group: Mapped[ClassGroup] = relationship()
