"""Roll call on a classroom tablet that loses its connection, and a QR check-in on a 360 px phone
that has to sign in first, in the real Chromium under the real CSP."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from elearn.attendance import checkin, services as attendance
from elearn.classes import enrolment, schedule, services
from elearn.core.timeutil import to_local, utcnow
from tests.browser.conftest import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def live_class(live_db):
    today = to_local(utcnow()).date()
    term = services.save_term(None, name="本学期", starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=60))
    teacher = make_user(live_db, roles=("teacher",), name="李老师", fast_hash=True)
    group = services.save_class(None, term=term, name="书法一班", teacher_ids=[teacher.id], room="301")
    start = to_local(utcnow() - timedelta(minutes=5))
    session = schedule.add_session(group, day=start.date(), starts=start.time().replace(microsecond=0), minutes=90)
    members = [make_user(live_db, name=name, fast_hash=True) for name in ("张三", "李四", "王五")]
    for person in members:
        enrolment.enrol(group, person.id, now=utcnow() - timedelta(days=3))
    live_db.session.commit()
    return type("LiveClass", (), dict(teacher=teacher, session=session, members=members, event_id=schedule.event_of(session).id))


def _records(live_db, live_class):
    live_db.session.commit()  # a fresh snapshot: the server wrote meanwhile
    event = attendance.get_event(live_class.event_id)
    return {r.person_name: r.status for r in attendance.records(event).values()}


def test_roll_call_keeps_taps_while_offline_and_sends_them_once_back(new_page, live_server, live_db, live_class):
    page = new_page(viewport={"width": 800, "height": 1280})  # a tablet
    sign_in(page, live_server, live_class.teacher)
    page.goto(f"{live_server.url}/classes/sessions/{live_class.session.id}/roll")
    zhang = page.locator("button.roll-person", has_text="张三")
    page.context.set_offline(True)
    zhang.click()  # 出勤
    zhang.click()  # 迟到
    page.locator("button.roll-person", has_text="李四").click()
    assert "迟到" in zhang.inner_text()
    # 王五 was visited at home: the "more" control sets mode and note, queued with the taps.
    more = page.locator("details.roll-more", has_text="王五")
    more.locator("summary").click()
    more.get_by_label("送学上门").check()
    more.get_by_label("备注").fill("王老师上门")
    more.get_by_role("button", name="保存王五的记录").click()
    wang = page.locator("button.roll-person", has_text="王五")
    assert "送学上门" in wang.inner_text() and "王老师上门" in wang.inner_text()
    expect(page.locator("[data-roll-state]")).to_contain_text("没有网络")
    assert _records(live_db, live_class) == {}
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("[data-roll-state]")).to_contain_text("都已保存")
    assert _records(live_db, live_class) == {"张三": "late", "李四": "present", "王五": "present"}
    event = attendance.get_event(live_class.event_id)
    assert [c.new_status for c in attendance.history(event, live_class.members[0].id)] == ["present", "late"]
    wang = attendance.records(event)[live_class.members[2].id]
    assert (wang.mode, wang.note) == ("home_visit", "王老师上门")
    # After a reload the page shows what the server has, and nothing is sent twice.
    page.reload()
    assert "迟到" in page.locator("button.roll-person", has_text="张三").inner_text()
    assert "送学上门" in page.locator("button.roll-person", has_text="王五").inner_text()
    # A tap on 王五 after the visit keeps the home visit; the change shows in their history.
    page.locator("button.roll-person", has_text="王五").click()
    expect(page.locator("[data-roll-state]")).to_contain_text("都已保存")
    wang = page.locator("details.roll-more", has_text="王五")
    page.reload()
    wang.locator("summary").click()
    expect(wang.locator(".history")).to_contain_text("出勤 (送学上门) → 迟到 (送学上门)")
    expect(wang.locator(".history")).to_contain_text("王老师上门")
    page.get_by_role("button", name="其余全部出勤").click()
    page.wait_for_load_state()
    assert _records(live_db, live_class) == {"张三": "late", "李四": "present", "王五": "late"}
    # Only the sends that failed while offline, as the browser reports them.
    assert [e for e in page.console_errors if "ERR_INTERNET_DISCONNECTED" not in e] == []


def test_qr_check_in_on_a_phone_that_signs_in_first(new_page, live_server, live_db, live_class):
    screen = new_page(viewport={"width": 1920, "height": 1080})
    sign_in(screen, live_server, live_class.teacher)
    screen.goto(f"{live_server.url}/classes/sessions/{live_class.session.id}/screen")
    assert screen.locator("img.qr").evaluate("img => img.decode().then(() => img.naturalWidth)") > 100

    event = attendance.get_event(live_class.event_id)
    code = checkin.current_code(event)
    phone = new_page(viewport=PHONE)
    phone.goto(f"{live_server.url}/checkin/{code}")
    assert urlsplit(phone.url).path == "/login"
    phone.fill("#login", live_class.members[2].login_name)
    phone.fill("#password", "correct-horse-7")
    with phone.expect_navigation():
        phone.click("main form button[type=submit]")
    assert urlsplit(phone.url).path.startswith("/checkin/go/")
    with phone.expect_navigation():
        phone.get_by_role("button", name="我要签到").click()
    assert "签到成功" in phone.get_by_role("heading", level=1).inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The classroom screen shows the name within a few seconds, for the teacher's headcount.
    expect(screen.locator("[data-names]")).to_contain_text("王五", timeout=8000)
    assert _records(live_db, live_class) == {"王五": "present"}
    assert phone.console_errors == [] and screen.console_errors == []
