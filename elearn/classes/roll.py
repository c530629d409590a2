"""A session's roll as pages and the API show it, and marks sent in a batch (the roll-call page
queues taps while offline and sends them later, each with when it was made and its own ref)."""
from __future__ import annotations

from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..attendance import checkin, services as attendance
from ..attendance import models as am
from ..core.errors import ServiceError
from ..core.timeutil import utcnow
from ..extensions import db
from . import models as m
from .schedule import event_of

#: A roll-call device sends at most this many marks at once (a class is at most a few hundred).
MAX_MARKS = 500


def roll(session: m.ClassSession) -> list[dict]:
    """Everyone expected at the session, by name, with their record (or none yet)."""
    event = event_of(session)
    records = attendance.records(event)
    rows = []
    for person_id, name in sorted(attendance.roster(event).items(), key=lambda item: item[1]):
        record = records.get(person_id)
        rows.append({"person": person_id, "name": name, "status": record.status if record else None,
                     "mode": record.mode if record else None, "source": record.source if record else None,
                     "note": record.note if record else None, "marked_at": record.marked_at if record else None})
    return rows


def histories(session: m.ClassSession) -> dict[int, list[am.AttendanceChange]]:
    """Every change of every record of the session, per person, oldest first (one query)."""
    rows = db.session.execute(select(am.AttendanceRecord.user_id, am.AttendanceChange)
                              .join(am.AttendanceChange.record).where(am.AttendanceRecord.event_id == event_of(session).id)
                              .order_by(am.AttendanceChange.id))
    found: dict[int, list[am.AttendanceChange]] = {}
    for person_id, change in rows:
        found.setdefault(person_id, []).append(change)
    return found


def _moment(value) -> datetime | None:
    """A mark's "made at" from a device: aware times become naive UTC; naive ones are taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def apply_marks(session: m.ClassSession, marks: list[dict], *, actor, now: datetime | None = None) -> list[dict]:
    """Apply a batch of marks in order; one refused mark refuses the batch (nothing half-written)."""
    if len(marks) > MAX_MARKS:
        raise ServiceError("too_many", _l("Too many marks at once."), status=413, limit=MAX_MARKS)
    now = now or utcnow()
    event = event_of(session)
    for item in marks:
        # The note of a home visit is also why the mark was made: the history shows it.
        attendance.mark(event, item["person"], item["status"], actor=actor, mode=item.get("mode"),
                        note=item.get("note"), reason=item.get("note") or None, made_at=_moment(item.get("made_at")),
                        client_ref=item.get("ref"), now=now)
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
