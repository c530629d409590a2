"""An event's roll as the pages and the API show it, and marks sent in a batch, for every kind of
event (a class session, a branch activity). A roll-call device queues taps while offline and sends
them later, each with when it was made and its own ref; one refused mark refuses the batch."""
from __future__ import annotations

from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l

from ..core.errors import ServiceError
from ..core.timeutil import utcnow
from . import models as m
from . import services as attendance

#: A roll-call device sends at most this many marks at once (a class is at most a few hundred).
MAX_MARKS = 500


def roll_rows(event: m.AttendanceEvent, only: int | None = None) -> list[dict]:
    """Everyone expected at the event, by name, with their record (or none yet); ``only``: that person's row."""
    records = attendance.records(event)
    rows = []
    for person_id, name in sorted(attendance.roster(event).items(), key=lambda item: item[1]):
        if only is not None and person_id != only:
            continue
        record = records.get(person_id)
        rows.append({"person": person_id, "name": name, "status": record.status if record else None,
                     "mode": record.mode if record else None, "source": record.source if record else None,
                     "note": record.note if record else None, "marked_at": record.marked_at if record else None})
    return rows


def _moment(value) -> datetime | None:
    """A mark's "made at" from a device: aware times become naive UTC; naive ones are taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def apply_marks(event: m.AttendanceEvent, marks: list[dict], *, actor, now: datetime | None = None) -> None:
    """Apply a batch of marks in order; one refused mark refuses the batch (the caller's unit of work
    rolls back: nothing half-written)."""
    if len(marks) > MAX_MARKS:
        raise ServiceError("too_many", _l("Too many marks at once."), status=413, limit=MAX_MARKS)
    now = now or utcnow()
    for item in marks:
        # The note of a home visit is also why the mark was made: the history shows it.
        attendance.mark(event, item["person"], item["status"], actor=actor, mode=item.get("mode"),
                        note=item.get("note"), reason=item.get("note") or None, made_at=_moment(item.get("made_at")),
                        client_ref=item.get("ref"), now=now)
