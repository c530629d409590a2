"""What the browser walk (tests/browser/pages.py) shows the classes pages with: a class this term
that the walk's teacher teaches and its student attends, with a session under way (one member
visited at home), and one next week that another member asked leave for."""
from __future__ import annotations

from datetime import timedelta


def classes_for_pages(db, world):
    from elearn.attendance import checkin, leave, models as am, services as attendance
    from elearn.classes import enrolment, schedule, services
    from elearn.core.timeutil import to_local, utcnow

    today = to_local(utcnow()).date()
    term = services.save_term(None, name="本学期", starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=60))
    group = services.save_class(None, term=term, name="书法一班", course_id=world.course.id, teacher_ids=[world.teacher.id],
                                room="301", capacity=20, self_enrol=True)
    past = to_local(utcnow() - timedelta(days=7, minutes=5))
    earlier = schedule.add_session(group, day=past.date(), starts=past.time().replace(microsecond=0), minutes=90)
    start = to_local(utcnow() - timedelta(minutes=5))
    session = schedule.add_session(group, day=start.date(), starts=start.time().replace(microsecond=0), minutes=90,
                                   topic="握笔和坐姿")
    for person in (world.student, world.target):
        enrolment.enrol(group, person.id, now=utcnow() - timedelta(days=20))
    attendance.mark(schedule.event_of(earlier), world.student.id, am.LATE, actor=world.teacher)
    # Roll call with a home visit and its note, and a leave request waiting for the teacher.
    attendance.mark(schedule.event_of(session), world.target.id, am.PRESENT, actor=world.teacher, mode=am.HOME_VISIT,
                    note="王老师上门送学")
    coming = to_local(utcnow() + timedelta(days=7))
    upcoming = schedule.add_session(group, day=coming.date(), starts=coming.time().replace(microsecond=0), minutes=90,
                                    lesson_id=world.course.lessons[0].id)
    leave.request_leave(schedule.event_of(upcoming), world.target.id, "去医院复查", actor=world.target)
    from elearn.classes import notices
    # Unread by the student (the home page's top panel); one read, so 「我的通知」 shows both kinds.
    notices.mark_read(notices.post_notice(group, world.teacher, title="开学第一课请带毛笔和宣纸",
                                          body="大家好：\n第一次上课请带好毛笔、墨汁和宣纸。教室在三楼301。"),
                      world.student)
    notices.post_notice(group, world.teacher, title="下周一停车场维修，请坐公交来上课",
                        body="停车场维修两周，学校门口有11路和23路公交车。有困难的同学请联系班长。")
    db.session.commit()
    world.group, world.class_session, world.upcoming_session = group, session, upcoming
    world.checkin_grant = checkin.scan(checkin.current_code(schedule.event_of(session)))
