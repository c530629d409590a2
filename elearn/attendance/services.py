"""The attendance engine: events, marks with their history, 全部出勤, closing with 缺勤 (leave is
in ``leave``, marks from watching in ``online``). Plain functions that flush and never commit; the
caller's unit of work commits.

Every change of a record goes through ``mark``: it keeps the change (who, when, old → new, why) and
lets the mark made last win, whatever order marks arrive in (a tablet that was offline sends its
marks later; they are judged by when they were made, bounded by the server's clock).
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..core.errors import Forbidden, NotFound, ServiceError
from ..core.text import clean_text, within
from ..core.timeutil import utcnow
from ..extensions import db
from . import models as m
from .hooks import event_kinds, kind_of, worded
from .permissions import marker_source

#: How far before the server's clock a device's "when I made this mark" is believed: a tablet offline
#: for a whole session still sends its marks the same day.
MAX_OFFLINE = timedelta(hours=12)
NOTE_LIMIT = 500


def get_event(event_id: int) -> m.AttendanceEvent:
    event = db.session.get(m.AttendanceEvent, event_id)
    if event is None:
        raise NotFound("event_not_found", _l("This session or activity no longer exists."))
    return event


def event_for(kind: str, owner_id: int) -> m.AttendanceEvent | None:
    return db.session.scalar(select(m.AttendanceEvent).filter_by(kind=kind, owner_id=owner_id))


def _check_window(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise ServiceError("ends_before_start", _l("The end time must be after the start time."), status=422)
    if ends_at - starts_at > timedelta(days=1):
        raise ServiceError("too_long", _l("A session or activity can last one day at most."), status=422)


def create_event(kind: str, owner_id: int, title: str, starts_at: datetime, ends_at: datetime,
                 **options) -> m.AttendanceEvent:
    """An event for a feature's row (``options``: window minutes, lesson_id, makeup_days...)."""
    if kind not in event_kinds:  # a programming error, not a person's: fail loudly
        raise LookupError(f"no attendance provider registered for {kind!r}")
    _check_window(starts_at, ends_at)
    event = m.AttendanceEvent(kind=kind, owner_id=owner_id, title=title, starts_at=starts_at, ends_at=ends_at,
                              checkin_secret=secrets.token_hex(16), **options)
    db.session.add(event)
    db.session.flush()
    return event


def reschedule(event: m.AttendanceEvent, starts_at: datetime, ends_at: datetime) -> None:
    """Move an event; codes shown for the old time stop working."""
    _check_window(starts_at, ends_at)
    if event.closed_at is not None:
        raise ServiceError("event_closed", _l("This session is over and its attendance is closed."), status=409)
    event.starts_at, event.ends_at = starts_at, ends_at
    event.checkin_secret = secrets.token_hex(16)


def cancel(event: m.AttendanceEvent, now: datetime | None = None) -> None:
    event.cancelled_at = now or utcnow()
    event.checkin_secret = secrets.token_hex(16)


def window(event: m.AttendanceEvent) -> tuple[datetime, datetime]:
    """When self check-in is open: minutes before the start to minutes after the end."""
    return (event.starts_at - timedelta(minutes=event.opens_before_minutes),
            event.ends_at + timedelta(minutes=event.closes_after_minutes))


def roster(event: m.AttendanceEvent) -> dict[int, str]:
    return kind_of(event).roster(event)


# ---------------------------------------------------------------- marks and their history

def record_for(event: m.AttendanceEvent, person_id: int, *, lock: bool = True) -> m.AttendanceRecord | None:
    query = select(m.AttendanceRecord).filter_by(event_id=event.id, user_id=person_id)
    if lock:
        query = query.with_for_update()
    return db.session.scalar(query)


def _made_at(made_at: datetime | None, now: datetime) -> datetime:
    """A device's clock is believed within ``MAX_OFFLINE`` of the server's, never in the future."""
    if made_at is None or made_at > now:
        return now
    return max(made_at, now - MAX_OFFLINE)


def _check_mark(event, status: str, mode: str, source: str) -> None:
    if status not in m.STATUSES:
        raise ServiceError("bad_status", _l("This attendance status is not known."), status=422)
    if mode not in m.MODES:
        raise ServiceError("bad_mode", _l("This way of attending is not known."), status=422)
    if source not in m.SOURCES:
        raise ServiceError("bad_source", _l("This kind of mark is not known."), status=422)
    if event.cancelled_at is not None:
        raise ServiceError("event_cancelled", worded(event, "event_cancelled", _l(
            "This session was cancelled, so there is no attendance to take.")), status=409)


def mark(event: m.AttendanceEvent, person_id: int, status: str, *, actor, mode: str | None = None,
         source: str | None = None, note: str | None = None, reason: str | None = None,
         made_at: datetime | None = None, client_ref: str | None = None,
         now: datetime | None = None) -> m.AttendanceRecord:
    """Set where ``person_id`` stands for ``event``, keeping the change in the history.

    ``actor`` must be allowed to mark the event (their source, teacher or assistant, is taken from the
    owning feature) unless ``source`` says the engine itself marks (self check-in, automatic, leave).
    A mark made before the one that stands is kept in the history and changes nothing. The same
    ``client_ref`` sent twice counts once. Without ``mode`` the person's mode stays (a tap on the
    roll changes the status, not a home visit); ``note=""`` clears the note, ``None`` keeps it.
    """
    now = now or utcnow()
    if source is None or source in m.MARKER_SOURCES:
        source = marker_source(actor, event)
        if source is None:
            raise Forbidden("not_allowed", _l("You cannot take attendance for this session."))
    _check_mark(event, status, mode or m.ON_SITE, source)
    if source in m.MARKER_SOURCES:
        kind_of(event).check_mark(event, now, status)
    names = roster(event)
    if person_id not in names:
        raise ServiceError("not_expected", worded(event, "not_expected", _l("This person is not expected at this session.")),
                           status=409)
    # The engine's own marks are dated by the server's clock (a viewing's start, a window's end),
    # however long ago: only a device's clock is bounded.
    made_at = min(made_at or now, now) if source == m.BY_AUTO else _made_at(made_at, now)
    note_given, note, reason = note is not None, clean_note(note, "note"), clean_note(reason, "reason")

    record = record_for(event, person_id)
    if record is None:
        record = _new_record(event, person_id, names[person_id], status, mode or m.ON_SITE, source, made_at)
        if record is None:  # someone else created it a moment ago: mark on top of theirs
            record = record_for(event, person_id)
    elif client_ref and _seen(record, client_ref):
        return record
    mode = mode or record.mode
    applied = made_at >= record.marked_at
    change = m.AttendanceChange(
        record=record, old_status=record.status if record.changes else None, new_status=status,
        old_mode=record.mode if record.changes else None, new_mode=mode, source=source,
        actor_id=getattr(actor, "id", None), actor_name=getattr(actor, "name", None), reason=reason,
        made_at=made_at, received_at=now, applied=applied, client_ref=client_ref)
    db.session.add(change)
    if applied:
        record.status, record.mode, record.source = status, mode, source
        record.marked_at, record.marked_by_id = made_at, getattr(actor, "id", None)
        if note_given:
            record.note = note
    db.session.flush()
    return record


def clean_note(value: str | None, field: str) -> str | None:
    return within(clean_text(value, field) if value else "", NOTE_LIMIT, field) or None


def _new_record(event, person_id, name, status, mode, source, made_at) -> m.AttendanceRecord | None:
    record = m.AttendanceRecord(event_id=event.id, user_id=person_id, person_name=name, status=status,
                                mode=mode, source=source, marked_at=made_at)
    try:
        with db.session.begin_nested():
            db.session.add(record)
            db.session.flush()
    except IntegrityError:
        return None
    return record


def _seen(record: m.AttendanceRecord, client_ref: str) -> bool:
    return db.session.scalar(
        select(func.count()).select_from(m.AttendanceChange).filter_by(record_id=record.id, client_ref=client_ref)) > 0


def mark_everyone_else(event: m.AttendanceEvent, status: str, *, actor, mode: str = m.ON_SITE,
                       made_at: datetime | None = None, now: datetime | None = None) -> int:
    """「全部出勤」: everyone expected who has no mark yet gets ``status``; returns how many."""
    marked = set(db.session.scalars(select(m.AttendanceRecord.user_id).filter_by(event_id=event.id)))
    count = 0
    for person_id in roster(event):
        if person_id not in marked:
            mark(event, person_id, status, actor=actor, mode=mode, made_at=made_at, now=now)
            count += 1
    return count


def records(event: m.AttendanceEvent) -> dict[int, m.AttendanceRecord]:
    return {r.user_id: r for r in db.session.scalars(select(m.AttendanceRecord).filter_by(event_id=event.id))}


def history(event: m.AttendanceEvent, person_id: int) -> list[m.AttendanceChange]:
    record = record_for(event, person_id, lock=False)
    return list(record.changes) if record else []


# ---------------------------------------------------------------- closing

def close(event: m.AttendanceEvent, now: datetime | None = None) -> int:
    """After the window, the expected who are still unmarked become 缺勤 (if the event says so)."""
    now = now or utcnow()
    if event.closed_at is not None or event.cancelled_at is not None or now < window(event)[1]:
        return 0
    count = 0
    if event.absent_when_unmarked:
        marked = set(db.session.scalars(select(m.AttendanceRecord.user_id).filter_by(event_id=event.id)))
        for person_id in roster(event):
            if person_id not in marked:
                mark(event, person_id, m.ABSENT, actor=None, source=m.BY_AUTO, made_at=window(event)[1], now=now)
                count += 1
    event.closed_at = now
    return count


def events_due(now: datetime | None = None) -> list[int]:
    """Ids of events whose window has ended and that are not closed yet (for the periodic task)."""
    now = now or utcnow()
    # The longest possible after-window is bounded by the stored minutes: filter roughly, check exactly.
    candidates = db.session.scalars(
        select(m.AttendanceEvent).where(m.AttendanceEvent.closed_at.is_(None),
                                        m.AttendanceEvent.cancelled_at.is_(None),
                                        m.AttendanceEvent.ends_at < now)).all()
    return [event.id for event in candidates if window(event)[1] <= now]
