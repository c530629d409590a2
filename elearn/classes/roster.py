"""What classes tell the features below them: who is expected at a session (the attendance engine),
who sees a course shown to "members of chosen classes", and whom a teacher teaches."""
from __future__ import annotations

from sqlalchemy import and_, exists, or_, select

from ..accounts.models import User
from ..attendance.hooks import EventKind
from ..core.permissions import is_signed_in
from ..courses.models import Course
from ..extensions import db
from . import models as m
from .online import watched_sessions
from .permissions import staff_role


def _session_group(event) -> m.ClassGroup | None:
    session = db.session.get(m.ClassSession, event.owner_id)
    return session.class_group if session else None


def session_roster(event) -> dict[int, str]:
    """Members who had joined when the session started and had not left by then."""
    rows = db.session.execute(
        select(User.id, User.name).join(m.Enrolment, m.Enrolment.user_id == User.id)
        .join(m.ClassSession, m.ClassSession.class_id == m.Enrolment.class_id)
        .where(m.ClassSession.id == event.owner_id, m.Enrolment.enrolled_at.is_not(None),
               m.Enrolment.enrolled_at <= event.starts_at,
               or_(m.Enrolment.left_at.is_(None), m.Enrolment.left_at > event.starts_at)))
    return dict(rows.all())


def session_marker(user, event) -> str | None:
    group = _session_group(event)
    return staff_role(user, group) if group else None


def session_viewer(user, event) -> bool:
    return session_marker(user, event) is not None


def session_described(event) -> dict:
    """The check-in pages name the class and its room."""
    session = db.session.get(m.ClassSession, event.owner_id)
    return {"name": session.class_group.name if session else event.title, "place": session.room if session else None}


CLASS_SESSION = EventKind(roster=session_roster, marker=session_marker, viewer=session_viewer,
                          describe=session_described, watched=watched_sessions)


def members_see_course(user):
    """Visibility provider: a course shown to "members of chosen classes" is seen by the members and
    staff of the classes linked to it."""
    if not is_signed_in(user):
        return None
    member = select(m.Enrolment.class_id).where(m.Enrolment.user_id == user.id, m.Enrolment.state == m.ENROLLED)
    staff = select(m.ClassStaff.class_id).where(m.ClassStaff.user_id == user.id)
    linked = select(m.ClassGroup.course_id).where(or_(m.ClassGroup.id.in_(member), m.ClassGroup.id.in_(staff)))
    return and_(Course.visibility == "classes", Course.id.in_(linked))


def teaches_member(teacher, student) -> bool:
    """Contact rule: a class's teachers see their members' contact details."""
    return db.session.scalar(select(exists().where(
        m.ClassStaff.user_id == teacher.id, m.ClassStaff.role == m.TEACHER, m.Enrolment.class_id == m.ClassStaff.class_id,
        m.Enrolment.user_id == student.id, m.Enrolment.state.in_((m.ENROLLED, m.WAITING))))) or False
