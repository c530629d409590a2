"""A branch built on a class, for the member-management and privacy tests: the class 书法一班 (taught by
李老师, attended by the member 张建国 and the classmate 钱同学) is linked to the branch whose secretary
is 王明; 赵外人 attends no class; the member's party details were entered with consent. The class
has a session under way, with the member marked present."""
from __future__ import annotations

from elearn.core.permissions import SYSTEM

from datetime import date, timedelta

from tests.factories import make_user


class People:
    pass


def people_world(db) -> People:
    from elearn.attendance import models as am, services as attendance
    from elearn.branches import models as m, services
    from elearn.classes import enrolment, schedule, services as classes
    from elearn.core.timeutil import to_local, utcnow

    w = People()
    w.secretary = make_user(db, roles=["teacher"], name="王明", fast_hash=True)
    w.member = make_user(db, roles=["student"], name="张建国", fast_hash=True)
    w.classmate = make_user(db, roles=["student"], name="钱同学", fast_hash=True)
    w.teacher = make_user(db, roles=["teacher"], name="李老师", fast_hash=True)
    w.outsider = make_user(db, roles=["student"], name="赵外人", fast_hash=True)
    w.admin = make_user(db, roles=["admin"], name="管理员", fast_hash=True)
    today = to_local(utcnow()).date()
    term = classes.save_term(None, name="本学期", starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=60))
    w.group = classes.save_class(None, term=term, name="书法一班", teacher_ids=[w.teacher.id], room="301")
    for person in (w.member, w.classmate, w.secretary):
        enrolment.enrol(w.group, person.id, now=utcnow() - timedelta(days=20))
    start = to_local(utcnow() - timedelta(minutes=5))
    w.session = schedule.add_session(w.group, day=start.date(), starts=start.time().replace(microsecond=0), minutes=90)
    attendance.mark(schedule.event_of(w.session), w.member.id, am.PRESENT, actor=w.teacher)

    w.branch = services.save_branch(None, name="书法一班党支部")
    services.link_class(w.branch, w.group.id)
    w.party_group = services.add_group(w.branch, "第一党小组")
    joined = utcnow() - timedelta(days=60)
    w.secretary_row = services.add_member(w.branch, w.secretary, officer_role=m.SECRETARY, now=joined, actor=SYSTEM)
    w.member_row = services.add_member(w.branch, w.member, group=w.party_group, now=joined, actor=SYSTEM)
    services.set_party_details(w.member_row, status=m.PROBATIONARY, joined_on=date(1978, 7, 1), full_on=None,
                               consented=True, actor=w.secretary)
    db.session.commit()
    return w
