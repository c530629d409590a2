"""Marks from watching: a viewing of an event's lesson that covered enough of it (the learning
feature tells when; the owning feature finds the events) marks 出勤/线上 if the viewing started
inside the window, 补学 if within the event's ``makeup_days`` after it, otherwise nothing.

The watching belongs to the time its viewing started (the server's clock), not to when its reports
arrived: a backlog sent a day late from a viewing started in the window still counts as 出勤, and
the mark is dated at that start, so a teacher's mark made after it stands (the later-made mark wins).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from ..core.timeutil import utcnow
from . import models as m
from .services import mark, record_for, roster, window


def watched_status(event: m.AttendanceEvent, started_at: datetime) -> str | None:
    """What a viewing started at ``started_at`` is worth for ``event``: 出勤, 补学 or nothing."""
    opens, closes = window(event)
    if opens <= started_at <= closes:
        return m.PRESENT
    if closes < started_at <= closes + timedelta(days=event.makeup_days):
        return m.MADE_UP
    return None


def mark_watched(event: m.AttendanceEvent, person_id: int, viewing_id: int, started_at: datetime,
                 now: datetime | None = None) -> m.AttendanceRecord | None:
    """Mark ``person_id`` from their viewing ``viewing_id`` (started at ``started_at``, naive UTC).

    Only raises a record that shows no attendance (none, 缺勤, 请假): 出勤 is never turned into 补学,
    and a record that already counts gets no history row. The same viewing marks once, however often
    its job runs (the viewing is the mark's ``client_ref``).
    """
    now = now or utcnow()
    status = watched_status(event, started_at)
    if status is None or event.cancelled_at is not None or person_id not in roster(event):
        return None
    record = record_for(event, person_id)
    if record is not None and record.status in m.ATTENDED:
        return record  # already attended (or made up): watching adds nothing
    made_at = started_at
    if record is not None and record.source == m.BY_AUTO:
        # The engine's own 缺勤 at the window's end is nobody's decision: watching that started
        # before it (a backlog that arrived after closing) still replaces it.
        made_at = max(started_at, record.marked_at)
    return mark(event, person_id, status, actor=None, source=m.BY_AUTO, mode=m.ONLINE, made_at=made_at,
                client_ref=f"viewing-{viewing_id}", now=now)
