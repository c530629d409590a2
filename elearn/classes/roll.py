"""A session's roll as pages and the API show it, and marks sent in a batch (``attendance.marks``,
which every kind of event shares), the check-in screen's headcount."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..attendance import checkin, marks, services as attendance
from ..attendance import models as am
from ..core.timeutil import utcnow
from ..extensions import db
from . import models as m
from .schedule import event_of


def roll(session: m.ClassSession) -> list[dict]:
    """Everyone expected at the session, by name, with their record (or none yet)."""
    return marks.roll_rows(event_of(session))


def histories(session: m.ClassSession) -> dict[int, list[am.AttendanceChange]]:
    """Every change of every record of the session, per person, oldest first (one query)."""
    rows = db.session.execute(select(am.AttendanceRecord.user_id, am.AttendanceChange)
                              .join(am.AttendanceChange.record).where(am.AttendanceRecord.event_id == event_of(session).id)
                              .order_by(am.AttendanceChange.id))
    found: dict[int, list[am.AttendanceChange]] = {}
    for person_id, change in rows:
        found.setdefault(person_id, []).append(change)
    return found


def apply_marks(session: m.ClassSession, batch: list[dict], *, actor, now: datetime | None = None) -> list[dict]:
    """Apply a batch of marks in order; one refused mark refuses the batch (nothing half-written)."""
    marks.apply_marks(event_of(session), batch, actor=actor, now=now)
    return roll(session)


def mark_everyone_present(session: m.ClassSession, *, actor, now: datetime | None = None) -> int:
    return attendance.mark_everyone_else(event_of(session), am.PRESENT, actor=actor, now=now)


def checked_in(session: m.ClassSession) -> list[str]:
    """Names of those who checked themselves in, in the order they did: the teacher's headcount."""
    records = [r for r in attendance.records(event_of(session)).values() if r.source == am.BY_SELF]
    return [r.person_name for r in sorted(records, key=lambda r: r.marked_at)]


def screen(session: m.ClassSession, now: datetime | None = None) -> dict:
    """What the classroom's check-in screen shows now."""
    now = now or utcnow()
    event = event_of(session)
    return {"code": checkin.current_code(event, now), "seconds_left": checkin.seconds_until_change(now),
            "checked_in": checked_in(session), "expected": len(attendance.roster(event))}
