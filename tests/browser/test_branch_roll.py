"""A branch activity from start to roll in the real Chromium: the secretary, on a 360 px phone with the
largest text, adds an activity under way now, opens its QR screen; a member's phone scans the code,
signs in and checks in (the screen shows the name); the secretary then takes the roll for the rest."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from elearn.core.permissions import SYSTEM
from elearn.attendance import checkin, services as attendance
from elearn.branches import activities, models as m, services
from elearn.core.timeutil import to_local, utcnow
from tests.browser.conftest import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def live_branch(live_db):
    secretary = make_user(live_db, roles=("teacher",), name="王书记", fast_hash=True, text_size="xlarge")
    members = [make_user(live_db, name=name, fast_hash=True) for name in ("张党员", "赵党员", "钱党员")]
    branch = services.save_branch(None, name="书法一班党支部")
    joined = utcnow() - timedelta(days=30)
    services.add_member(branch, secretary, officer_role=m.SECRETARY, now=joined, actor=SYSTEM)
    for person in members:
        services.add_member(branch, person, now=joined, actor=SYSTEM)
    live_db.session.commit()
    return type("LiveBranch", (), dict(secretary=secretary, members=members, branch=branch))


def _records(live_db, activity_id) -> dict[str, str]:
    live_db.session.commit()  # a fresh snapshot: the server wrote meanwhile
    event = activities.event_of(activities.get_activity(activity_id))
    return {r.person_name: r.status for r in attendance.records(event).values()}


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_an_officer_adds_an_activity_shows_the_qr_and_takes_the_roll(new_page, live_server, live_db, live_branch):
    officer = new_page(viewport=PHONE)
    sign_in(officer, live_server, live_branch.secretary)
    officer.goto(f"{live_server.url}/branches/{live_branch.branch.id}/activities/new")
    start = to_local(utcnow() - timedelta(minutes=5))
    officer.locator("#kind").select_option(m.THEME_DAY)
    officer.locator("#topic").fill("重温入党誓词")
    officer.locator("#day").fill(start.strftime("%Y-%m-%d"))
    officer.locator("#starts").fill(start.strftime("%H:%M"))
    with officer.expect_navigation():
        officer.get_by_role("button", name="保存", exact=True).click()
    live_db.session.commit()  # a fresh snapshot: the server wrote meanwhile
    activity_id = live_db.session.scalar(select(m.Activity.id).where(m.Activity.topic == "重温入党誓词"))
    assert urlsplit(officer.url).path == f"/branches/activities/{activity_id}" and _fits(officer)

    with officer.expect_navigation():
        officer.get_by_role("link", name="签到屏幕").click()
    assert officer.locator("img.qr").evaluate("img => img.decode().then(() => img.naturalWidth)") > 100
    assert _fits(officer)

    code = checkin.current_code(activities.event_of(activities.get_activity(activity_id)))
    phone = new_page(viewport=PHONE)
    phone.goto(f"{live_server.url}/checkin/{code}")
    assert urlsplit(phone.url).path == "/login"
    phone.fill("#login", live_branch.members[0].login_name)
    phone.fill("#password", "correct-horse-7")
    with phone.expect_navigation():
        phone.click("main form button[type=submit]")
    assert "重温入党誓词" in phone.locator("main").inner_text()
    with phone.expect_navigation():
        phone.get_by_role("button", name="我要签到").click()
    assert "签到成功" in phone.get_by_role("heading", level=1).inner_text()
    assert "重温入党誓词" in phone.locator("main").inner_text() and _fits(phone)
    # The screen shows the name within a few seconds, for the headcount.
    expect(officer.locator("[data-names]")).to_contain_text("张党员", timeout=8000)

    # The roll for the rest: one tap marks 赵党员 late (出勤 → 迟到), then 其余全部出勤.
    officer.goto(f"{live_server.url}/branches/activities/{activity_id}/roll")
    zhao = officer.locator("button.roll-person", has_text="赵党员")
    zhao.click()
    zhao.click()
    expect(officer.locator("[data-roll-state]")).to_contain_text("都已保存")
    assert _records(live_db, activity_id) == {"张党员": "present", "赵党员": "late"}
    with officer.expect_navigation():
        officer.get_by_role("button", name="其余全部出勤").click()
    assert _records(live_db, activity_id) == {"张党员": "present", "赵党员": "late", "钱党员": "present",
                                              "王书记": "present"}
    assert "迟到" in officer.locator("button.roll-person", has_text="赵党员").inner_text() and _fits(officer)
    assert officer.console_errors == [] and phone.console_errors == []
