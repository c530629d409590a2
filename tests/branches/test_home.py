"""The reminder on the home page the day before: a member's branch activities from now to the end of
tomorrow in the site's time (Asia/Shanghai), only those they are expected at."""
from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from elearn.core.permissions import SYSTEM
from elearn.attendance import services as attendance
from elearn.branches import activities, home, services
from elearn.branches import models as m
from elearn.core.timeutil import from_site_time, utcnow
from tests.clients import sign_in
from tests.factories import make_user


class World:
    pass


@pytest.fixture
def world(db):
    w = World()
    w.secretary, w.member, w.outsider = (make_user(db, roles=["student"], name=name, fast_hash=True)
                                         for name in ("王书记", "张党员", "钱同学"))
    w.branch = services.save_branch(None, name="书法一班党支部")
    joined = utcnow() - timedelta(days=30)
    services.add_member(w.branch, w.secretary, officer_role=m.SECRETARY, now=joined, actor=SYSTEM)
    services.add_member(w.branch, w.member, now=joined, actor=SYSTEM)
    db.session.commit()
    return w


def activity(world, topic, starts_at, kind=m.GENERAL_MEETING, **fields):
    return activities.create_activity(world.branch, kind=kind, topic=topic, starts_at=starts_at,
                                      ends_at=starts_at + timedelta(hours=1), actor=world.secretary, **fields)


def test_the_home_page_reminds_a_member_the_day_before(app, db, world):
    activity(world, "换届选举", utcnow() + timedelta(hours=20), place="党员活动室", online=True)
    activity(world, "学习党章", utcnow() + timedelta(days=3))
    activity(world, "上周的会", utcnow() - timedelta(days=7))
    db.session.commit()
    page = sign_in(app.test_client(), world.member).get("/").get_data(as_text=True)
    assert "支部活动提醒" in page and "换届选举" in page and "党员活动室" in page and "同时线上参加" in page
    assert "学习党章" not in page and "上周的会" not in page
    assert "/branches/activities/" in page
    assert "支部活动提醒" not in sign_in(app.test_client(), world.outsider).get("/").get_data(as_text=True)


def test_only_activities_the_member_is_expected_at(app, db, world):
    activity(world, "研究发展党员", utcnow() + timedelta(hours=5), kind=m.COMMITTEE)
    cancelled = activity(world, "取消的会", utcnow() + timedelta(hours=6))
    attendance.cancel(activities.event_of(cancelled))
    db.session.commit()
    assert home.coming_activities(world.member) == []
    assert [a.topic for a in home.coming_activities(world.secretary)] == ["研究发展党员"]
    assert home.reminder_panel(world.member) is None


def test_tomorrow_ends_at_midnight_in_the_sites_time(app, db, world):
    today = date(2026, 12, 14)
    now = from_site_time(today, time(20, 0))  # 20:00 in Shanghai is 12:00 UTC
    late = activity(world, "明晚的会", from_site_time(today + timedelta(days=1), time(23, 0)))
    after = activity(world, "后天凌晨", from_site_time(today + timedelta(days=2), time(0, 30)))
    under_way = activity(world, "正在开的会", now - timedelta(minutes=30))
    db.session.commit()
    assert home.coming_activities(world.member, now=now) == [under_way, late]
    assert after in home.coming_activities(world.member, now=from_site_time(today + timedelta(days=1), time(0, 1)))
