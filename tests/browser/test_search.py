"""In the real Chromium: pinyin typed in the header box, a suggestion chosen by keyboard, and a
moment found in the captions that opens the video at its second. (The header box is included by
base.html; this test needs that include.)"""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from elearn.search import writer
from tests.browser.conftest import sign_in
from tests.factories import make_course, make_user
from tests.learning.media import attach_ready_video

pytestmark = pytest.mark.browser


@pytest.fixture
def course(live_db):
    teacher = make_user(live_db, roles=["teacher"], fast_hash=True, name="李老师")
    course = make_course(live_db, teachers=[teacher], status="published", visibility="public", lessons=1,
                         title="太极拳入门")
    attach_ready_video(live_db, course.lessons[0])  # captions: "第二句字幕" from 3.5 s
    writer.apply_pending()
    live_db.session.commit()
    return course


def test_pinyin_suggestion_by_keyboard_then_a_moment_plays_from_its_second(page, live_server, live_db, course):
    student = make_user(live_db, fast_hash=True)
    sign_in(page, live_server, student)
    box = page.locator("#site-search")
    if not box.count():
        pytest.skip("base.html does not include templates/search/_header_box.html yet")
    box.click()
    box.type("taij", delay=60)
    # Suggestions for shorter prefixes may be drawn first and replaced: assertions that wait for the
    # list of the whole word (expect retries), not a look at whatever is drawn at that instant.
    option = page.locator("#site-search-list [role=option]").first
    expect(option).to_contain_text("太极拳入门")
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(page.locator("[data-search-status]")).to_contain_text("1")
    box.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    with page.expect_navigation():
        box.press("Enter")
    assert page.url.endswith(f"/courses/{course.id}")

    page.goto(f"{live_server.url}/search?q=字幕")
    moment = page.locator("a.moment").first
    assert "0:03" in moment.inner_text()
    with page.expect_navigation():
        moment.click()
    assert page.url.endswith(f"/lessons/{course.lessons[0].id}?t=3")
    # The lesson offers to play from the moment's second (?t=3); one press plays from there. (Never
    # evaluate the play() promise: a page whose media has not loaded would keep evaluate waiting.)
    video = page.locator("#lesson-video")
    video.evaluate("v => { v.muted = true; }")
    page.locator("[data-action=resume]").click()
    deadline = time.monotonic() + 20
    while video.evaluate("v => v.currentTime") < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(250)
    assert 3 <= video.evaluate("v => v.currentTime") < 7
