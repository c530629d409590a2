"""The API of terms, classes, sessions and members: the office's writes, what members and teachers
read, refusals by role, and bad input answered 4xx with nothing written."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from elearn.classes import enrolment, schedule, services
from elearn.classes import models as m
from elearn.core.timeutil import to_local, utcnow
from tests.clients import bearer
from tests.factories import make_course, make_user


@pytest.fixture
def world(app, db):
    """A term of this month and the next, a class with a teacher, an assistant and one member, one session."""
    today = to_local(utcnow()).date()
    term = services.save_term(None, name="本学期", starts_on=today - timedelta(days=10), ends_on=today + timedelta(days=50))
    teacher = make_user(db, roles=("teacher",), name="王老师")
    assistant, member, outsider = (make_user(db, name=n) for n in ("班长", "学员甲", "路人"))
    admin = make_user(db, roles=("admin",), name="教务")
    group = services.save_class(None, term=term, name="书法一班", teacher_ids=[teacher.id],
                                assistant_ids=[assistant.id], room="301", capacity=2, self_enrol=True)
    session = schedule.add_session(group, day=today + timedelta(days=2), starts=to_local(utcnow()).time().replace(
        second=0, microsecond=0), minutes=90)
    enrolment.enrol(group, member.id)
    db.session.commit()
    people = {name: bearer(db, user) for name, user in (("teacher", teacher), ("assistant", assistant),
                                                        ("member", member), ("outsider", outsider), ("admin", admin))}
    return type("World", (), dict(term=term, group=group, session=session, today=today, teacher=teacher,
                                  assistant=assistant, member=member, outsider=outsider, admin=admin, auth=people))


def _call(app, method, path, auth=None, **kwargs):
    return getattr(app.test_client(), method)(path, headers=auth or {}, **kwargs)


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------- terms

def test_terms_are_read_by_anyone_signed_in_and_written_by_the_office(app, db, world):
    assert _call(app, "get", "/api/v1/terms").status_code == 401
    listed = _call(app, "get", "/api/v1/terms", world.auth["member"]).get_json()
    assert [t["name"] for t in listed] == ["本学期"]
    assert _call(app, "get", f"/api/v1/terms/{world.term.id}", world.auth["member"]).get_json()["ends_on"] == \
        (world.today + timedelta(days=50)).isoformat()
    body = {"name": "2027年春季", "starts_on": "2027-03-01", "ends_on": "2027-06-30"}
    assert _call(app, "post", "/api/v1/terms", world.auth["teacher"], json=body).status_code == 403
    made = _call(app, "post", "/api/v1/terms", world.auth["admin"], json=body)
    assert made.status_code == 201 and made.get_json()["required_rate"] == 0.8
    changed = _call(app, "patch", f"/api/v1/terms/{made.get_json()['id']}", world.auth["admin"],
                    json={"required_rate": 0.75, "name": " 2027年 春季 "})
    assert changed.status_code == 200 and changed.get_json()["name"] == "2027年 春季"
    assert changed.get_json()["required_rate"] == 0.75 and changed.get_json()["starts_on"] == "2027-03-01"


@pytest.mark.parametrize("body, status, code", [
    ({"name": "倒过来", "starts_on": "2027-06-30", "ends_on": "2027-03-01"}, 409, "ends_before_start"),
    ({"name": "太长", "starts_on": "2027-01-01", "ends_on": "2028-06-30"}, 409, "too_long"),
    ({"name": "本学期", "starts_on": "2027-01-01", "ends_on": "2027-06-30"}, 409, "duplicate"),
    ({"name": "坏日期", "starts_on": "2027-02-30", "ends_on": "2027-06-30"}, 422, None),
    ({"name": "比例", "starts_on": "2027-01-01", "ends_on": "2027-06-30", "required_rate": 1.5}, 422, None),
    ({"name": "\x07", "starts_on": "2027-01-01", "ends_on": "2027-06-30"}, 400, "bad_characters"),
])
def test_a_bad_term_is_refused_and_nothing_is_written(app, db, world, body, status, code):
    answer = _call(app, "post", "/api/v1/terms", world.auth["admin"], json=body)
    assert answer.status_code == status, answer.get_json()
    assert code is None or answer.get_json()["code"] == code
    assert _count(db, m.Term) == 1


def test_a_term_patch_keeps_its_dates_in_order(app, db, world):
    answer = _call(app, "patch", f"/api/v1/terms/{world.term.id}", world.auth["admin"],
                   json={"ends_on": (world.today - timedelta(days=30)).isoformat()})
    assert answer.status_code == 409 and answer.get_json()["code"] == "ends_before_start"
    assert _call(app, "patch", "/api/v1/terms/999999", world.auth["admin"], json={"name": "x"}).status_code == 404
    assert _call(app, "get", "/api/v1/terms/99999999999", world.auth["admin"]).status_code == 404


# ---------------------------------------------------------------- classes

def test_each_sees_their_own_classes_and_the_office_all(app, db, world):
    other = services.save_class(None, term=world.term, name="太极二班", teacher_ids=[world.teacher.id])
    services.save_class(None, term=world.term, name="合唱班", teacher_ids=[make_user(db, roles=("teacher",)).id])
    db.session.commit()
    def names(who, query=""):
        return [c["name"] for c in _call(app, "get", "/api/v1/classes" + query, world.auth[who]).get_json()]

    assert names("admin") == ["书法一班", "合唱班", "太极二班"]
    assert names("teacher") == ["书法一班", "太极二班"]
    assert names("assistant") == ["书法一班"] and names("member") == ["书法一班"] and names("outsider") == []
    assert names("admin", f"?term={world.term.id}") == ["书法一班", "合唱班", "太极二班"]
    assert _call(app, "get", "/api/v1/classes?term=999999", world.auth["admin"]).status_code == 404
    assert _call(app, "get", "/api/v1/classes?term=abc", world.auth["admin"]).status_code == 422
    mine = _call(app, "get", f"/api/v1/classes/{world.group.id}", world.auth["member"]).get_json()
    assert mine["my_role"] == "enrolled" and mine["enrolled"] == 1 and mine["teachers"] == [
        {"id": world.teacher.id, "name": "王老师"}] and mine["term"]["name"] == "本学期"
    assert _call(app, "get", f"/api/v1/classes/{other.id}", world.auth["teacher"]).get_json()["my_role"] == "teacher"
    assert _call(app, "get", f"/api/v1/classes/{world.group.id}", world.auth["outsider"]).status_code == 403
    assert _call(app, "get", "/api/v1/classes/424242", world.auth["admin"]).status_code == 404


def test_the_office_creates_and_changes_a_class(app, db, world):
    course = make_course(db, teachers=[world.teacher])
    db.session.commit()
    body = {"term_id": world.term.id, "name": "国画班", "teacher_ids": [world.teacher.id], "course_id": course.id,
            "capacity": 20, "room": "205", "late_after_minutes": None}
    assert _call(app, "post", "/api/v1/classes", world.auth["teacher"], json=body).status_code == 403
    made = _call(app, "post", "/api/v1/classes", world.auth["admin"], json=body)
    assert made.status_code == 201, made.get_json()
    group = made.get_json()
    assert (group["course_id"], group["capacity"], group["late_after_minutes"], group["opens_before_minutes"]) == \
        (course.id, 20, None, 15)
    path = f"/api/v1/classes/{group['id']}"
    assert _call(app, "patch", path, world.auth["teacher"], json={"room": "206"}).status_code == 403
    changed = _call(app, "patch", path, world.auth["admin"], json={"room": "206", "assistant_ids": [world.member.id]})
    assert changed.status_code == 200
    got = changed.get_json()
    assert got["room"] == "206" and got["capacity"] == 20 and got["course_id"] == course.id
    assert got["assistants"] == [{"id": world.member.id, "name": "学员甲"}] and got["name"] == "国画班"


@pytest.mark.parametrize("change, status, code", [
    ({"name": "书法一班"}, 409, "duplicate"),
    ({"teacher_ids": "MEMBER"}, 409, "not_a_teacher"),
    ({"assistant_ids": [999999]}, 404, "person_not_found"),
    ({"course_id": 999999}, 404, "course_not_found"),
    ({"term_id": 999999}, 404, "term_not_found"),
    ({"teacher_ids": []}, 422, None),
    ({"capacity": 0}, 422, None),
    ({"opens_before_minutes": 9999}, 422, None),
    ({"capacity": "20"}, 422, None),
])
def test_a_bad_class_is_refused_and_nothing_is_written(app, db, world, change, status, code):
    if change.get("teacher_ids") == "MEMBER":
        change = {"teacher_ids": [world.member.id]}
    body = {"term_id": world.term.id, "name": "新班", "teacher_ids": [world.teacher.id], **change}
    answer = _call(app, "post", "/api/v1/classes", world.auth["admin"], json=body)
    assert answer.status_code == status, answer.get_json()
    assert code is None or answer.get_json()["code"] == code
    assert _count(db, m.ClassGroup) == 1
    services.save_class(None, term=world.term, name="太极二班", teacher_ids=[world.teacher.id])
    db.session.commit()
    patched = _call(app, "patch", f"/api/v1/classes/{world.group.id}", world.auth["admin"],
                    json={"name": "太极二班"} if code == "duplicate" else change)
    assert patched.status_code == status and (code is None or patched.get_json()["code"] == code)
    db.session.expire_all()
    group = services.get_class(world.group.id)
    assert (group.name, group.staff_ids(), group.capacity) == ("书法一班", {world.teacher.id, world.assistant.id}, 2)


def test_a_class_is_copied_to_the_next_term(app, db, world):
    schedule.add_weekly(world.group, weekday=2, starts=to_local(utcnow()).time().replace(second=0, microsecond=0),
                        minutes=60)
    later = services.save_term(None, name="下学期", starts_on=world.today + timedelta(days=100),
                               ends_on=world.today + timedelta(days=130))
    db.session.commit()
    path = f"/api/v1/classes/{world.group.id}/copy"
    assert _call(app, "post", path, world.auth["teacher"], json={"term_id": later.id}).status_code == 403
    assert _call(app, "post", path, world.auth["admin"], json={"term_id": 999999}).status_code == 404
    assert _call(app, "post", path, world.auth["admin"], json={}).status_code == 422
    copied = _call(app, "post", path, world.auth["admin"], json={"term_id": later.id})
    assert copied.status_code == 201 and copied.get_json()["term"]["name"] == "下学期"
    assert copied.get_json()["enrolled"] == 0 and copied.get_json()["assistants"][0]["name"] == "班长"
    assert len(schedule.sessions_between(services.get_class(copied.get_json()["id"]), utcnow(),
                                         utcnow() + timedelta(days=200))) >= 4
    again = _call(app, "post", path, world.auth["admin"], json={"term_id": later.id})
    assert again.status_code == 409 and again.get_json()["code"] == "duplicate"


# ---------------------------------------------------------------- sessions

def test_sessions_are_listed_between_days(app, db, world):
    path = f"/api/v1/classes/{world.group.id}/sessions"
    listed = _call(app, "get", path, world.auth["member"]).get_json()
    assert [s["id"] for s in listed] == [world.session.id] and listed[0]["starts_at"].endswith("Z")
    day = (world.today + timedelta(days=2)).isoformat()
    assert len(_call(app, "get", f"{path}?from={day}&until={day}", world.auth["member"]).get_json()) == 1
    assert _call(app, "get", f"{path}?until={world.today.isoformat()}", world.auth["member"]).get_json() == []
    assert _call(app, "get", f"{path}?from=0001-01-01&until=9999-12-31", world.auth["member"]).status_code == 200
    assert _call(app, "get", f"{path}?from=tomorrow", world.auth["member"]).status_code == 422
    assert _call(app, "get", path, world.auth["outsider"]).status_code == 403


def test_the_office_adds_moves_and_cancels_a_session(app, db, world):
    path = f"/api/v1/classes/{world.group.id}/sessions"
    day = (world.today + timedelta(days=5)).isoformat()
    body = {"day": day, "starts": "09:30", "minutes": 60, "topic": "临帖"}
    assert _call(app, "post", path, world.auth["teacher"], json=body).status_code == 403
    made = _call(app, "post", path, world.auth["admin"], json=body)
    assert made.status_code == 201 and made.get_json()["room"] == "301" and made.get_json()["topic"] == "临帖"
    sid = made.get_json()["id"]
    assert _call(app, "post", f"/api/v1/class-sessions/{sid}/move", world.auth["assistant"],
                 json={"day": day, "starts": "10:00"}).status_code == 403
    moved = _call(app, "post", f"/api/v1/class-sessions/{sid}/move", world.auth["admin"],
                  json={"day": day, "starts": "10:00:00", "room": "302"})
    assert moved.status_code == 200 and moved.get_json()["moved_from"] == made.get_json()["starts_at"]
    assert moved.get_json()["room"] == "302" and to_local(schedule.get_session(sid).starts_at).hour == 10
    assert _call(app, "post", f"/api/v1/class-sessions/{sid}/cancel", world.auth["teacher"]).status_code == 403
    for _ in range(2):
        cancelled = _call(app, "post", f"/api/v1/class-sessions/{sid}/cancel", world.auth["admin"])
        assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    again = _call(app, "post", f"/api/v1/class-sessions/{sid}/move", world.auth["admin"], json={"day": day, "starts": "11:00"})
    assert again.status_code == 409 and again.get_json()["code"] == "cancelled"


@pytest.mark.parametrize("change, status, code", [
    ({"day": "2001-01-01"}, 409, "outside_term"),
    ({"starts": "25:00"}, 422, None),
    ({"minutes": 5}, 422, None),
    ({"mode": "tv"}, 422, None),
    ({"lesson_id": 999999}, 404, "lesson_not_found"),
    ({"lesson_id": "OTHER"}, 409, "other_course"),
    ({"room": "ROOM_TAKEN"}, 409, "room_taken"),
])
def test_a_bad_session_is_refused_and_nothing_is_written(app, db, world, change, status, code):
    if change.get("lesson_id") == "OTHER":
        change = {"lesson_id": make_course(db).lessons[0].id}
        db.session.commit()
    body = {"day": (world.today + timedelta(days=2)).isoformat(), "starts": "03:00", "minutes": 60, **change}
    if change.get("room") == "ROOM_TAKEN":
        local = to_local(world.session.starts_at)
        body.update(room="301", starts=local.strftime("%H:%M"))
    answer = _call(app, "post", f"/api/v1/classes/{world.group.id}/sessions", world.auth["admin"], json=body)
    assert answer.status_code == status, answer.get_json()
    assert code is None or answer.get_json()["code"] == code
    assert _count(db, m.ClassSession) == 1


# ---------------------------------------------------------------- members

def test_members_and_the_waiting_list(app, db, world):
    path = f"/api/v1/classes/{world.group.id}/members"
    second, third = make_user(db, name="学员乙", mobile="13700001234"), make_user(db, name="学员丙")
    db.session.commit()
    assert _call(app, "post", path, world.auth["teacher"], json={"user_id": second.id}).status_code == 403
    by_mobile = _call(app, "post", path, world.auth["admin"], json={"mobile": "137 0000 1234"})
    assert by_mobile.status_code == 200 and by_mobile.get_json()["state"] == "enrolled"
    waiting = _call(app, "post", path, world.auth["admin"], json={"user_id": third.id})
    assert waiting.get_json()["state"] == "waiting" and waiting.get_json()["waiting_since"].endswith("Z")
    listed = _call(app, "get", path, world.auth["assistant"]).get_json()
    assert [r["person"]["name"] for r in listed["members"]] == ["学员甲", "学员乙"]
    assert [r["person"]["name"] for r in listed["waiting"]] == ["学员丙"]
    assert _call(app, "get", path, world.auth["member"]).status_code == 403
    assert _call(app, "delete", f"{path}/{second.id}", world.auth["teacher"]).status_code == 403
    assert _call(app, "delete", f"{path}/{second.id}", world.auth["admin"]).status_code == 204
    assert _call(app, "delete", f"{path}/{second.id}", world.auth["admin"]).status_code == 409
    listed = _call(app, "get", path, world.auth["teacher"]).get_json()
    assert [r["person"]["name"] for r in listed["members"]] == ["学员甲", "学员丙"] and listed["waiting"] == []


@pytest.mark.parametrize("body, status", [
    ({"user_id": 999999}, 404), ({"mobile": "13012345678"}, 404), ({}, 422), ({"user_id": 1, "mobile": "1"}, 422),
    ({"user_id": 0}, 422), ({"user_id": "1"}, 422),
])
def test_enrolling_nobody_is_refused(app, db, world, body, status):
    answer = _call(app, "post", f"/api/v1/classes/{world.group.id}/members", world.auth["admin"], json=body)
    assert answer.status_code == status, answer.get_json()
    assert _count(db, m.Enrolment) == 1


def test_joining_and_leaving_by_oneself(app, db, world):
    path = f"/api/v1/classes/{world.group.id}"
    joined = _call(app, "post", path + "/join", world.auth["outsider"])
    assert joined.status_code == 200 and joined.get_json()["state"] == "enrolled"
    late = make_user(db, name="晚到")
    db.session.commit()
    assert _call(app, "post", path + "/join", bearer(db, late)).get_json()["state"] == "waiting"
    assert _call(app, "post", path + "/leave", world.auth["outsider"]).status_code == 204
    assert _call(app, "post", path + "/leave", world.auth["outsider"]).status_code == 403
    assert enrolment.enrolment_of(world.group, late.id).state == "enrolled"  # moved up
    assert _call(app, "post", path + "/join").status_code == 401
    world.group.self_enrol = False
    db.session.commit()
    assert _call(app, "post", path + "/join", world.auth["outsider"]).status_code == 403
    assert _call(app, "post", "/api/v1/classes/999999/join", world.auth["outsider"]).status_code == 404
