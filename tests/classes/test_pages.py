"""The pages and API of a class session: roll call (form and batch API), the check-in screen, and a
QR check-in from scan to sign-in to confirmation; the home page's 下次上课."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from elearn.attendance import checkin, services as attendance
from elearn.classes import enrolment, schedule, services
from elearn.core.timeutil import to_local, utcnow
from tests.clients import bearer, csrf_token, login, sign_in
from tests.factories import make_user


@pytest.fixture
def live(db):
    """A class whose session started five minutes ago (check-in open), a teacher, an assistant, two members."""
    today = to_local(utcnow()).date()
    term = services.save_term(None, name="本学期", starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=60))
    teacher = make_user(db, roles=("teacher",), name="李老师", fast_hash=True)
    assistant = make_user(db, name="班长", fast_hash=True)
    group = services.save_class(None, term=term, name="书法一班", teacher_ids=[teacher.id], assistant_ids=[assistant.id],
                                room="301")
    start = to_local(utcnow() - timedelta(minutes=5))
    session = schedule.add_session(group, day=start.date(), starts=start.time().replace(microsecond=0), minutes=90)
    members = [make_user(db, name=n, fast_hash=True) for n in ("张三", "李四")]
    for person in members:
        enrolment.enrol(group, person.id, now=utcnow() - timedelta(days=10))
    db.session.commit()
    return type("Live", (), dict(teacher=teacher, assistant=assistant, group=group, session=session, members=members,
                                 event=schedule.event_of(session)))


def _statuses(live):
    return {uid: r.status for uid, r in attendance.records(live.event).items()}


def test_roll_call_page_for_staff_only(app, live):
    for user, status in ((live.teacher, 200), (live.assistant, 200), (live.members[0], 403)):
        client = app.test_client()
        sign_in(client, user)
        assert client.get(f"/classes/sessions/{live.session.id}/roll").status_code == status
    assert app.test_client().get(f"/classes/sessions/{live.session.id}/roll").status_code == 302  # to sign in


def test_a_tap_without_javascript_marks_and_everyone_else_present(app, db, live):
    client = app.test_client()
    sign_in(client, live.assistant)
    path = f"/classes/sessions/{live.session.id}/roll"
    page = client.get(path).get_data(as_text=True)
    assert "张三" in page and "李四" in page
    token = csrf_token(client, path)
    answer = client.post(path, data={"csrf_token": token, "person": live.members[0].id, "status": "late"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"#person-{live.members[0].id}")
    client.post(path + "/everyone", data={"csrf_token": token})
    assert _statuses(live) == {live.members[0].id: "late", live.members[1].id: "present"}
    assert client.post(path, data={"csrf_token": token, "person": "x", "status": "late"}).status_code == 400


def test_batch_marks_from_an_offline_tablet(app, db, live):
    headers = bearer(db, live.teacher)
    url = f"/api/v1/class-sessions/{live.session.id}/attendance"
    now = datetime.now(timezone.utc)
    a, b = (p.id for p in live.members)
    marks = [{"person": a, "status": "present", "made_at": (now - timedelta(minutes=4)).isoformat(), "ref": "t1:1"},
             {"person": a, "status": "late", "made_at": (now - timedelta(minutes=3)).isoformat(), "ref": "t1:2"},
             {"person": b, "status": "absent", "made_at": (now - timedelta(minutes=2)).isoformat(), "ref": "t1:3"}]
    answer = client_post(app, url, headers, {"marks": marks})
    assert answer.status_code == 200, answer.get_json()
    rows = {row["person"]: row for row in answer.get_json()["rows"]}
    assert rows[a]["status"] == "late" and rows[b]["status"] == "absent"
    assert rows[a]["marked_at"].endswith("Z")
    # The connection dropped before the answer arrived: the same batch again changes nothing.
    assert client_post(app, url, headers, {"marks": marks}).status_code == 200
    assert len(attendance.history(live.event, a)) == 2
    # An earlier mark from another device, arriving late, stays in the history only.
    late_arrival = [{"person": b, "status": "present", "made_at": (now - timedelta(minutes=10)).isoformat(), "ref": "t2:1"}]
    client_post(app, url, headers, {"marks": late_arrival})
    assert _statuses(live)[b] == "absent"
    assert [c.applied for c in attendance.history(live.event, b)] == [True, False]


def test_a_batch_with_one_bad_mark_writes_nothing(app, db, live):
    headers = bearer(db, live.teacher)
    stranger = make_user(db)
    url = f"/api/v1/class-sessions/{live.session.id}/attendance"
    marks = [{"person": live.members[0].id, "status": "present"}, {"person": stranger.id, "status": "present"}]
    answer = client_post(app, url, headers, {"marks": marks})
    assert answer.status_code == 409 and answer.get_json()["code"] == "not_expected"
    assert _statuses(live) == {}
    too_long = [{"person": live.members[0].id, "status": "present", "note": "字" * 501}]
    assert client_post(app, url, headers, {"marks": too_long}).status_code == 422
    assert _statuses(live) == {}


def test_another_teachers_session_cannot_be_marked(app, db, live):
    other = make_user(db, roles=("teacher",))
    answer = client_post(app, f"/api/v1/class-sessions/{live.session.id}/attendance", bearer(db, other),
                         {"marks": [{"person": live.members[0].id, "status": "absent"}]})
    assert answer.status_code == 403 and _statuses(live) == {}


def client_post(app, url, headers, body):
    return app.test_client().post(url, json=body, headers=headers)


def test_check_in_screen_and_its_qr_code(app, db, live):
    client = app.test_client()
    sign_in(client, live.teacher)
    page = client.get(f"/classes/sessions/{live.session.id}/screen")
    assert page.status_code == 200 and "qr.svg" in page.get_data(as_text=True)
    image = client.get(f"/classes/sessions/{live.session.id}/qr.svg")
    assert image.mimetype == "image/svg+xml" and b"<svg" in image.data[:200]
    code = client.get(f"/api/v1/class-sessions/{live.session.id}/checkin-code").get_json()
    assert code["expected"] == 2 and code["url"].endswith("/checkin/" + code["code"])
    student = app.test_client()
    sign_in(student, live.members[0])
    assert student.get(f"/classes/sessions/{live.session.id}/qr.svg").status_code == 403


def test_scan_then_sign_in_then_check_in(app, db, live):
    phone = app.test_client()  # WeChat's browser: not signed in here
    code = checkin.current_code(live.event)
    scanned = phone.get(f"/checkin/{code}")
    assert scanned.status_code == 302
    confirm = scanned.headers["Location"]
    answer = phone.get(confirm)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    login(phone, live.members[1], password="correct-horse-7")
    page = phone.get(confirm)
    assert page.status_code == 200 and "书法一班" in page.get_data(as_text=True)
    done = phone.post(confirm, data={"csrf_token": csrf_token(phone, confirm)})
    assert done.status_code == 200 and _statuses(live) == {live.members[1].id: "present"}
    again = phone.post(confirm, data={"csrf_token": csrf_token(phone, confirm)})
    assert again.status_code == 200 and len(attendance.history(live.event, live.members[1].id)) == 1
    teacher = app.test_client()
    sign_in(teacher, live.teacher)
    assert teacher.get(f"/api/v1/class-sessions/{live.session.id}/checkin-code").get_json()["checked_in"] == ["李四"]


def test_an_old_or_forged_code_gets_a_plain_page(app, db, live):
    old = checkin.current_code(live.event, utcnow() - timedelta(minutes=2))
    for code in (old, "1-2-3", "x" * 500, "%00"):
        answer = app.test_client().get(f"/checkin/{code}")
        assert answer.status_code == 404
        assert "扫" in answer.get_data(as_text=True)
    assert app.test_client().get("/checkin/go/forged").status_code == 302  # to sign in first


def test_check_in_through_the_api(app, db, live):
    code = checkin.current_code(live.event)
    answer = app.test_client().post("/api/v1/checkins", json={"code": code}, headers=bearer(db, live.members[0]))
    assert answer.status_code == 200 and answer.get_json() == {"session": live.session.id, "status": "present",
                                                               "marked": True}
    outsider = app.test_client().post("/api/v1/checkins", json={"code": code}, headers=bearer(db, make_user(db)))
    assert outsider.status_code == 403


def test_home_page_shows_the_next_class(app, db, live):
    client = app.test_client()
    sign_in(client, live.members[0])
    page = client.get("/").get_data(as_text=True)
    assert "书法一班" in page and re.search(r"下次上课", page)
    mine = client.get("/classes").get_data(as_text=True)
    assert "书法一班" in mine
