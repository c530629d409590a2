"""请假 through the pages and the API, the roll call's mode and note (送学上门) with the history shown,
and a member's class page: coming sessions with their leave, own records with their changes."""
from __future__ import annotations

from datetime import timedelta

import pytest

from elearn.attendance import leave as engine, models as am, services as attendance
from elearn.classes import schedule
from elearn.core.timeutil import to_local, utcnow
from tests.classes.test_pages import live  # noqa: F401  (the fixture: a session under way, teacher, assistant, two members)
from tests.clients import bearer, csrf_token, sign_in
from tests.factories import make_lesson, make_user


@pytest.fixture
def later(db, live):  # noqa: F811
    """A session next week with a linked lesson, and one last week."""
    lesson = make_lesson(db, live.teacher, title="第二课：运笔")
    coming = to_local(utcnow() + timedelta(days=7))
    upcoming = schedule.add_session(live.group, day=coming.date(), starts=coming.time().replace(microsecond=0),
                                    minutes=90, lesson_id=lesson.id, mode="both")
    gone = to_local(utcnow() - timedelta(days=2))
    past = schedule.add_session(live.group, day=gone.date(), starts=gone.time().replace(microsecond=0), minutes=90)
    db.session.commit()
    return type("Later", (), dict(upcoming=upcoming, past=past, lesson=lesson))


def _client(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def _ask(client, session, **form):
    path = f"/classes/sessions/{session.id}/leave"
    return client.post(path, data={"csrf_token": csrf_token(client, path), **form})


def test_a_member_asks_the_teacher_approves_with_one_tap_on_the_roll(app, db, live, later):  # noqa: F811
    student = _client(app, live.members[0])
    page = student.get(f"/classes/{live.group.id}").get_data(as_text=True)
    assert f"/classes/sessions/{later.upcoming.id}/leave" in page and "第二课：运笔" in page
    answer = _ask(student, later.upcoming, reason="去医院复查")
    assert answer.status_code == 302
    assert "等老师答复" in student.get(f"/classes/{live.group.id}").get_data(as_text=True)
    # Asked twice: a clear refusal, nothing changed.
    again = _ask(student, later.upcoming, reason="再问")
    assert again.status_code == 409 and "已经请过这次课的假" in again.get_data(as_text=True)

    teacher = _client(app, live.teacher)
    class_page = teacher.get(f"/classes/{live.group.id}").get_data(as_text=True)
    assert "去医院复查" in class_page and "张三" in class_page
    request = engine.pending(schedule.event_of(later.upcoming))[0]
    path = f"/classes/leave/{request.id}/decide"
    done = teacher.post(path, data={"csrf_token": csrf_token(teacher, "/"), "decision": "approve", "back": "roll"})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/classes/sessions/{later.upcoming.id}/roll")
    record = attendance.records(schedule.event_of(later.upcoming))[live.members[0].id]
    assert (record.status, record.source) == (am.EXCUSED, am.BY_LEAVE)
    assert "假已准" in student.get(f"/classes/sessions/{later.upcoming.id}/leave").get_data(as_text=True)
    # The assistant takes roll but does not decide leave.
    assistant = _client(app, live.assistant)
    assert assistant.post(path, data={"csrf_token": csrf_token(assistant), "decision": "refuse"}).status_code == 403


def test_leave_for_a_past_session_or_a_class_one_is_not_in_is_refused(app, db, live, later):  # noqa: F811
    student = _client(app, live.members[0])
    over = _ask(student, later.past, reason="")
    assert over.status_code == 422 and "已经结束" in over.get_data(as_text=True)
    outsider = _client(app, make_user(db, name="外人", fast_hash=True))
    assert outsider.get(f"/classes/sessions/{later.upcoming.id}/leave").status_code == 403
    assert _ask(outsider, later.upcoming).status_code == 403
    assert db.session.query(am.LeaveRequest).count() == 0


def test_withdraw_while_pending_and_the_teacher_files_for_a_member_from_the_roll(app, db, live, later):  # noqa: F811
    student = _client(app, live.members[1])
    _ask(student, later.upcoming)
    request = engine.pending(schedule.event_of(later.upcoming))[0]
    path = f"/classes/leave/{request.id}/withdraw"
    other = _client(app, live.members[0])
    assert other.post(path, data={"csrf_token": csrf_token(other)}).status_code == 403
    assert student.post(path, data={"csrf_token": csrf_token(student)}).status_code == 303
    db.session.refresh(request)
    assert request.state == am.WITHDRAWN
    teacher = _client(app, live.teacher)
    roll = f"/classes/sessions/{live.session.id}/roll"
    assert "为张三记请假" in teacher.get(roll).get_data(as_text=True)
    answer = _ask(teacher, live.session, person=live.members[0].id, reason="住院", back="roll")
    assert answer.status_code == 302 and answer.headers["Location"].endswith(roll)
    record = attendance.records(live.event)[live.members[0].id]
    assert (record.status, record.source) == (am.EXCUSED, am.BY_LEAVE)
    assert _ask(teacher, live.session, person="x").status_code == 400


def test_mode_and_note_from_the_roll_form_and_the_history_shown(app, db, live):  # noqa: F811
    teacher = _client(app, live.assistant)
    path = f"/classes/sessions/{live.session.id}/roll"
    person = live.members[1].id
    token = csrf_token(teacher, path)
    teacher.post(path, data={"csrf_token": token, "person": person, "status": "present", "mode": "home_visit",
                             "note": "王老师上门"})
    teacher.post(path, data={"csrf_token": token, "person": person, "status": "late"})  # a tap keeps the mode
    record = attendance.records(live.event)[person]
    assert (record.status, record.mode, record.note) == ("late", "home_visit", "王老师上门")
    page = teacher.get(path).get_data(as_text=True)
    assert "<details" in page and "送学上门" in page and "王老师上门" in page and "出勤 (送学上门) → 迟到" in page
    assert teacher.post(path, data={"csrf_token": token, "person": person, "status": "late",
                                    "mode": "by_boat"}).status_code == 400
    # The member sees the same history on their class page, in the site's time.
    page = _client(app, live.members[1]).get(f"/classes/{live.group.id}").get_data(as_text=True)
    changes = attendance.history(live.event, person)
    assert "班长" in page and to_local(changes[0].made_at).strftime("%H:%M") in page


def test_the_leave_api(app, db, live, later):  # noqa: F811
    student, teacher = bearer(db, live.members[0]), bearer(db, live.teacher)
    client = app.test_client()
    url = f"/api/v1/class-sessions/{later.upcoming.id}/leave-requests"
    asked = client.post(url, json={"reason": "出差"}, headers=student)
    assert asked.status_code == 201 and asked.get_json()["state"] == "pending"
    again = client.post(url, json={}, headers=student)
    assert again.status_code == 409 and again.get_json()["code"] == "already_asked"
    over = client.post(f"/api/v1/class-sessions/{later.past.id}/leave-requests", json={}, headers=student)
    assert over.status_code == 422 and over.get_json()["code"] == "event_over"
    assert [r["reason"] for r in client.get(url, headers=teacher).get_json()["requests"]] == ["出差"]
    leave_id = asked.get_json()["id"]
    decision = f"/api/v1/leave-requests/{leave_id}/decision"
    assert client.post(decision, json={"approve": True}, headers=bearer(db, live.assistant)).status_code == 403
    assert client.delete(f"/api/v1/leave-requests/{leave_id}", headers=teacher).status_code == 403
    refused = client.post(decision, json={"approve": False}, headers=teacher)
    assert refused.status_code == 200 and refused.get_json()["state"] == "declined"
    assert client.get(f"/api/v1/leave-requests/{leave_id}", headers=student).get_json()["state"] == "declined"
    assert client.delete(f"/api/v1/leave-requests/{leave_id}", headers=student).status_code == 409
    outsider = bearer(db, make_user(db, name="外人"))
    assert client.post(url, json={}, headers=outsider).status_code == 403
    assert client.get(f"/api/v1/leave-requests/{leave_id}", headers=outsider).status_code == 403
    filed = client.post(url, json={"person": live.members[1].id}, headers=teacher)
    assert filed.status_code == 201 and filed.get_json()["state"] == "approved"
