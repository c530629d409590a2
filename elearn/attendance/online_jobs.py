"""Marks from watching, for every kind of event: when learning says a viewing has covered enough of
its lesson (``learning.hooks.viewing_covered``, after the heartbeat's commit), a job asks each event
kind which of its events that viewing may count for (``EventKind.watched``: a class's sessions, a
branch's activities linking the lesson) and marks each 出勤/线上 inside its window or 补学 within its
``makeup_days`` after it (``online.mark_watched`` decides).

The job's row is keyed by the viewing's id: the signal's receiver runs after the commit, when no
SQL can be sent, so it only wakes a worker, and the worker makes the row before claiming it. A
second wake-up for the same viewing finds the row done and does nothing; a retried attempt marks
nothing twice (the viewing is the mark's ``client_ref``). A wake-up the queue lost before the row
was made is sent again by a sweep of crossed viewings without a row (``Viewing.covered_at``).
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from huey import crontab
from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from ..core import jobs
from ..core.db import unit_of_work
from ..core.errors import stored_message
from ..core.jobs import periodic
from ..core.timeutil import utcnow
from ..extensions import db
from ..learning.hooks import viewing_covered
from ..learning.models import Viewing
from . import models as m
from .hooks import event_kinds
from .online import mark_watched

KIND = "online_attendance"
DONE = "done"
#: A crossed viewing without a job row after this long lost its wake-up; after ``FORGOTTEN_WITHIN``
#: the sweep stops looking.
FORGOTTEN_AFTER, FORGOTTEN_WITHIN = timedelta(minutes=5), timedelta(days=2)
log = logging.getLogger(__name__)
GAVE_UP = _l("The attendance from watching this lesson could not be recorded. Please check the roll by hand.")


class OnlineMark(db.Model):
    """The job of marking events from one viewing (its id is the viewing's)."""

    __tablename__ = "attendance_online_marks"

    id: Mapped[int] = mapped_column(ForeignKey("viewings.id", ondelete="CASCADE"), primary_key=True,
                                    autoincrement=False)
    status: Mapped[str] = mapped_column(String(12), default=jobs.QUEUED)
    attempt: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None] = mapped_column(index=True)
    queued_at: Mapped[datetime | None]
    #: How many events the viewing marked (出勤 or 补学).
    marked: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def init_app(app) -> None:
    jobs.register(KIND, model=OnlineMark, run=run_online_marks, give_up=_give_up,
                  label=_l("Attendance from watching lessons"))
    viewing_covered.connect(_on_viewing_covered, weak=False)


def _on_viewing_covered(sender, *, user_id: int, lesson_id: int, viewing_id: int) -> None:
    jobs.enqueue(KIND, viewing_id)


def run_online_marks(viewing_id: int) -> str:
    """Make the job's row if it is new, claim it, mark the events, and record the outcome."""
    if not _ensure_row(viewing_id):
        return "no viewing"
    attempt = jobs.claim(OnlineMark, viewing_id, jobs.worker_identity())
    if attempt is None:
        return "not claimed"  # done already, or another worker holds it
    with jobs.running(KIND, viewing_id, attempt):
        try:
            with unit_of_work(locked=True):
                marked = mark_events(viewing_id)
        except Exception:  # any crash: the lease runs out and the reaper hands the job back
            log.exception("online attendance for viewing %s failed", viewing_id)
            return "failed attempt"
        if not jobs.guarded_update(OnlineMark, viewing_id, attempt, status=DONE, marked=marked,
                                   lease_owner=None, lease_expires_at=None):
            return "lease lost"
    return DONE


def _ensure_row(viewing_id: int) -> bool:
    """The job's row exists (made now if it is new); False when the viewing is gone."""
    with unit_of_work():
        if db.session.get(OnlineMark, viewing_id) is not None:
            return True
        if db.session.get(Viewing, viewing_id) is None:
            return False
        try:
            with db.session.begin_nested():
                db.session.add(OnlineMark(id=viewing_id, status=jobs.QUEUED, queued_at=utcnow()))
        except IntegrityError:  # a second wake-up made it a moment ago
            pass
    return True


def events_watched(user_id: int, lesson_id: int) -> list[m.AttendanceEvent]:
    """Every kind's events a viewing of ``lesson_id`` by ``user_id`` may count for, earliest first."""
    found = [event for kind in event_kinds for event in kind.watched(user_id, lesson_id)]
    return sorted(found, key=lambda event: (event.starts_at, event.id))


def mark_events(viewing_id: int) -> int:
    """Mark each event the viewing counts for; returns how many it counted for."""
    viewing = db.session.get(Viewing, viewing_id)
    if viewing is None:
        return 0
    marked = 0
    for event in events_watched(viewing.user_id, viewing.lesson_id):
        if mark_watched(event, viewing.user_id, viewing.id, viewing.started_at) is not None:
            marked += 1
    return marked


@periodic(crontab(minute="*/10"))
def wake_forgotten_marks() -> list[int]:
    """Every ten minutes: send again the wake-ups the queue lost (see ``forgotten``)."""
    ids = forgotten()
    for viewing_id in ids:
        jobs.enqueue(KIND, viewing_id)
    return ids


def forgotten(now: datetime | None = None) -> list[int]:
    """Viewings that crossed the threshold a while ago (the wake-up had time to arrive) but have no
    job row: their wake-up was lost before a worker made one. Older than ``FORGOTTEN_WITHIN`` are
    left alone (the sweep stays small): a loss that old is for a person to check on the roll."""
    now = now or utcnow()
    has_row = select(OnlineMark.id).where(OnlineMark.id == Viewing.id).exists()
    return list(db.session.scalars(select(Viewing.id).where(
        Viewing.covered_at < now - FORGOTTEN_AFTER, Viewing.covered_at >= now - FORGOTTEN_WITHIN, ~has_row)
        .order_by(Viewing.id)))


def _give_up(row: OnlineMark) -> None:
    row.error = stored_message(GAVE_UP)[0]
