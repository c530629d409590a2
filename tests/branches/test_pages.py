"""The branch pages through the test client: who sees what (party details never to classmates or fellow
members, and every showing logged), a new activity, minutes saved, approved and corrected."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from elearn.branches import models as m
from elearn.core.timeutil import to_local, utcnow
from tests.branches.pages_world import branches_for_pages
from tests.clients import csrf_token, sign_in
from tests.factories import make_user


class World:
    pass


@pytest.fixture
def world(db):
    w = World()
    w.teacher = make_user(db, roles=["teacher"], name="王书记", fast_hash=True)
    w.student = make_user(db, roles=["student"], name="张党员", fast_hash=True)
    w.classmate = make_user(db, roles=["student"], name="钱同学", fast_hash=True)
    w.admin = make_user(db, roles=["admin"], name="管理员", fast_hash=True)
    branches_for_pages(db, w)
    return w


def as_(app, person):
    return sign_in(app.test_client(), person)


def access_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(m.MembershipAccess))


def test_party_details_are_for_officers_and_the_member_and_every_showing_is_logged(app, db, world):
    url = f"/branches/members/{world.branch_member.id}"
    before = access_count(db)
    for person, status in ((world.classmate, 403), (world.teacher, 200), (world.student, 200), (world.admin, 200)):
        page = as_(app, person).get(url)
        assert page.status_code == status, person.name
        text = page.get_data(as_text=True)
        assert ("1978年7月1日" in text) == (status == 200)
    rows = db.session.scalars(select(m.MembershipAccess).order_by(m.MembershipAccess.id)).all()[before:]
    assert [(r.viewer_name, r.channel) for r in rows] == [("王书记", "page"), ("张党员", "self"), ("管理员", "page")]


def test_the_branch_page_shows_members_and_requirements_only_to_officers(app, db, world):
    url = f"/branches/{world.branch.id}"
    assert as_(app, world.classmate).get(url).status_code == 403
    member_view = as_(app, world.student).get(url).get_data(as_text=True)
    assert "重温入党誓词" in member_view and "学习党章" in member_view
    assert "本季度" not in member_view and "第一党小组" not in member_view
    officer_view = as_(app, world.teacher).get(url).get_data(as_text=True)
    assert "本季度" in officer_view and "年第" in officer_view and "张党员" in officer_view and f"/branches/members/{world.branch_member.id}" in officer_view
    menu = as_(app, world.classmate).get("/").get_data(as_text=True)
    assert "/branches" not in menu  # a learner outside every branch is not shown the menu item


def test_an_officer_adds_an_activity_and_a_member_cannot(app, db, world):
    url = f"/branches/{world.branch.id}/activities/new"
    member = as_(app, world.student)
    assert member.get(url).status_code == 403
    officer = as_(app, world.teacher)
    day = to_local(utcnow() + timedelta(days=3)).date()
    form = {"csrf_token": csrf_token(officer, url), "kind": "committee", "topic": "研究发展党员", "day": day.isoformat(),
            "starts": "09:30", "minutes": "60", "place": "党员活动室", "agenda": "一、研究\n二、表决", "group": "0"}
    answer = officer.post(url, data=form)
    assert answer.status_code == 302
    activity = db.session.scalar(select(m.Activity).filter_by(topic="研究发展党员"))
    assert activity.kind == m.COMMITTEE and to_local(activity.starts_at).strftime("%H:%M") == "09:30"
    refused = officer.post(url, data={**form, "kind": "group_meeting", "topic": "小组学习"})
    assert refused.status_code == 422 and "请选择这次会议所属的党小组" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(m.Activity).filter_by(topic="小组学习")) == 0


def test_minutes_are_saved_escaped_approved_by_the_secretary_and_corrected_visibly(app, db, world):
    page_url = f"/branches/activities/{world.activity.id}"
    officer = as_(app, world.teacher)
    token = csrf_token(officer, page_url)
    officer.post(f"{page_url}/minutes", data={"csrf_token": token, "body": "<script>alert(1)</script>讨论热烈"})
    text = officer.get(page_url).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in text and "讨论热烈" in text
    assert officer.post(f"{page_url}/minutes/approve", data={"csrf_token": token}).status_code == 302
    assert world.activity.minutes[-1].approved_at is not None
    member = as_(app, world.student)
    assert member.post(f"{page_url}/minutes", data={"csrf_token": csrf_token(member, page_url),
                                                    "body": "篡改"}).status_code == 403
    assert "讨论热烈" in member.get(page_url).get_data(as_text=True)
    assert as_(app, world.classmate).get(page_url).status_code == 403


def test_an_officer_changes_an_activity_and_its_attendance_window_moves_with_it(app, db, world):
    from elearn.branches import activities

    activity = db.session.scalar(select(m.Activity).filter_by(topic="学习党章"))
    url = f"/branches/activities/{activity.id}/edit"
    assert as_(app, world.student).get(url).status_code == 403
    officer = as_(app, world.teacher)
    page = officer.get(url).get_data(as_text=True)
    assert 'value="学习党章"' in page and "修改活动" in page  # filled in from the activity
    day = to_local(utcnow() + timedelta(days=10)).date()
    form = {"csrf_token": csrf_token(officer, url), "kind": "lecture", "topic": "学习新党章", "day": day.isoformat(),
            "starts": "14:00", "minutes": "120", "place": "党员活动室", "agenda": "", "group": "0", "lesson": "0"}
    answer = officer.post(url, data=form)
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/branches/activities/{activity.id}")
    db.session.expire_all()
    event = activities.event_of(activity)
    assert activity.topic == "学习新党章" and to_local(activity.starts_at).strftime("%H:%M") == "14:00"
    assert (event.starts_at, event.ends_at) == (activity.starts_at, activity.ends_at)
    assert activity.ends_at - activity.starts_at == timedelta(minutes=120) and event.title == "学习新党章"
    # More than a year back is refused and changes nothing.
    old = {**form, "day": (day - timedelta(days=800)).isoformat(), "topic": "太久以前"}
    refused = officer.post(url, data=old)
    assert refused.status_code == 422
    db.session.expire_all()
    assert activity.topic == "学习新党章"


def test_a_member_sees_only_the_activities_that_are_for_them(app, db, world):
    from elearn.branches import activities

    committee = activities.create_activity(
        world.branch, kind=m.COMMITTEE, topic="研究发展对象", starts_at=utcnow() - timedelta(days=2),
        ends_at=utcnow() - timedelta(days=2) + timedelta(hours=1), actor=world.teacher)
    db.session.commit()
    member, officer = as_(app, world.student), as_(app, world.teacher)
    assert "研究发展对象" not in member.get(f"/branches/{world.branch.id}").get_data(as_text=True)
    assert member.get(f"/branches/activities/{committee.id}").status_code == 403
    assert "研究发展对象" in officer.get(f"/branches/{world.branch.id}").get_data(as_text=True)
    assert officer.get(f"/branches/activities/{committee.id}").status_code == 200


def test_an_officer_calls_off_an_activity_still_to_come(app, db, world):
    from elearn.branches import activities
    from elearn.learning.hooks import panels_for

    coming = db.session.scalar(select(m.Activity).filter_by(topic="换届选举"))  # tomorrow: on the reminder
    url = f"/branches/activities/{coming.id}/cancel"
    assert as_(app, world.student).get(url).status_code == 403
    officer = as_(app, world.teacher)
    assert "要取消这次活动吗" in officer.get(url).get_data(as_text=True)
    assert officer.post(url, data={"csrf_token": csrf_token(officer, url)}).status_code == 302
    db.session.expire_all()
    assert activities.is_cancelled(coming)
    page = as_(app, world.student).get(f"/branches/activities/{coming.id}").get_data(as_text=True)
    assert "这次活动已取消" in page and "请假" not in page
    listed = as_(app, world.student).get(f"/branches/{world.branch.id}").get_data(as_text=True)
    assert listed.count(">已取消<") == 1  # only the activity called off carries the tag
    with app.test_request_context():
        assert "换届选举" not in "".join(str(p) for p in panels_for(world.student))  # no reminder any more
    # An activity that has begun cannot be called off; it stays as it was.
    held_url = f"/branches/activities/{world.activity.id}/cancel"
    refused = officer.post(held_url, data={"csrf_token": csrf_token(officer, held_url)})
    assert refused.status_code == 409 and "已经开始" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert not activities.is_cancelled(world.activity)


def test_a_megabyte_of_pasted_minutes_gets_a_plain_answer_and_keeps_the_minutes(app, db, world):
    page_url = f"/branches/activities/{world.activity.id}"
    officer = as_(app, world.teacher)
    before = [r.body_md for r in world.activity.minutes]
    answer = officer.post(f"{page_url}/minutes", data={"csrf_token": csrf_token(officer, page_url),
                                                       "body": "长" * 350_000}, follow_redirects=True)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "请不要超过 50000 个字" in text  # back on the page, told why
    db.session.expire_all()
    assert [r.body_md for r in world.activity.minutes] == before
