"""A class's schedule: weekly rules with holidays, one-off sessions, moving and cancelling, and
copying a class to the next term. Every session owns an attendance event (kind ``class_session``).

Rules are kept in the site's wall-clock time; each session is stored in UTC when it is made, from
its own day, so a class at 09:00 stays at 09:00 on every date.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..attendance import services as attendance
from ..core.errors import NotFound, ServiceError
from ..core.text import clean_line
from ..core.timeutil import from_site_time, to_local, utcnow
from ..extensions import db
from . import models as m
from . import notices
from .services import SETTINGS, save_class

EVENT_KIND = "class_session"


def get_session(session_id: int) -> m.ClassSession:
    session = db.session.get(m.ClassSession, session_id)
    if session is None:
        raise NotFound("session_not_found", _l("This class session no longer exists."))
    return session


def _check_times(minutes: int, mode: str) -> None:
    if not 10 <= minutes <= 600:
        raise ServiceError("bad_minutes", _l("A session lasts between 10 minutes and 10 hours."), status=422,
                           field="minutes")
    if mode not in m.SESSION_MODES:
        raise ServiceError("bad_mode", _l("This way of holding a session is not known."), status=422, field="mode")


def _check_room(room: str, starts_at: datetime, ends_at: datetime, mode: str, keep: int | None = None) -> None:
    """Two on-site sessions cannot share a room at the same time (online ones need no room)."""
    if not room or mode == m.ONLINE:
        return
    clash = db.session.scalar(
        select(m.ClassSession).where(
            m.ClassSession.room == room, m.ClassSession.status == m.SCHEDULED, m.ClassSession.mode != m.ONLINE,
            m.ClassSession.starts_at < ends_at, m.ClassSession.ends_at > starts_at,
            m.ClassSession.id != (keep or 0)))
    if clash is not None:
        local = to_local(clash.starts_at)
        raise ServiceError("room_taken", _l(
            "The room %(room)s is already used by %(name)s on %(day)s at %(time)s.", room=room,
            name=clash.class_group.name, day=local.strftime("%Y-%m-%d"), time=local.strftime("%H:%M")),
            status=409, field="room")


def _event_options(group: m.ClassGroup, session: m.ClassSession) -> dict:
    return {"opens_before_minutes": group.opens_before_minutes, "closes_after_minutes": group.closes_after_minutes,
            "late_after_minutes": group.late_after_minutes, "makeup_days": group.makeup_days,
            "absent_when_unmarked": group.absent_when_unmarked, "lesson_id": session.lesson_id}


def _new_session(group: m.ClassGroup, day: date, starts: time, minutes: int, mode: str, *, rule=None,
                 room: str | None = None, topic: str = "", lesson_id: int | None = None) -> m.ClassSession:
    starts_at = from_site_time(day, starts)
    ends_at = starts_at + timedelta(minutes=minutes)
    room = group.room if room is None else clean_line(room, "room")[:100]
    _check_room(room, starts_at, ends_at, mode)
    session = m.ClassSession(class_group=group, rule_id=rule.id if rule else None, starts_at=starts_at,
                             ends_at=ends_at, mode=mode, room=room, topic=clean_line(topic, "topic")[:200],
                             lesson_id=lesson_id)
    db.session.add(session)
    db.session.flush()
    attendance.create_event(EVENT_KIND, session.id, group.name, starts_at, ends_at, **_event_options(group, session))
    return session


def add_weekly(group: m.ClassGroup, *, weekday: int, starts: time, minutes: int, mode: str = m.ON_SITE,
               skip_dates=(), first_day: date | None = None) -> m.WeeklyRule:
    """Every week of the term (from ``first_day``) on ``weekday``, except the ``skip_dates`` (holidays)."""
    if not 0 <= weekday <= 6:
        raise ServiceError("bad_weekday", _l("Please choose a day of the week."), status=422, field="weekday")
    _check_times(minutes, mode)
    skips = sorted({d.isoformat() if isinstance(d, date) else date.fromisoformat(str(d)).isoformat()
                    for d in skip_dates})
    rule = m.WeeklyRule(class_id=group.id, weekday=weekday, starts=starts, minutes=minutes, mode=mode,
                        skip_dates=skips)
    db.session.add(rule)
    db.session.flush()
    day = max(group.term.starts_on, first_day or group.term.starts_on)
    day += timedelta(days=(weekday - day.weekday()) % 7)
    while day <= group.term.ends_on:
        if day.isoformat() not in skips:
            _new_session(group, day, starts, minutes, mode, rule=rule)
        day += timedelta(weeks=1)
    return rule


def add_session(group: m.ClassGroup, *, day: date, starts: time, minutes: int, mode: str = m.ON_SITE,
                room: str | None = None, topic: str = "", lesson_id: int | None = None) -> m.ClassSession:
    """A one-off session (an extra lesson, an outing)."""
    _check_times(minutes, mode)
    return _new_session(group, day, starts, minutes, mode, room=room, topic=topic, lesson_id=lesson_id)


def move_session(session: m.ClassSession, *, day: date, starts: time, minutes: int | None = None,
                 room: str | None = None, now: datetime | None = None) -> m.ClassSession:
    minutes = minutes or int((session.ends_at - session.starts_at).total_seconds() // 60)
    _check_times(minutes, session.mode)
    if session.status == m.CANCELLED:
        raise ServiceError("cancelled", _l("This session was cancelled and cannot be moved."), status=409)
    starts_at = from_site_time(day, starts)
    ends_at = starts_at + timedelta(minutes=minutes)
    room = session.room if room is None else clean_line(room, "room")[:100]
    _check_room(room, starts_at, ends_at, session.mode, keep=session.id)
    if session.moved_from is None:
        session.moved_from = session.starts_at
    old_starts_at, old_ends_at, old_room = session.starts_at, session.ends_at, session.room
    session.starts_at, session.ends_at, session.room = starts_at, ends_at, room
    attendance.reschedule(event_of(session), starts_at, ends_at)
    db.session.flush()
    # The members hear of it in the same unit of work: no move without its notice, nor the reverse.
    if max(old_ends_at, ends_at) > (now or utcnow()) and (old_starts_at, old_room) != (starts_at, room):
        notices.session_moved(session, old_starts_at, old_room, now)
    return session


def cancel_session(session: m.ClassSession, now: datetime | None = None) -> None:
    """Cancel a session; its members get a notice unless it was over (or cancelled) already."""
    tell = session.status != m.CANCELLED and session.ends_at > (now or utcnow())
    session.status = m.CANCELLED
    attendance.cancel(event_of(session), now)
    db.session.flush()
    if tell:
        notices.session_cancelled(session, now)


def skip_date(rule: m.WeeklyRule, day: date, now: datetime | None = None) -> m.ClassSession | None:
    """A holiday found later: the rule skips ``day`` and its session there is cancelled."""
    rule.skip_dates = sorted(set(rule.skip_dates or []) | {day.isoformat()})
    for session in db.session.scalars(select(m.ClassSession).filter_by(rule_id=rule.id, status=m.SCHEDULED)):
        if to_local(session.starts_at).date() == day:
            cancel_session(session, now)
            return session
    return None


def event_of(session: m.ClassSession):
    return attendance.event_for(EVENT_KIND, session.id)


def sessions_between(group: m.ClassGroup, start: datetime, end: datetime) -> list[m.ClassSession]:
    return list(db.session.scalars(select(m.ClassSession).where(
        m.ClassSession.class_id == group.id, m.ClassSession.starts_at >= start, m.ClassSession.starts_at < end)
        .order_by(m.ClassSession.starts_at)))


def copy_to_term(group: m.ClassGroup, term: m.Term) -> m.ClassGroup:
    """The same class next term in one step: settings, staff and weekly rules (members join anew)."""
    copy = save_class(None, term=term, name=group.name, course_id=group.course_id,
                      teacher_ids=group.staff_ids(m.TEACHER), assistant_ids=group.staff_ids(m.ASSISTANT),
                      **{key: getattr(group, key) for key in SETTINGS})
    for rule in group.rules:
        add_weekly(copy, weekday=rule.weekday, starts=rule.starts, minutes=rule.minutes, mode=rule.mode)
    return copy
