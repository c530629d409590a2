"""An activity's attendance through the pages: the officers' roll call (taps, 全部出勤, "more", the queue
rollcall.js sends), the QR screen and the one /checkin flow for a branch activity (only the roster,
only inside the window, an old code 404, a second scan no second record), 请假 (ask, approve or refuse,
take back), refusals in time (not held yet, more than a year back) and 缺勤 at the end of the window."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from elearn.core.permissions import SYSTEM
from elearn.attendance import checkin, models as am, services as attendance
from elearn.branches import activities, models as m, services
from elearn.core.errors import ServiceError
from elearn.core.timeutil import utcnow
from tests.clients import csrf_token, login, sign_in
from tests.factories import make_user


class World:
    pass


@pytest.fixture
def live(db):
    """A branch (secretary 王书记, members 张党员 and 赵党员) with an activity under way now and one next
    week; 钱同学 is a classmate, not in the branch."""
    w = World()
    w.secretary = make_user(db, roles=["teacher"], name="王书记", fast_hash=True)
    w.member = make_user(db, name="张党员", fast_hash=True)
    w.other = make_user(db, name="赵党员", fast_hash=True)
    w.classmate = make_user(db, name="钱同学", fast_hash=True)
    w.branch = services.save_branch(None, name="书法一班党支部")
    joined = utcnow() - timedelta(days=60)
    services.add_member(w.branch, w.secretary, officer_role=m.SECRETARY, now=joined, actor=SYSTEM)
    services.add_member(w.branch, w.member, now=joined, actor=SYSTEM)
    services.add_member(w.branch, w.other, now=joined, actor=SYSTEM)
    now = utcnow()
    w.activity = activities.create_activity(w.branch, kind=m.THEME_DAY, topic="重温入党誓词", place="301教室",
                                            starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=1),
                                            actor=w.secretary)
    w.coming = activities.create_activity(w.branch, kind=m.LECTURE, topic="学习党章",
                                          starts_at=now + timedelta(days=7),
                                          ends_at=now + timedelta(days=7, hours=1), actor=w.secretary)
    db.session.commit()
    w.event, w.coming_event = activities.event_of(w.activity), activities.event_of(w.coming)
    return w


def as_(app, person):
    return sign_in(app.test_client(), person)


def statuses(event) -> dict[int, str]:
    return {person: record.status for person, record in attendance.records(event).items()}


def post(client, url, path, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, path), **data})


def test_only_officers_open_the_roll_and_the_screen(app, db, live):
    base = f"/branches/activities/{live.activity.id}"
    for person in (live.member, live.classmate):
        client = as_(app, person)
        for path in ("/roll", "/screen", "/screen.json", "/qr.svg"):
            assert client.get(base + path).status_code == 403, (person.name, path)
        token = csrf_token(client, "/")
        assert client.post(base + "/roll", data={"csrf_token": token, "person": live.member.id,
                                                 "status": "present"}).status_code == 403
        assert client.post(base + "/roll/marks", json={"marks": [{"person": live.member.id, "status": "present"}]},
                           headers={"X-CSRFToken": token}).status_code == 403
    assert statuses(live.event) == {}
    officer = as_(app, live.secretary)
    page = officer.get(base + "/roll").get_data(as_text=True)
    assert "张党员" in page and "赵党员" in page and "钱同学" not in page
    screen = officer.get(base + "/screen")
    assert screen.status_code == 200 and "qr.svg" in screen.get_data(as_text=True)
    assert b"<svg" in officer.get(base + "/qr.svg").data[:200]
    shown = officer.get(base + "/screen.json").get_json()
    assert shown["expected"] == 3 and shown["url"].endswith("/checkin/" + shown["code"])
    activity_page = officer.get(base).get_data(as_text=True)
    assert base + "/roll" in activity_page and base + "/screen" in activity_page
    member_page = as_(app, live.member).get(base).get_data(as_text=True)
    assert base + "/roll" not in member_page and base + "/leave" in member_page


def test_an_officer_taps_marks_everyone_else_and_keeps_the_history(app, db, live):
    officer, path = as_(app, live.secretary), f"/branches/activities/{live.activity.id}/roll"
    tapped = post(officer, path, path, person=live.member.id, status="late")
    assert tapped.status_code == 302 and tapped.headers["Location"].endswith(f"#person-{live.member.id}")
    more = post(officer, path, path, person=live.member.id, status="present", mode="home_visit", note="李委员上门")
    assert more.status_code == 302
    everyone = post(officer, path + "/everyone", path)
    assert everyone.status_code == 302
    assert statuses(live.event) == {live.member.id: "present", live.other.id: "present",
                                    live.secretary.id: "present"}
    record = attendance.record_for(live.event, live.member.id, lock=False)
    assert (record.mode, record.note, record.source) == (am.HOME_VISIT, "李委员上门", am.BY_OFFICER)
    page = officer.get(path).get_data(as_text=True)
    assert "李委员上门" in page and page.count('class="history"') == 3
    assert post(officer, path, path, person=live.member.id, status="nonsense").status_code == 400
    assert post(officer, path, path, person=live.classmate.id, status="present").status_code == 302
    assert live.classmate.id not in statuses(live.event)  # not on the roster: refused, nothing written


def test_the_queued_marks_are_applied_all_or_none(app, db, live):
    officer = as_(app, live.secretary)
    url = f"/branches/activities/{live.activity.id}/roll/marks"
    headers = {"X-CSRFToken": csrf_token(officer, "/"), "Accept": "application/json"}
    made = (utcnow() - timedelta(minutes=1)).isoformat() + "Z"
    good = [{"person": live.member.id, "status": "late", "made_at": made, "ref": "m1"}]
    answer = officer.post(url, json={"marks": good}, headers=headers)
    assert answer.status_code == 200 and statuses(live.event) == {live.member.id: "late"}
    assert officer.post(url, json={"marks": good}, headers=headers).status_code == 200
    assert len(attendance.history(live.event, live.member.id)) == 1  # the same ref counts once
    mixed = [{"person": live.other.id, "status": "present"}, {"person": live.classmate.id, "status": "present"}]
    refused = officer.post(url, json={"marks": mixed}, headers=headers)
    assert refused.status_code == 409 and refused.get_json()["code"] == "not_expected"
    assert live.other.id not in statuses(live.event)
    bad = officer.post(url, json={"marks": [{"person": live.other.id, "status": "asleep"}]}, headers=headers)
    assert bad.status_code == 422 and bad.get_json()["code"] == "invalid"
    assert officer.post(url, data="not json", headers=headers).status_code == 422


def test_an_activity_still_to_come_or_more_than_a_year_back_is_not_marked(app, db, live):
    officer, path = as_(app, live.secretary), f"/branches/activities/{live.coming.id}/roll"
    page = post(officer, path, path, person=live.member.id, status="present")
    assert page.status_code == 302
    shown = officer.get(path).get_data(as_text=True)
    assert "还没有开始" in shown
    post(officer, path + "/everyone", path)
    assert statuses(live.coming_event) == {}
    with pytest.raises(ServiceError) as refused:
        attendance.mark(live.event, live.member.id, am.PRESENT, actor=live.secretary,
                        now=live.event.starts_at + timedelta(days=367))
    assert refused.value.code == "too_old"
    # The engine's own marks are not an officer's roll: leave for a coming activity still marks 请假.
    ask = attendance.mark(live.coming_event, live.member.id, am.EXCUSED, actor=live.member, source=am.BY_LEAVE)
    assert ask.status == am.EXCUSED


def test_a_member_scans_the_activity_code_after_signing_in(app, db, live):
    phone = app.test_client()  # WeChat's browser: not signed in here
    scanned = phone.get(f"/checkin/{checkin.current_code(live.event)}")
    assert scanned.status_code == 302
    confirm = scanned.headers["Location"]
    answer = phone.get(confirm)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    login(phone, live.member)
    page = phone.get(confirm).get_data(as_text=True)
    assert "重温入党誓词" in page and "301教室" in page
    done = phone.post(confirm, data={"csrf_token": csrf_token(phone, confirm)})
    assert done.status_code == 200 and "重温入党誓词" in done.get_data(as_text=True)
    assert statuses(live.event) == {live.member.id: "present"}
    again = phone.post(confirm, data={"csrf_token": csrf_token(phone, confirm)})
    assert again.status_code == 200 and len(attendance.history(live.event, live.member.id)) == 1
    shown = as_(app, live.secretary).get(f"/branches/activities/{live.activity.id}/screen.json").get_json()
    assert shown["checked_in"] == ["张党员"]


def test_a_classmate_outside_the_branch_an_old_code_and_a_code_out_of_time_are_refused(app, db, live):
    classmate = app.test_client()
    login(classmate, live.classmate)
    confirm = classmate.get(f"/checkin/{checkin.current_code(live.event)}").headers["Location"]
    refused = classmate.post(confirm, data={"csrf_token": csrf_token(classmate, confirm)})
    assert refused.status_code == 403 and statuses(live.event) == {}
    assert "不在这次活动的应到名单上" in refused.get_data(as_text=True)
    old = checkin.current_code(live.event, utcnow() - timedelta(minutes=2))
    assert app.test_client().get(f"/checkin/{old}").status_code == 404
    early = app.test_client().get(f"/checkin/{checkin.current_code(live.coming_event)}")
    assert early.status_code == 409 and statuses(live.coming_event) == {}
    assert "活动开始前" in early.get_data(as_text=True)


def test_leave_is_asked_answered_with_one_tap_and_taken_back(app, db, live):
    path = f"/branches/activities/{live.coming.id}/leave"
    member = as_(app, live.member)
    assert member.get(path).status_code == 200
    asked = post(member, path, path, reason="住院复查")
    assert asked.status_code == 302
    assert "等支部委员答复" in member.get(f"/branches/activities/{live.coming.id}").get_data(as_text=True)
    again = post(member, path, path, reason="住院复查")
    assert again.status_code == 409 and "支部委员还没有答复" in again.get_data(as_text=True)
    officer, roll = as_(app, live.secretary), f"/branches/activities/{live.coming.id}/roll"
    page = officer.get(roll).get_data(as_text=True)
    assert "住院复查" in page
    request_id = db.session.scalar(select(am.LeaveRequest.id).filter_by(user_id=live.member.id))
    decided = post(officer, f"/branches/leave/{request_id}/decide", roll, decision="approve", back="roll")
    assert decided.status_code == 303 and decided.headers["Location"].endswith(roll)
    assert statuses(live.coming_event) == {live.member.id: am.EXCUSED}
    # Another member asks and takes it back; a refusal is one tap too.
    other = as_(app, live.other)
    post(other, path, path, reason="")
    other_id = db.session.scalar(select(am.LeaveRequest.id).filter_by(user_id=live.other.id))
    assert post(member, f"/branches/leave/{other_id}/withdraw", path).status_code == 403
    assert post(other, f"/branches/leave/{other_id}/withdraw", path).status_code == 303
    assert db.session.get(am.LeaveRequest, other_id).state == am.WITHDRAWN
    post(other, path, path, reason="出差")
    assert post(other, f"/branches/leave/{other_id}/decide", path, decision="approve").status_code == 403
    post(officer, f"/branches/leave/{other_id}/decide", roll, decision="refuse")
    assert db.session.get(am.LeaveRequest, other_id).state == am.DECLINED
    assert live.other.id not in statuses(live.coming_event)
    # Not in the branch: no leave page; a class's leave endpoints do not decide a branch's requests.
    assert as_(app, live.classmate).get(path).status_code == 403
    assert post(officer, f"/classes/leave/{request_id}/decide", roll, decision="refuse").status_code == 404


def test_leave_after_the_activity_is_refused(app, db, live):
    member, path = as_(app, live.member), f"/branches/activities/{live.activity.id}/leave"
    live.event.ends_at = live.activity.ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert "已经结束" in member.get(path).get_data(as_text=True)
    assert post(member, path, path, reason="晚了").status_code == 422


def test_the_unmarked_become_absent_when_the_window_ends(app, db, live):
    attendance.mark(live.event, live.member.id, am.PRESENT, actor=live.secretary)
    after = attendance.window(live.event)[1] + timedelta(minutes=1)
    assert live.event.id in attendance.events_due(after) and live.coming_event.id not in attendance.events_due(after)
    assert attendance.close(live.event, now=after) == 2
    assert statuses(live.event) == {live.member.id: am.PRESENT, live.other.id: am.ABSENT,
                                    live.secretary.id: am.ABSENT}
