"""请假 for class sessions: the class side of the engine's leave requests (which session a request
is for, a class's pending requests, a member's own), and what a member sees of their sessions."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..attendance import leave as engine, models as am
from ..core.errors import NotFound
from ..courses.models import Lesson
from ..core.timeutil import utcnow
from ..extensions import db
from . import models as m
from .schedule import EVENT_KIND, event_of, get_session

person_name = engine.person_name


def get_leave(request_id: int) -> am.LeaveRequest:
    """A leave request for a class session (another feature's requests are not found here)."""
    request = db.session.get(am.LeaveRequest, request_id)
    if request is None or request.event.kind != EVENT_KIND:
        raise NotFound("leave_not_found", _l("This leave request no longer exists."))
    return request


def session_of(request: am.LeaveRequest) -> m.ClassSession:
    return get_session(request.event.owner_id)


def ask(session: m.ClassSession, person_id: int, reason: str | None, *, actor,
        now: datetime | None = None) -> am.LeaveRequest:
    return engine.request_leave(event_of(session), person_id, reason, actor=actor, now=now)


def _events(sessions) -> dict[int, m.ClassSession]:
    """Event id -> session, in one query."""
    by_id = {s.id: s for s in sessions}
    if not by_id:
        return {}
    rows = db.session.execute(select(am.AttendanceEvent.id, am.AttendanceEvent.owner_id).where(
        am.AttendanceEvent.kind == EVENT_KIND, am.AttendanceEvent.owner_id.in_(list(by_id))))
    return {event_id: by_id[owner] for event_id, owner in rows}


def pending_in(sessions) -> list[tuple[am.LeaveRequest, m.ClassSession]]:
    """Requests waiting for the teacher, oldest first, with their session."""
    events = _events(sessions)
    return [(r, events[r.event_id]) for r in engine.pending_for(events)]


def member_view(group: m.ClassGroup, enrolled: m.Enrolment, now: datetime | None = None) -> dict:
    """A member's class page: the sessions to come (or under way) with their leave request, and the
    past ones since they joined; each with the member's record, if any (its history is shown)."""
    now = now or utcnow()
    events = _events(group.sessions)
    event_of_session = {s.id: e for e, s in events.items()}
    requests = engine.requests_of(enrolled.user_id, events)
    records = {r.event_id: r for r in db.session.scalars(select(am.AttendanceRecord).where(
        am.AttendanceRecord.user_id == enrolled.user_id, am.AttendanceRecord.event_id.in_(list(events))))}
    upcoming, past = [], []
    for session in group.sessions:
        event_id = event_of_session.get(session.id)
        item = {"session": session, "leave": requests.get(event_id), "record": records.get(event_id)}
        if session.ends_at > now:
            upcoming.append(item)
        elif session.starts_at >= enrolled.enrolled_at or item["record"]:
            past.append(item)
    return {"upcoming": upcoming, "past": past[::-1]}


def lesson_titles(group: m.ClassGroup) -> dict[int, str]:
    """The titles of the lessons linked to the class's sessions, by id."""
    ids = {s.lesson_id for s in group.sessions if s.lesson_id}
    return dict(db.session.execute(select(Lesson.id, Lesson.title).where(Lesson.id.in_(ids))).all()) if ids else {}
