"""Terms, classes, schedules (weekly with holidays, one-offs, moves, room clashes), enrolment with
capacity and the waiting list, the attendance roster of a session, the "classes" course visibility
and the teachers' contact rule. Times in Asia/Shanghai."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from elearn.attendance import checkin, models as am, services as attendance
from elearn.classes import enrolment, schedule, services
from elearn.classes import models as m
from elearn.core.errors import ServiceError
from elearn.core.permissions import can_view_contact
from elearn.courses.models import Course
from elearn.courses.permissions import can_view_course, visible_clause
from tests.factories import make_course, make_user


@pytest.fixture
def term(db):
    term = services.save_term(None, name="2027年春季学期", starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 31))
    db.session.commit()
    return term


@pytest.fixture
def teacher(db):
    return make_user(db, roles=("teacher",), name="李老师")


@pytest.fixture
def group(db, term, teacher):
    group = services.save_class(None, term=term, name="书法一班", teacher_ids=[teacher.id], room="301", capacity=2,
                                self_enrol=True)
    db.session.commit()
    return group


def test_a_term_that_ends_before_it_starts_is_refused(db, term):
    with pytest.raises(ServiceError) as refused:
        services.save_term(None, name="坏学期", starts_on=date(2027, 9, 1), ends_on=date(2027, 8, 1))
    assert (refused.value.code, refused.value.status) == ("ends_before_start", 422)
    with pytest.raises(ServiceError) as refused:
        services.save_term(None, name="2027年春季学期", starts_on=date(2027, 9, 1), ends_on=date(2027, 10, 1))
    assert refused.value.code == "duplicate"


def test_weekly_sessions_follow_the_site_clock_and_skip_holidays(db, group):
    schedule.add_weekly(group, weekday=0, starts=time(9, 0), minutes=90, skip_dates=[date(2027, 3, 15)])
    db.session.commit()
    starts = [s.starts_at for s in group.sessions]
    # Mondays of March 2027: 1, 8, (15 is a holiday), 22, 29; 09:00 in Shanghai is 01:00 UTC.
    assert starts == [datetime(2027, 3, d, 1, 0) for d in (1, 8, 22, 29)]
    assert all(s.ends_at - s.starts_at == timedelta(minutes=90) for s in group.sessions)
    events = [schedule.event_of(s) for s in group.sessions]
    assert [e.starts_at for e in events] == starts and {e.title for e in events} == {"书法一班"}


def test_overlapping_sessions_in_one_room_are_refused(db, group, term, teacher):
    schedule.add_weekly(group, weekday=0, starts=time(9, 0), minutes=90)
    other = services.save_class(None, term=term, name="国画班", teacher_ids=[teacher.id], room="301")
    db.session.commit()
    with pytest.raises(ServiceError) as refused:
        schedule.add_session(other, day=date(2027, 3, 8), starts=time(10, 0), minutes=60)
    assert refused.value.code == "room_taken" and "书法一班" in str(refused.value.message)
    db.session.rollback()
    # Online, or another room, or after the first class ends: fine.
    schedule.add_session(other, day=date(2027, 3, 8), starts=time(10, 0), minutes=60, mode=m.ONLINE)
    schedule.add_session(other, day=date(2027, 3, 8), starts=time(10, 30), minutes=60)
    db.session.commit()


def test_moving_a_session_moves_its_attendance_window(db, group):
    session = schedule.add_session(group, day=date(2027, 3, 3), starts=time(14, 0), minutes=60)
    schedule.move_session(session, day=date(2027, 3, 4), starts=time(15, 0))
    db.session.commit()
    assert session.moved_from == datetime(2027, 3, 3, 6, 0)
    assert schedule.event_of(session).starts_at == datetime(2027, 3, 4, 7, 0) == session.starts_at


def test_capacity_and_the_waiting_list_moves_up_by_itself(db, group):
    a, b, c = (make_user(db, name=n) for n in ("甲", "乙", "丙"))
    now = datetime(2027, 2, 20)
    assert enrolment.join(group, a, now=now).state == m.ENROLLED
    assert enrolment.join(group, b, now=now).state == m.ENROLLED
    waiting = enrolment.join(group, c, now=now)
    assert waiting.state == m.WAITING
    assert enrolment.join(group, c, now=now).id == waiting.id  # joining twice changes nothing
    moved_up = enrolment.leave(group, a.id, now=now + timedelta(days=1))
    db.session.commit()
    assert moved_up.user_id == c.id and moved_up.state == m.ENROLLED and moved_up.promoted_unseen
    left = enrolment.enrolment_of(group, a.id)
    assert left.state == m.LEFT and left.left_at is not None  # kept, with its history


def test_self_enrolment_only_where_the_class_allows_it(db, term, teacher):
    closed = services.save_class(None, term=term, name="合唱班", teacher_ids=[teacher.id])
    with pytest.raises(ServiceError) as refused:
        enrolment.join(closed, make_user(db))
    assert refused.value.status == 403


def test_a_session_roster_leaves_out_who_joined_after_it_or_left_before_it(db, group, teacher):
    schedule.add_weekly(group, weekday=0, starts=time(9, 0), minutes=60)
    early, late = make_user(db, name="早到"), make_user(db, name="后来")
    enrolment.enrol(group, early.id, now=datetime(2027, 2, 1))
    enrolment.enrol(group, late.id, now=datetime(2027, 3, 10))
    db.session.commit()
    first, second, third = (schedule.event_of(s) for s in group.sessions[:3])
    assert attendance.roster(first) == {early.id: "早到"}
    assert attendance.roster(second) == {early.id: "早到"}
    assert set(attendance.roster(third)) == {early.id, late.id}
    # Closing the first session makes only the early member absent.
    assert attendance.close(first, now=first.ends_at + timedelta(hours=1)) == 1
    enrolment.leave(group, early.id, now=datetime(2027, 3, 20))
    db.session.commit()
    assert set(attendance.roster(schedule.event_of(group.sessions[3]))) == {late.id}


def test_teachers_and_assistants_mark_a_session_others_cannot(db, term, teacher):
    assistant, member, stranger = make_user(db, name="班长"), make_user(db), make_user(db, roles=("teacher",))
    group = services.save_class(None, term=term, name="太极班", teacher_ids=[teacher.id], assistant_ids=[assistant.id])
    session = schedule.add_session(group, day=date(2027, 3, 2), starts=time(9, 0), minutes=60)
    enrolment.enrol(group, member.id, now=datetime(2027, 2, 1))
    db.session.commit()
    event = schedule.event_of(session)
    assert attendance.mark(event, member.id, am.PRESENT, actor=assistant, now=event.starts_at).source == "assistant"
    assert attendance.mark(event, member.id, am.LATE, actor=teacher, now=event.starts_at).source == "teacher"
    for outsider in (stranger, member):
        with pytest.raises(ServiceError) as refused:
            attendance.mark(event, member.id, am.ABSENT, actor=outsider, now=event.starts_at)
        assert refused.value.status == 403


def test_qr_check_in_for_a_member_of_the_class(db, group):
    member, outsider = make_user(db), make_user(db)
    session = schedule.add_session(group, day=date(2027, 3, 2), starts=time(9, 0), minutes=60)
    enrolment.enrol(group, member.id, now=datetime(2027, 2, 1))
    db.session.commit()
    event = schedule.event_of(session)
    grant = checkin.scan(checkin.current_code(event, event.starts_at), now=event.starts_at)
    record, marked = checkin.check_in(grant, member, now=event.starts_at)
    assert marked and record.source == "self"
    with pytest.raises(ServiceError):
        checkin.check_in(grant, outsider, now=event.starts_at)


def test_courses_for_chosen_classes_are_seen_by_their_members_only(db, group, teacher):
    course = make_course(db, teachers=[teacher], status="published", visibility="classes", title="书法提高")
    member, other = make_user(db), make_user(db)
    group.course_id = course.id
    enrolment.enrol(group, member.id)
    db.session.commit()
    assert can_view_course(member, course) and not can_view_course(other, course)
    shown = lambda user: set(db.session.scalars(select(Course.id).where(visible_clause(user))))  # noqa: E731
    assert course.id in shown(member) and course.id not in shown(other)
    enrolment.leave(group, member.id)
    db.session.commit()
    assert not can_view_course(member, course) and course.id not in shown(member)


def test_a_class_teacher_sees_members_contact_details(db, group, teacher):
    member, other = make_user(db), make_user(db)
    enrolment.enrol(group, member.id)
    db.session.commit()
    assert can_view_contact(teacher, member) and not can_view_contact(teacher, other)


def test_copy_to_next_term_in_one_step(db, group, teacher):
    schedule.add_weekly(group, weekday=2, starts=time(9, 30), minutes=90)
    enrolment.enrol(group, make_user(db).id)
    autumn = services.save_term(None, name="2027年秋季学期", starts_on=date(2027, 9, 1), ends_on=date(2027, 9, 30))
    copy = schedule.copy_to_term(group, autumn)
    db.session.commit()
    assert (copy.name, copy.room, copy.capacity, copy.staff_ids()) == ("书法一班", "301", 2, {teacher.id})
    assert [s.starts_at.day for s in copy.sessions] == [1, 8, 15, 22, 29]  # Wednesdays of September 2027
    assert enrolment.members(copy) == []


def test_bad_class_input(db, term, teacher):
    for kwargs, code in (({"teacher_ids": []}, "teacher_required"), ({"capacity": 0}, "bad_capacity"),
                         ({"name": "  "}, "required")):
        values = {"term": term, "name": "班", "teacher_ids": [teacher.id]} | kwargs
        with pytest.raises(ServiceError) as refused:
            services.save_class(None, **values)
        assert refused.value.code == code
