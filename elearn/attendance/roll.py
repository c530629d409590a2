"""An event's roll as pages and the API show it, whatever feature owns the event (a class session, a
branch activity): who is expected with their record, each record's history, marks sent in a batch
(the roll-call page queues taps while offline and sends them later, each with when it was made and
its own ref), 全部出勤, and what the check-in screen shows."""
from __future__ import annotations

from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..core.errors import ServiceError
from ..core.ids import parse_id
from ..core.timeutil import utcnow
from ..extensions import db
from . import checkin, services
from . import models as m
from .labels import TAP_CYCLE

#: A roll-call device sends at most this many marks at once (a class is at most a few hundred).
MAX_MARKS = 500


def rows(event: m.AttendanceEvent, only: int | None = None) -> list[dict]:
    """Everyone expected at the event, by name, with their record (or none yet); ``only``: that person's row."""
    records = services.records(event)
    found = []
    for person_id, name in sorted(services.roster(event).items(), key=lambda item: item[1]):
        if only is not None and person_id != only:
            continue
        record = records.get(person_id)
        found.append({"person": person_id, "name": name, "status": record.status if record else None,
                      "mode": record.mode if record else None, "source": record.source if record else None,
                      "note": record.note if record else None, "marked_at": record.marked_at if record else None})
    return found


def histories(event: m.AttendanceEvent) -> dict[int, list[m.AttendanceChange]]:
    """Every change of every record of the event, per person, oldest first (one query)."""
    changes = db.session.execute(select(m.AttendanceRecord.user_id, m.AttendanceChange)
                                 .join(m.AttendanceChange.record).where(m.AttendanceRecord.event_id == event.id)
                                 .order_by(m.AttendanceChange.id))
    found: dict[int, list[m.AttendanceChange]] = {}
    for person_id, change in changes:
        found.setdefault(person_id, []).append(change)
    return found


def _moment(value) -> datetime | None:
    """A mark's "made at" from a device: aware times become naive UTC; naive ones are taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def apply_marks(event: m.AttendanceEvent, marks: list[dict], *, actor, now: datetime | None = None) -> list[dict]:
    """Apply a batch of marks in order; one refused mark refuses the batch (nothing half-written)."""
    if len(marks) > MAX_MARKS:
        raise ServiceError("too_many", _l("Too many marks at once."), status=413, limit=MAX_MARKS)
    now = now or utcnow()
    for item in marks:
        # The note of a home visit is also why the mark was made: the history shows it.
        services.mark(event, item["person"], item["status"], actor=actor, mode=item.get("mode"),
                      note=item.get("note"), reason=item.get("note") or None, made_at=_moment(item.get("made_at")),
                      client_ref=item.get("ref"), now=now)
    return rows(event)


def form_mark(form) -> tuple[int, dict] | None:
    """One tap (or one person's "more" form) of the roll page sent without JavaScript, as (person,
    mark); None when the form is not one the page sends (the view answers 400)."""
    person, mark = parse_id(form.get("person")), {"status": form.get("status", "")}
    if "mode" in form:
        mark.update(mode=form["mode"], note=form.get("note", ""))
    if person is None or mark["status"] not in TAP_CYCLE or mark.get("mode", m.ON_SITE) not in m.MODES:
        return None
    return person, mark


def mark_everyone_present(event: m.AttendanceEvent, *, actor, now: datetime | None = None) -> int:
    return services.mark_everyone_else(event, m.PRESENT, actor=actor, now=now)


def checked_in(event: m.AttendanceEvent) -> list[str]:
    """Names of those who checked themselves in, in the order they did: the headcount."""
    found = [r for r in services.records(event).values() if r.source == m.BY_SELF]
    return [r.person_name for r in sorted(found, key=lambda r: r.marked_at)]


def screen(event: m.AttendanceEvent, now: datetime | None = None) -> dict:
    """What the room's check-in screen shows now."""
    now = now or utcnow()
    return {"code": checkin.current_code(event, now), "seconds_left": checkin.seconds_until_change(now),
            "checked_in": checked_in(event), "expected": len(services.roster(event))}
