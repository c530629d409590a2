"""What a learner has watched: every reported interval (append-only), the merged coverage per
lesson, and the player preferences each user keeps (speed, captions, autoplay of the next lesson).

Times in a lesson are seconds of media. ``WatchInterval`` rows are never updated or deleted
(except with their lesson or user): attendance and the learning record read them by the server
time they arrived, or by the start of the ``Viewing`` that credited them.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import utcnow
from ..extensions import db

PLAYBACK_RATES = (0.75, 1.0, 1.25, 1.5)
#: The fastest speed the player offers: the server never credits watching faster than this.
MAX_PLAYBACK_RATE = max(PLAYBACK_RATES)
CAPTION_SIZES = ("small", "medium", "large", "xlarge")


class LearningPreference(db.Model):
    """A user's player settings, remembered on every device (a separate table: accounts owns ``users``)."""

    __tablename__ = "learning_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    playback_rate: Mapped[float] = mapped_column(Float, default=1.0)
    captions_on: Mapped[bool] = mapped_column(default=True)
    caption_size: Mapped[str] = mapped_column(String(8), default="medium")
    #: Start the next lesson by itself after a countdown: only if the user asked for it.
    autoplay_next: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LessonProgress(db.Model):
    """One user's state in one lesson: where they stopped and which parts they have watched."""

    __tablename__ = "lesson_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "lesson_id"),
        Index("ix_lesson_progress_user_updated", "user_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    #: Where to resume, in seconds.
    position: Mapped[float] = mapped_column(Float, default=0.0)
    #: The lesson's duration when last reported on (the video may be replaced later).
    duration: Mapped[float | None] = mapped_column(Float)
    #: Merged, sorted, non-overlapping [start, end] pairs: the parts watched at least once.
    covered: Mapped[list] = mapped_column(JSON, default=list)
    covered_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    #: Every credited second, re-watching included.
    watched_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    completed_at: Mapped[datetime | None]
    #: The user's clock over all their viewings of the lesson: credit so far, at the fastest speed,
    #: reaches this time (see services.viewings.allowance); None before the first credit.
    clock_at: Mapped[datetime | None]
    #: Ids of the latest heartbeats, so a retried one (its answer was lost) is not counted twice.
    recent_beats: Mapped[list] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def completed(self) -> bool:
        return self.completed_at is not None

    @property
    def coverage(self) -> float:
        if not self.duration:
            return 0.0
        return min(1.0, self.covered_seconds / self.duration)


class Viewing(db.Model):
    """One playing of a lesson on one device, started by the playback endpoint with the server's clock:
    its reports are never credited more than that clock allows (see services.viewings)."""

    __tablename__ = "viewings"
    __table_args__ = (Index("ix_viewings_user_lesson_started", "user_id", "lesson_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the player sends back with every report: random, so nobody can use another's viewing.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Every second credited through this viewing so far, re-watching included.
    credited_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    #: Merged [start, end] pairs credited through this viewing: its unique coverage of the lesson,
    #: kept on the row the heartbeat locks anyway, so crossing the attendance threshold costs no query.
    covered: Mapped[list | None] = mapped_column(JSON, default=list)
    #: When that coverage first reached ``ATTENDANCE_ONLINE_COVERAGE`` (None: not yet), set by the same
    #: UPDATE: the record that lets a lost wake-up of the attendance job be sent again.
    covered_at: Mapped[datetime | None] = mapped_column(index=True)


class WatchInterval(db.Model):
    """One interval a player reported as played, as credited, with the server time it arrived."""

    __tablename__ = "watch_intervals"
    __table_args__ = (
        Index("ix_watch_intervals_user_day", "user_id", "day"),
        Index("ix_watch_intervals_user_lesson_received", "user_id", "lesson_id", "received_at"),
        Index("ix_watch_intervals_lesson_received", "lesson_id", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"))
    start: Mapped[float] = mapped_column("start_s", Float)
    end: Mapped[float] = mapped_column("end_s", Float)
    #: True when the server shortened what was reported (past the end, or more than the clock allows).
    clamped: Mapped[bool] = mapped_column(default=False)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The day it arrived in the site's time zone (weeks and months of the learning record).
    day: Mapped[date] = mapped_column(Date)
    #: The client's id for the heartbeat, so a retried heartbeat is not stored twice.
    beat: Mapped[str | None] = mapped_column(String(64))
    #: The viewing whose clock credited it (None for intervals stored before viewings existed).
    viewing_id: Mapped[int | None] = mapped_column(ForeignKey("viewings.id", ondelete="SET NULL"), index=True)

    @property
    def seconds(self) -> float:
        return self.end - self.start
