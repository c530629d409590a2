"""The teacher's media panel keeps itself right without a reload: a video really transcoded while the page
is open becomes what learners get now (with a player to check it, and no 「这一课还没有视频」 left beside
「已准备好」); a sound file is called sound; a handout uploaded joins the list of handouts; the page says
that leaving pauses an upload and that choosing the same file again continues it."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from elearn.video import tasks
from tests.browser.conftest import sign_in
from tests.factories import make_asset, make_lesson, make_user, pdf_bytes
from tests.video.clips import clip

pytestmark = pytest.mark.browser
LIVE_WAIT = 15_000  # ms: several polls of the asset API


def _open_lesson(page, live_server, live_db):
    teacher = make_user(live_db, roles=["teacher"])
    lesson = make_lesson(live_db, teacher)
    sign_in(page, live_server, teacher)
    return teacher, lesson


def test_a_video_transcoded_while_the_page_is_open_replaces_no_video(live_server, live_db, page):
    """The real transcode of a tiny clip finishes while the teacher looks: the panel then says learners
    watch it, with its length and a playable preview, and no longer that the lesson has no video."""
    _, lesson = _open_lesson(page, live_server, live_db)
    asset = make_asset(live_db, lesson, "queued", filename="小视频.mp4", size=1, source=clip("tiny"))
    page.goto(f"{live_server.url}/teaching/lessons/{lesson.id}/edit")
    now = page.locator("[data-media-now]")
    expect(now).to_contain_text("这一课还没有视频")
    expect(page.locator(f'[data-asset="{asset.id}"] [data-asset-status]')).to_contain_text("排队")

    assert tasks.run_transcode(asset.id) == "ready"
    expect(now).to_contain_text("学员现在看的是当前这个视频", timeout=LIVE_WAIT)
    expect(now).not_to_contain_text("这一课还没有视频")
    expect(now).to_contain_text("时长：0 分 3 秒")
    expect(page.locator(f'[data-asset="{asset.id}"] [data-asset-status]')).to_have_text("已准备好：学员可以观看了。")
    preview = now.locator('video[data-now-preview="video"]')
    expect(preview).to_be_visible()
    expect(now.locator('audio[data-now-preview="audio"]')).to_be_hidden()
    page.wait_for_function("v => v.readyState >= 1 && v.duration > 2", arg=preview.element_handle(), timeout=10_000)
    remove = now.get_by_role("link", name="删除这个视频")
    assert remove.get_attribute("href") == f"/teaching/assets/{asset.id}/delete"
    assert page.console_errors == []

    page.reload()  # what the server renders says the same
    expect(now).to_contain_text("学员现在看的是当前这个视频")
    expect(now.locator('video[data-now-preview="video"]')).to_be_visible()


def test_a_sound_file_is_called_sound_and_previewed_as_sound(live_server, live_db, page):
    """An .mp3 chosen as the lesson's recording is 「声音」 in the queue, and once ready the panel has an
    audio player, not a picture."""
    _, lesson = _open_lesson(page, live_server, live_db)
    page.goto(f"{live_server.url}/teaching/lessons/{lesson.id}/edit")
    page.set_input_files("#upload-video", str(clip("mp3")))
    item = page.locator(".upload-item")
    expect(item.locator("[data-kind-label]")).to_have_text("(声音)")
    expect(item).to_have_attribute("data-upload-state", "done", timeout=20_000)
    live_db.session.rollback()
    from elearn.video.models import MediaAsset

    [asset] = live_db.session.query(MediaAsset).filter_by(lesson_id=lesson.id).all()
    assert tasks.run_transcode(asset.id) == "ready"
    now = page.locator("[data-media-now]")
    expect(now).to_contain_text("学员现在听的是当前这段录音", timeout=LIVE_WAIT)
    expect(now.locator('audio[data-now-preview="audio"]')).to_be_visible()
    expect(now.locator('video[data-now-preview="video"]')).to_be_hidden()
    assert page.console_errors == []


def test_a_handout_uploaded_joins_the_list_without_a_reload(live_server, live_db, page, tmp_path):
    _, lesson = _open_lesson(page, live_server, live_db)
    page.goto(f"{live_server.url}/teaching/lessons/{lesson.id}/edit")
    expect(page.locator("[data-no-handouts]")).to_be_visible()
    expect(page.locator("[data-upload-leaving]")).to_contain_text("离开这个页面，上传就会暂停")
    pdf = tmp_path / "太极讲义.pdf"
    pdf.write_bytes(pdf_bytes())
    page.set_input_files("#upload-handout", str(pdf))
    expect(page.locator(".upload-item")).to_have_attribute("data-upload-state", "done", timeout=20_000)
    listed = page.locator("[data-handout-list] li")
    expect(listed).to_have_count(1)
    expect(listed.get_by_role("link", name="太极讲义.pdf", exact=True)).to_have_attribute("href", f"/handouts/{_handout_id(live_db, lesson)}")
    expect(page.locator("[data-no-handouts]")).to_have_count(0)
    expect(page.locator(".upload-item [data-state]")).to_have_text("讲义已添加，在下面的讲义列表里。")
    assert page.console_errors == []


def _handout_id(live_db, lesson) -> int:
    from elearn.courses.models import Handout

    live_db.session.rollback()
    return live_db.session.query(Handout).filter_by(lesson_id=lesson.id).one().id
