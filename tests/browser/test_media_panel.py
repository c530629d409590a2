"""The teacher's media panel in Chromium: the preparation of a video followed live from the database
row (bar, percent, time left, status in words), and 「重试」 for a failed video, with and without JavaScript."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from elearn.core.errors import stored_message
from elearn.video import transcode
from elearn.video.models import MediaAsset
from tests.browser.conftest import sign_in
from tests.factories import make_asset, make_lesson, make_user

pytestmark = pytest.mark.browser
DETAIL = "[h264 @ 0x55] Invalid NAL unit size (41230 > 1187)."
LIVE_WAIT = 15_000  # ms: several polls of the asset API


def _failure_fields() -> dict:
    reason, params = stored_message(transcode.FAILED)
    return {"status": "failed", "error": reason, "error_params": params, "error_code": "transcode_failed",
            "error_detail": DETAIL}


def _set(live_db, asset_id, **values) -> None:
    """Change the row as a worker would (a separate commit the page can only learn about by polling)."""
    live_db.session.rollback()
    live_db.session.execute(update(MediaAsset).where(MediaAsset.id == asset_id).values(**values))
    live_db.session.commit()


def _row(live_db, asset_id) -> MediaAsset:
    live_db.session.rollback()  # see what the server thread committed
    return live_db.session.get(MediaAsset, asset_id)


def _open(page, live_server, live_db, roles=("teacher",), status="processing", **fields):
    teacher = make_user(live_db, roles=["teacher"])
    lesson = make_lesson(live_db, teacher)
    asset_id = make_asset(live_db, lesson, status, filename="第一课.mp4", **fields).id
    viewer = teacher if "teacher" in roles else make_user(live_db, roles=list(roles))
    sign_in(page, live_server, viewer)
    page.goto(f"{live_server.url}/teaching/lessons/{lesson.id}/edit")
    return asset_id, page.locator(f'[data-asset="{asset_id}"]')


def test_progress_follows_the_database_row_until_ready(live_server, live_db, page):
    """The bar, percent and time left follow the row while it is prepared; at ready the status says so and polling stops."""
    asset_id, block = _open(page, live_server, live_db, progress=10.0, eta_seconds=300)
    status = block.locator("[data-asset-status]")
    expect(status).to_have_text("正在准备播放。")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(block.locator("[data-asset-percent]")).to_have_text("已完成 10%")
    expect(block.locator("[data-asset-eta]")).to_have_text("还剩约 5 分钟")

    _set(live_db, asset_id, progress=55.5, eta_seconds=61)
    expect(block.locator("[data-asset-percent]")).to_have_text("已完成 56%", timeout=LIVE_WAIT)
    expect(block.locator("[data-asset-eta]")).to_have_text("还剩约 2 分钟")
    expect(block.locator("progress")).to_have_attribute("value", "55.5")
    expect(status).to_have_text("正在准备播放。")  # the announced line changes only with the state

    polls = []
    page.on("request", lambda request: f"/api/v1/assets/{asset_id}" in request.url and polls.append(request.url))
    _set(live_db, asset_id, status="ready", progress=100.0, eta_seconds=0)
    expect(status).to_have_text("已准备好：学员可以观看了。", timeout=LIVE_WAIT)
    expect(block.locator("progress")).to_be_hidden()
    seen = len(polls)
    assert seen, "the page followed the video without asking its asset endpoint"
    page.wait_for_timeout(7_000)  # more than two polling intervals
    assert len(polls) == seen, "the page kept asking after the video was ready"
    assert page.console_errors == []


def test_retry_button_queues_a_failed_video_again_without_leaving_the_page(live_server, live_db, page):
    """「重试」 goes through the API without leaving the page: the row is queued with fresh attempts,
    and its progress is followed again."""
    asset_id, block = _open(page, live_server, live_db, status="failed", attempts=3, attempt=3,
                            **{k: v for k, v in _failure_fields().items() if k != "status"})
    expect(block.locator("[data-asset-status]")).to_contain_text("这个录像没能转换成可以播放的格式")
    expect(block.locator("[data-asset-detail]")).to_be_hidden()  # ffmpeg's words are for admins
    url = page.url
    page.get_by_role("button", name="重试").click()
    expect(block.locator("[data-asset-status]")).to_have_text("已收到，正在排队等待转换成可播放的格式。")
    expect(page.get_by_role("button", name="重试")).to_be_hidden()
    assert page.url == url
    row = _row(live_db, asset_id)
    assert row.status == "queued" and row.attempts == 0 and row.error is None

    _set(live_db, asset_id, status="processing", progress=20.0, eta_seconds=150, attempt=4)
    expect(block.locator("[data-asset-percent]")).to_have_text("已完成 20%", timeout=LIVE_WAIT)
    expect(block.locator("[data-asset-eta]")).to_have_text("还剩约 3 分钟")
    assert page.console_errors == []


def test_retry_works_as_a_plain_form_without_javascript(live_server, live_db, new_page):
    """With JavaScript off, 「重试」 is a normal form post: the page comes back saying it is being tried again."""
    page = new_page(java_script_enabled=False)
    asset_id, block = _open(page, live_server, live_db, status="failed",
                            **{k: v for k, v in _failure_fields().items() if k != "status"})
    with page.expect_navigation():
        page.get_by_role("button", name="重试").click()
    expect(page.locator(".messages")).to_contain_text("正在重试")
    expect(block.locator("[data-asset-status]")).to_have_text("已收到，正在排队等待转换成可播放的格式。")
    assert _row(live_db, asset_id).status == "queued"


def test_a_failure_while_watching_shows_reason_retry_and_admin_detail(live_server, live_db, page):
    """A video that fails while an admin watches shows the reason, 「重试」 and ffmpeg's detail without a reload."""
    asset_id, block = _open(page, live_server, live_db, roles=("admin",), progress=80.0, eta_seconds=20)
    expect(block.locator("[data-asset-eta]")).to_have_text("还剩不到一分钟")
    _set(live_db, asset_id, **_failure_fields())
    expect(block.locator("[data-asset-status]")).to_contain_text("这个录像没能转换成可以播放的格式",
                                                                 timeout=LIVE_WAIT)
    expect(page.get_by_role("button", name="重试")).to_be_visible()
    block.locator("[data-asset-detail] summary").click()
    expect(block.locator("[data-asset-detail-text]")).to_have_text(DETAIL)
    assert page.console_errors == []


def test_a_video_just_uploaded_gets_its_own_progress_block(live_server, live_db, page):
    """After the widget's upload, the newest-upload block shows the new video, and its progress is followed from the row."""
    from tests.video.clips import clip

    teacher = make_user(live_db, roles=["teacher"])
    lesson = make_lesson(live_db, teacher)
    sign_in(page, live_server, teacher)
    page.goto(f"{live_server.url}/teaching/lessons/{lesson.id}/edit")
    page.set_input_files("#upload-video", str(clip("mp4")))
    expect(page.locator(".upload-item")).to_have_attribute("data-upload-state", "done", timeout=20_000)
    live_db.session.rollback()  # see what the server thread committed
    [asset] = live_db.session.query(MediaAsset).filter_by(lesson_id=lesson.id).all()
    block = page.locator(f'[data-pending-area] [data-asset="{asset.id}"]')
    expect(block.locator("[data-asset-status]")).to_have_text("已收到，正在排队等待转换成可播放的格式。")
    _set(live_db, asset.id, status="processing", progress=33.0, eta_seconds=200, attempt=1)
    expect(block.locator("[data-asset-percent]")).to_have_text("已完成 33%", timeout=LIVE_WAIT)
    expect(block.locator("[data-asset-eta]")).to_have_text("还剩约 4 分钟")
    assert block.locator("[data-asset-retry]").get_attribute("action") == f"/teaching/assets/{asset.id}/retry"
    assert page.console_errors == []


VISIBILITY = """hidden => {
  Object.defineProperty(document, "hidden", {configurable: true, get: () => hidden});
  Object.defineProperty(document, "visibilityState", {configurable: true, get: () => hidden ? "hidden" : "visible"});
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def test_a_hidden_tab_asks_nothing_until_it_is_seen_again(live_server, live_db, page):
    """While the tab is hidden the page stops asking the asset endpoint; seen again, it asks at once
    (well before the next polling interval) and shows what changed meanwhile."""
    asset_id, block = _open(page, live_server, live_db, progress=10.0, eta_seconds=300)
    expect(block.locator("[data-asset-percent]")).to_have_text("已完成 10%")
    polls = []
    page.on("request", lambda request: f"/api/v1/assets/{asset_id}" in request.url and polls.append(request.url))
    page.evaluate(VISIBILITY, True)
    page.wait_for_timeout(500)  # a question already under way may still be answered
    seen = len(polls)
    _set(live_db, asset_id, progress=70.0, eta_seconds=30)
    page.wait_for_timeout(7_000)  # more than two polling intervals
    assert len(polls) == seen, "a hidden tab kept asking"
    expect(block.locator("[data-asset-percent]")).to_have_text("已完成 10%")
    page.evaluate(VISIBILITY, False)
    expect(block.locator("[data-asset-percent]")).to_have_text("已完成 70%", timeout=1_500)
    assert page.console_errors == []
