"""What classes tell the attendance engine's job of marks from watching (``attendance.online_jobs``):
a viewing of a lesson counts for the scheduled sessions linking it, in the classes the viewer had
joined when each started (出勤/线上 inside the window, 补学 within the class's ``makeup_days``)."""
from __future__ import annotations

from sqlalchemy import and_, select

from ..attendance.models import AttendanceEvent
from ..extensions import db
from . import models as m
from .schedule import EVENT_KIND


def watched_sessions(user_id: int, lesson_id: int) -> list[AttendanceEvent]:
    """The events of scheduled sessions linking the lesson, in classes the user had joined when each started."""
    return list(db.session.scalars(
        select(AttendanceEvent)
        .join(m.ClassSession, and_(AttendanceEvent.kind == EVENT_KIND, AttendanceEvent.owner_id == m.ClassSession.id))
        .join(m.Enrolment, m.Enrolment.class_id == m.ClassSession.class_id)
        .where(m.ClassSession.lesson_id == lesson_id, m.ClassSession.status == m.SCHEDULED,
               m.Enrolment.user_id == user_id, m.Enrolment.enrolled_at.is_not(None),
               m.Enrolment.enrolled_at <= m.ClassSession.starts_at)
        .order_by(m.ClassSession.starts_at)))
