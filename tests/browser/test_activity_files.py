"""A branch officer attaches files to an activity with the same resumable uploader as the lesson
page (kind ``activity``): the file joins the activity's list without a reload, and a file of the
wrong type says why."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from elearn.branches import models as m
from tests.branches.pages_world import branches_for_pages
from tests.browser.conftest import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser


class World:
    pass


def test_an_officer_uploads_files_to_an_activity_and_they_join_its_list(live_server, live_db, page, tmp_path):
    world = World()
    world.teacher = make_user(live_db, roles=["teacher"], name="王书记")
    world.student = make_user(live_db, roles=["student"], name="张党员")
    branches_for_pages(live_db, world)
    notice, wrong = tmp_path / "支部活动照片.png", tmp_path / "名单.txt"
    notice.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    wrong.write_text("不是图片")
    sign_in(page, live_server, world.teacher)
    page.goto(f"{live_server.url}/branches/activities/{world.activity.id}")
    page.set_input_files("#upload-attachment", [str(notice), str(wrong)])
    items = page.locator(".upload-item")
    expect(items.nth(0)).to_have_attribute("data-upload-state", "done", timeout=20_000)
    expect(page.locator("[data-handout-list]").get_by_role("link", name="支部活动照片.png", exact=True)).to_be_visible()
    expect(items.nth(1)).to_have_attribute("data-upload-state", "refused", timeout=20_000)
    expect(items.nth(1).locator("[data-state]")).to_contain_text("附件可以是")
    live_db.session.rollback()
    names = [a.original_filename for a in live_db.session.query(m.ActivityAttachment)
             .filter_by(activity_id=world.activity.id)]
    assert "支部活动照片.png" in names and "名单.txt" not in names
    # The refused file's 415 is the one error the browser logs (the answer the item shows).
    assert [e for e in page.console_errors if "415" not in e] == []
