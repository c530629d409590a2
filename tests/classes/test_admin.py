"""The office's pages: a term, a class with its weekly schedule, members by mobile number, copying."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from elearn.classes import models as m
from tests.clients import csrf_token, sign_in
from tests.factories import make_user


def _admin(app, db):
    client = app.test_client()
    sign_in(client, make_user(db, roles=("admin",)))
    return client


def test_only_the_office_manages_classes(app, db):
    for roles in (("teacher",), ("student",)):
        client = app.test_client()
        sign_in(client, make_user(db, roles=roles))
        assert client.get("/admin/classes").status_code == 403
        assert client.get("/admin/classes/new").status_code == 403


def test_a_term_a_class_a_week_and_members_through_the_forms(app, db):
    client = _admin(app, db)
    teacher = make_user(db, roles=("teacher",), name="王老师")
    monitor = make_user(db, name="班长", mobile="13900001111")
    student = make_user(db, name="学员甲", mobile="13900002222")
    token = csrf_token(client, "/admin/classes")
    answer = client.post("/admin/classes", data={"csrf_token": token, "name": "2027年春季学期", "starts_on": "2027-03-01",
                                                 "ends_on": "2027-03-31", "required_rate": "80"})
    assert answer.status_code == 302
    term = db.session.scalar(select(m.Term))
    answer = client.post("/admin/classes/new", data={
        "csrf_token": token, "term": term.id, "name": "书法一班", "course": "0", "teachers": [teacher.id],
        "assistants": "139 0000 1111", "room": "301", "capacity": "30", "opens_before_minutes": "15",
        "closes_after_minutes": "15", "late_after_minutes": "10", "makeup_days": "7", "absent_when_unmarked": "y"})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:2000]
    group = db.session.scalar(select(m.ClassGroup))
    assert group.staff_ids(m.ASSISTANT) == {monitor.id} and group.staff_ids(m.TEACHER) == {teacher.id}
    page = f"/admin/classes/{group.id}"
    client.post(page + "/weekly", data={"csrf_token": token, "weekly-weekday": "0", "weekly-starts": "09:00",
                                        "weekly-minutes": "90", "weekly-mode": "on_site",
                                        "weekly-skip_dates": "2027-03-15"})
    assert len(group.sessions) == 4
    client.post(page + "/members", data={"csrf_token": token, "login": "13900002222"})
    assert "学员甲" in client.get(page).get_data(as_text=True)
    client.post(page + f"/members/{student.id}/remove", data={"csrf_token": token})
    assert db.session.scalar(select(m.Enrolment)).state == m.LEFT


def test_bad_input_gets_a_message_and_writes_nothing(app, db):
    client = _admin(app, db)
    token = csrf_token(client, "/admin/classes")
    answer = client.post("/admin/classes", data={"csrf_token": token, "name": "坏学期", "starts_on": "2027-09-01",
                                                 "ends_on": "2027-08-01", "required_rate": "80"}, follow_redirects=True)
    assert answer.status_code == 422 and "结束日期不能早于开始日期" in answer.get_data(as_text=True)
    assert db.session.scalar(select(m.Term)) is None
    term_answer = client.post("/admin/classes", data={"csrf_token": token, "name": "秋季", "starts_on": "2027-09-01",
                                                      "ends_on": "2027-12-31", "required_rate": "80"})
    assert term_answer.status_code == 302
    term = db.session.scalar(select(m.Term))
    answer = client.post("/admin/classes/new", data={"csrf_token": token, "term": term.id, "name": "班", "course": "0",
                                                     "assistants": "13800000000", "opens_before_minutes": "15",
                                                     "closes_after_minutes": "15", "makeup_days": "7"})
    assert answer.status_code != 500 and db.session.scalar(select(m.ClassGroup)) is None
    assert client.get("/admin/classes/2147483648").status_code == 404


def test_copy_a_class_to_the_next_term(app, db):
    client = _admin(app, db)
    teacher = make_user(db, roles=("teacher",))
    token = csrf_token(client, "/admin/classes")
    for name, first, last in (("春", "2027-03-01", "2027-03-31"), ("秋", "2027-09-01", "2027-09-30")):
        client.post("/admin/classes", data={"csrf_token": token, "name": name, "starts_on": first, "ends_on": last,
                                            "required_rate": "80"})
    spring, autumn = db.session.scalars(select(m.Term).order_by(m.Term.starts_on)).all()
    client.post("/admin/classes/new", data={"csrf_token": token, "term": spring.id, "name": "太极班", "course": "0",
                                            "teachers": [teacher.id], "opens_before_minutes": "15",
                                            "closes_after_minutes": "15", "makeup_days": "7"})
    group = db.session.scalar(select(m.ClassGroup))
    client.post(f"/admin/classes/{group.id}/weekly", data={"csrf_token": token, "weekly-weekday": "2",
                                                          "weekly-starts": "14:00", "weekly-minutes": "60",
                                                          "weekly-mode": "both", "weekly-skip_dates": ""})
    answer = client.post(f"/admin/classes/{group.id}/copy", data={"csrf_token": token, "term": autumn.id})
    assert answer.status_code == 302
    copy = db.session.scalar(select(m.ClassGroup).filter_by(term_id=autumn.id))
    assert copy.name == "太极班" and [s.starts_at.date() for s in copy.sessions][0] == date(2027, 9, 1)
