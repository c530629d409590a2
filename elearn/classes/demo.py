"""The demo's class: this term, a weekly session on today's weekday, the demo students enrolled."""
from __future__ import annotations

from datetime import time, timedelta

from ..attendance import models as am, services as attendance
from ..core.timeutil import to_local, utcnow
from . import enrolment, schedule, services


def create_demo_class(teacher, students, course=None):
    """「书法一班」 in a term around today; a session today at 09:00, so roll call and check-in can be tried."""
    today = to_local(utcnow()).date()
    term = services.save_term(None, name=f"{today.year}年本学期", starts_on=today - timedelta(days=28),
                              ends_on=today + timedelta(days=56))
    group = services.save_class(None, term=term, name="书法一班", course_id=course.id if course else None,
                                teacher_ids=[teacher.id], assistant_ids=[students[-1].id], room="301", capacity=30,
                                self_enrol=True)
    schedule.add_weekly(group, weekday=today.weekday(), starts=time(9, 0), minutes=90)
    for person in students:
        enrolment.enrol(group, person.id, now=utcnow() - timedelta(days=35))
    # The weeks already past have their roll taken, as a teacher would have: one late, one on leave.
    for week, session in enumerate(s for s in group.sessions if s.ends_at < utcnow()):
        event = schedule.event_of(session)
        for n, person in enumerate(students):
            status = (am.LATE if week == 1 else am.EXCUSED if week == 2 else am.PRESENT) if n else am.PRESENT
            attendance.mark(event, person.id, status, actor=teacher, made_at=session.starts_at, now=session.ends_at)
        attendance.close(event, now=session.ends_at + timedelta(hours=1))
    return group
