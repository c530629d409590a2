"""The teacher's uploader in Chromium: tus-js-client sends a real clip through the widget, retries
by itself after a dropped connection, and continues after a page reload when the file is chosen again."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from elearn.uploads.models import Upload
from elearn.video.models import MediaAsset
from tests.browser.conftest import sign_in
from tests.factories import make_lesson, make_user
from tests.video.clips import clip

pytestmark = pytest.mark.browser
CHUNK = 8 * 1024 * 1024  # the widget's data-chunk-size


def _open_lesson(page, live_server, live_db):
    teacher = make_user(live_db, roles=["teacher"])
    lesson = make_lesson(live_db, teacher)
    sign_in(page, live_server, teacher)
    page.goto(f"{live_server.url}/teaching/lessons/{lesson.id}/edit")
    return lesson


def _fresh(live_db, model, **where):
    live_db.session.rollback()  # see what the server thread committed
    return live_db.session.query(model).filter_by(**where).all()


def test_upload_a_clip_and_see_it_queued(live_server, live_db, page):
    """A generated clip goes through tus-js-client; the big bar reaches 100 % and the status says queued."""
    lesson = _open_lesson(page, live_server, live_db)
    page.set_input_files("#upload-video", str(clip("mp4")))
    item = page.locator(".upload-item")
    expect(item).to_have_attribute("data-upload-state", "done", timeout=20_000)
    expect(item.locator("progress")).to_have_attribute("value", "100")
    queued_text = page.locator("[data-upload-panel]").get_attribute("data-status-queued")
    expect(item.locator("[data-state]")).to_have_text(queued_text)
    expect(item.locator("[data-state]")).to_have_attribute("aria-live", "polite")
    [asset] = _fresh(live_db, MediaAsset, lesson_id=lesson.id)
    assert asset.status == "queued"
    stored = Path(live_server.app.config["MEDIA_DIR"]) / asset.source_path
    assert stored.read_bytes() == clip("mp4").read_bytes()
    assert page.console_errors == []


def test_a_dropped_connection_is_retried_by_itself(live_server, live_db, page):
    """The first PATCH is cut off: tus-js-client asks for the offset again and finishes on its own."""
    lesson = _open_lesson(page, live_server, live_db)
    patches = []

    def drop_first_patch(route, request):
        patches.append(request.headers.get("upload-offset"))
        if len(patches) == 1:
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v1/uploads/**", lambda route, request: drop_first_patch(route, request)
               if request.method == "PATCH" else route.continue_())
    page.set_input_files("#upload-caption", _caption_file(live_server))
    item = page.locator(".upload-item")
    expect(item).to_have_attribute("data-upload-state", "done", timeout=20_000)
    assert patches == ["0", "0"]
    [upload] = _fresh(live_db, Upload, target_id=lesson.id)
    assert upload.state == "complete" and upload.result_id("caption_id")


def test_after_a_reload_the_same_file_continues_where_it_stopped(live_server, live_db, page, tmp_path):
    """One chunk arrives, then the network fails; after a reload, choosing the same file resumes at that offset."""
    lesson = _open_lesson(page, live_server, live_db)
    handout = tmp_path / "第一课讲义.pdf"
    handout.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * (CHUNK // 256 + 4096))
    network = {"down": True}
    requests = []

    def only_first_chunk(route, request):
        requests.append((request.method, request.headers.get("upload-offset")))
        if network["down"] and request.method == "PATCH" and request.headers.get("upload-offset") != "0":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/api/v1/uploads/**", only_first_chunk)
    page.set_input_files("#upload-handout", str(handout))
    expect(page.locator(".upload-item[data-upload-state='retrying']")).to_have_count(1, timeout=20_000)
    assert requests[0] == ("POST", None)  # the route sees creation too
    [upload] = _fresh(live_db, Upload, target_id=lesson.id)
    assert upload.offset == CHUNK

    page.reload()  # the old page and its retries are gone before the network comes back
    network["down"], requests[:] = False, []
    page.set_input_files("#upload-handout", str(handout))
    item = page.locator(".upload-item")
    expect(item).to_have_attribute("data-upload-state", "done", timeout=20_000)
    assert ("POST", None) not in requests  # no new upload was created
    assert ("PATCH", str(CHUNK)) in requests and ("PATCH", "0") not in requests
    [upload] = _fresh(live_db, Upload, target_id=lesson.id)
    assert upload.state == "complete" and upload.result_id("handout_id")


def _caption_file(live_server) -> str:
    path = Path(live_server.app.config["MEDIA_DIR"]) / "browser-test-captions.srt"
    path.write_text("1\n00:00:00,000 --> 00:00:02,000\n大家好\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("theme", ["standard", "high"])
def test_the_widget_with_uploads_in_the_queue_passes_axe(live_server, live_db, new_page, theme):
    """With one upload finished and one held up by the network (pause and cancel showing), the panel has no
    axe violation and meets our 7:1 contrast and 48/60 px targets at every text size."""
    from tests.browser.test_accessibility import axe_problems, own_problems

    page = new_page(bypass_csp=True)  # only so that axe can be injected
    teacher = make_user(live_db, roles=["teacher"])
    teacher.contrast = theme
    lesson = make_lesson(live_db, teacher)
    sign_in(page, live_server, teacher)
    page.goto(f"{live_server.url}/teaching/lessons/{lesson.id}/edit")
    page.set_input_files("#upload-caption", _caption_file(live_server))
    expect(page.locator(".upload-item[data-upload-state='done']")).to_have_count(1, timeout=20_000)
    page.route("**/api/v1/uploads/**", lambda route, request: route.abort("internetdisconnected")
               if request.method == "PATCH" else route.continue_())
    page.set_input_files("#upload-video", str(clip("mp4")))
    expect(page.locator(".upload-item[data-upload-state='retrying']")).to_have_count(1, timeout=20_000)
    problems = axe_problems(page) + own_problems(page)
    assert not problems, "\n".join(problems)


def test_pause_and_continue_with_big_buttons(live_server, live_db, page):
    """While the network is down the upload can be paused; "Continue" (at least 48 px) finishes it."""
    lesson = _open_lesson(page, live_server, live_db)
    network = {"down": True}
    page.route("**/api/v1/uploads/**", lambda route, request: route.abort("internetdisconnected")
               if network["down"] and request.method == "PATCH" else route.continue_())
    page.set_input_files("#upload-caption", _caption_file(live_server))
    item = page.locator(".upload-item")
    expect(item).to_have_attribute("data-upload-state", "retrying", timeout=20_000)
    pause = item.locator("[data-pause]")
    assert pause.bounding_box()["height"] >= 48 and pause.bounding_box()["width"] >= 48
    pause.click()
    expect(item).to_have_attribute("data-upload-state", "paused")
    expect(pause).to_be_hidden()
    network["down"] = False
    resume = item.locator("[data-resume]")
    assert resume.bounding_box()["height"] >= 60  # the primary action
    resume.focus()
    page.keyboard.press("Enter")  # keyboard reachable
    expect(item).to_have_attribute("data-upload-state", "done", timeout=20_000)
    [upload] = _fresh(live_db, Upload, target_id=lesson.id)
    assert upload.state == "complete"


def test_several_files_are_queued_and_sent_one_after_another(live_server, live_db, page, tmp_path):
    """Two handouts chosen at once become two queue entries; both arrive."""
    lesson = _open_lesson(page, live_server, live_db)
    files = []
    for n in (1, 2):
        path = tmp_path / f"讲义{n}.pdf"
        path.write_bytes(b"%PDF-1.4\n" + bytes([n]) * 50_000)
        files.append(str(path))
    page.set_input_files("#upload-handout", files)
    items = page.locator(".upload-item")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_have_attribute("data-upload-state", "done", timeout=20_000)
    expect(items.nth(1)).to_have_attribute("data-upload-state", "done", timeout=20_000)
    uploads = _fresh(live_db, Upload, target_id=lesson.id)
    assert sorted(u.filename for u in uploads) == ["讲义1.pdf", "讲义2.pdf"]
    assert all(u.result_id("handout_id") for u in uploads)
    assert page.console_errors == []


BROKEN_STORAGE_ONCE = """(() => {
  localStorage.setItem("elearn.test", "1");  // tus reads the entries only when there are some
  const key = Storage.prototype.key;
  let failed = false;
  Storage.prototype.key = function (index) {
    if (!failed) { failed = true; throw new DOMException("The storage is not available", "SecurityError"); }
    return key.call(this, index);
  };
})()"""


def test_a_file_that_cannot_start_says_so_and_the_queue_goes_on(live_server, live_db, page, tmp_path):
    """The browser's storage fails once as the first file starts (tus looks there for an earlier upload):
    that file says plainly that it did not work, and the next file in the queue is still sent."""
    page.add_init_script(BROKEN_STORAGE_ONCE)
    lesson = _open_lesson(page, live_server, live_db)
    files = []
    for n in (1, 2):
        path = tmp_path / f"讲义{n}.pdf"
        path.write_bytes(b"%PDF-1.4\n" + bytes([n]) * 20_000)
        files.append(str(path))
    page.set_input_files("#upload-handout", files)
    items = page.locator(".upload-item")
    expect(items.nth(0)).to_have_attribute("data-upload-state", "refused", timeout=20_000)
    error_text = page.locator("[data-upload-panel]").get_attribute("data-msg-error")
    expect(items.nth(0).locator("[data-state]")).to_have_text(error_text)
    expect(items.nth(1)).to_have_attribute("data-upload-state", "done", timeout=20_000)
    assert [u.filename for u in _fresh(live_db, Upload, target_id=lesson.id)] == ["讲义2.pdf"]
