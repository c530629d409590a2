"""The teacher's side of a lesson's media: live progress, 「重试」 for a failed video (page and API),
ffmpeg's detail for admins only, and a caption's encoding, first lines and another encoding."""
from __future__ import annotations

import codecs
import html
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from elearn.video import services
from elearn.video.models import Caption
from tests.clients import csrf_token, signed_in
from tests.factories import make_asset

DETAIL = "[h264 @ 0x55] Invalid NAL unit size (12345 > 678).\nError while decoding stream #0:0"
ROLES = {"student": ("student",), "other_teacher": ("teacher",), "admin": ("admin",)}
SRT_ZH = ("1\n00:00:01,000 --> 00:00:03,000\n大家好，今天我们学习书法。\n\n"
          "2\n00:00:03,500 --> 00:00:05,000\n请拿起毛笔。\n")
SRT_BIG5 = "1\n00:00:01,000 --> 00:00:03,000\n大家好，今天我們學習書法，請拿起毛筆。\n"


def client_for(app, db, teacher, role):
    """A client for ``role``: anonymous, student, another teacher, the course's teacher, or an admin."""
    if role == "teacher":
        return teacher
    if role == "anonymous":  # with a real CSRF token: the refusal must come from the permission check
        client = app.test_client()
        client.csrf = csrf_token(client)
        return client
    return signed_in(app, db, roles=ROLES[role])


def failed_asset(db, lesson, code="transcode_failed"):
    """A video whose transcoding failed three times, with the plain reason and ffmpeg's detail."""
    return make_asset(db, lesson, "failed", filename="第一课.mp4", error_code=code, error_detail=DETAIL)


def edit_page(client, lesson) -> str:
    response = client.get(f"/teaching/lessons/{lesson.id}/edit")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def block(page: str, asset_id: int) -> str:
    """The HTML of one asset's status block on the lesson edit page."""
    start = page.index(f'data-asset="{asset_id}"')
    return page[start:page.index("</details>", start)]


def post_form(client, url, **data):
    token = client.csrf if getattr(client, "csrf", None) else None
    return client.post(url, data={**data, **({"csrf_token": token} if token else {})})


def api_post(client, url):
    headers = {"X-CSRFToken": client.csrf} if getattr(client, "csrf", None) else {}
    return client.post(url, headers=headers)


# ---------------------------------------------------------------- progress

def test_processing_video_shows_a_bar_percent_and_time_left_in_words(db, teacher, lesson):
    """While a video is prepared, the page shows a <progress>, the percent and 「还剩约 N 分钟」, status in a live region."""
    asset = make_asset(db, lesson, "processing", filename="第一课.mp4", progress=42.4, eta_seconds=100)
    part = block(edit_page(teacher, lesson), asset.id)
    assert re.search(r'<progress[^>]*value="42.4"', part)
    assert "已完成 42%" in part and "还剩约 2 分钟" in part
    status = re.search(r'<span role="status" aria-live="polite"[^>]*>([^<]*)</span>', part)
    assert status and status.group(1) == "正在准备播放。"
    assert 'data-asset-state="processing"' in part


@pytest.mark.parametrize("eta, words", [(None, "正在估算剩余时间"), (30, "还剩不到一分钟"),
                                        (3 * 3600 + 600, "还剩约 3 小时 10 分钟")])
def test_time_left_is_said_in_words(db, teacher, lesson, eta, words):
    """Unknown, under a minute, and hours: each said plainly."""
    asset = make_asset(db, lesson, "processing", filename="第一课.mp4", progress=5.0, eta_seconds=eta)
    assert words in block(edit_page(teacher, lesson), asset.id)


def test_queued_video_shows_its_status_without_a_bar(db, teacher, lesson):
    """A queued video says it waits its turn; the bar is hidden until the work starts."""
    asset = make_asset(db, lesson, "queued", filename="第一课.mp4")
    part = block(edit_page(teacher, lesson), asset.id)
    assert "已收到，正在排队等待" in part
    assert re.search(r'data-asset-running\s+hidden', part)


def test_lesson_api_and_its_schema_carry_progress_and_eta(db, teacher, lesson):
    """GET /api/v1/lessons/{id} has progress and eta_seconds for the pending video, and the OpenAPI schema lists them."""
    asset = make_asset(db, lesson, "processing", filename="第一课.mp4", progress=61.0, eta_seconds=75)
    body = teacher.get(f"/api/v1/lessons/{lesson.id}").get_json()
    assert body["pending_video"]["id"] == asset.id
    assert body["pending_video"]["progress"] == 61.0 and body["pending_video"]["eta_seconds"] == 75
    schemas = teacher.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert {"progress", "eta_seconds"} <= set(schemas["Media"]["properties"])


# ---------------------------------------------------------------- failure and 「重试」

def test_failed_video_shows_the_reason_and_retry_to_the_teacher_but_not_ffmpeg_detail(db, teacher, lesson):
    """The teacher reads the plain reason and gets a 「重试」 form with CSRF; ffmpeg's words are not on the page."""
    asset = failed_asset(db, lesson)
    page = edit_page(teacher, lesson)
    part = block(page, asset.id)
    assert "没能转换成可以播放的格式" in part and "重试" in part  # the reason itself, with no prefix before it
    form = re.search(r'<form method="post" action="/teaching/assets/%d/retry" data-asset-retry\s*>' % asset.id, part)
    assert form, "the retry form is shown (not hidden)"
    assert 'name="csrf_token"' in part
    assert "Invalid NAL unit" not in page
    assert re.search(r"<details[^>]*data-asset-detail\s+hidden", part)


def test_admin_additionally_sees_the_ffmpeg_detail(app, db, teacher, lesson):
    """An admin gets ffmpeg's detail in a <details> block under the reason."""
    asset = failed_asset(db, lesson)
    admin = signed_in(app, db, roles=("admin",))
    part = block(edit_page(admin, lesson), asset.id)
    assert re.search(r"<details[^>]*data-asset-detail\s*>", part)
    assert html.escape(DETAIL.splitlines()[0], quote=False) in part


def test_a_file_that_is_no_recording_offers_no_retry(db, teacher, lesson):
    """A failure that retrying cannot fix (not a recording at all) asks for another upload instead of 「重试」."""
    asset = failed_asset(db, lesson, code="not_media")
    part = block(edit_page(teacher, lesson), asset.id)
    assert re.search(r"data-asset-retry\s+hidden", part)
    assert re.search(r"<p class=\"hint\" data-asset-reupload>", part)


@pytest.mark.parametrize("role, status", [("anonymous", 302), ("student", 403), ("other_teacher", 403),
                                          ("teacher", 302), ("admin", 302)])
def test_who_may_press_retry_on_the_page(app, db, teacher, lesson, queued, role, status):
    """Only the course's teachers and admins retry; others are sent to sign in or refused, and nothing changes."""
    asset = failed_asset(db, lesson)
    client = client_for(app, db, teacher, role)
    response = post_form(client, f"/teaching/assets/{asset.id}/retry")
    assert response.status_code == status
    db.session.expire_all()
    if role in ("teacher", "admin"):
        assert response.headers["Location"].endswith(f"/teaching/lessons/{lesson.id}/edit#media")
        assert asset.status == "queued" and asset.attempts == 0 and asset.error is None
        assert queued == [asset.id]
    else:
        assert asset.status == "failed" and asset.attempts == 3 and queued == []
        if role == "anonymous":
            assert "/login" in response.headers["Location"]


def test_retry_form_commits_once_then_shows_progress(db, teacher, lesson, queued):
    """After 「重试」 the page says so and follows the video again; a second press changes nothing."""
    asset = failed_asset(db, lesson)
    response = post_form(teacher, f"/teaching/assets/{asset.id}/retry")
    page = teacher.get(response.headers["Location"]).get_data(as_text=True)
    assert "正在重试" in page
    assert 'data-asset-state="queued"' in block(page, asset.id)
    again = post_form(teacher, f"/teaching/assets/{asset.id}/retry")
    assert again.status_code == 302 and "已经在重试了" in teacher.get(again.headers["Location"]).get_data(as_text=True)
    assert queued == [asset.id]


def test_retry_form_needs_the_csrf_token(db, teacher, lesson, queued):
    """A 「重试」 post without the CSRF token is refused with 400 and changes nothing."""
    asset = failed_asset(db, lesson)
    response = teacher.post(f"/teaching/assets/{asset.id}/retry", data={})
    assert response.status_code == 400
    db.session.expire_all()
    assert asset.status == "failed" and queued == []


def test_retry_of_something_not_retryable_is_told_plainly(db, teacher, lesson, queued):
    """「重试」 on a file that is no recording goes back to the page with a plain message; nothing changes."""
    asset = failed_asset(db, lesson, code="not_media")
    response = post_form(teacher, f"/teaching/assets/{asset.id}/retry")
    assert response.status_code == 302
    page = teacher.get(response.headers["Location"]).get_data(as_text=True)
    assert "这段录像无法重试" in page
    db.session.expire_all()
    assert asset.status == "failed" and queued == []


def test_retry_of_a_missing_video_is_404(db, teacher):
    """A 「重试」 for a video that does not exist is a plain 404."""
    assert post_form(teacher, "/teaching/assets/987654/retry").status_code == 404


@pytest.mark.parametrize("role, status", [("anonymous", 401), ("student", 403), ("other_teacher", 403),
                                          ("teacher", 200), ("admin", 200)])
def test_who_may_retry_through_the_api(app, db, teacher, lesson, queued, role, status):
    """POST /api/v1/assets/{id}/retry follows the same rule as the page: JSON 401/403 for others."""
    asset = failed_asset(db, lesson)
    client = client_for(app, db, teacher, role)
    response = api_post(client, f"/api/v1/assets/{asset.id}/retry")
    assert response.status_code == status
    db.session.expire_all()
    if status == 200:
        body = response.get_json()
        assert body["id"] == asset.id and body["status"] == "queued" and body["progress"] == 0
        assert asset.status == "queued" and queued == [asset.id]
    else:
        assert response.get_json()["code"] == ("login_required" if status == 401 else "forbidden")
        assert asset.status == "failed" and queued == []


def test_api_retry_answers_409_when_it_cannot_help(db, teacher, lesson, queued):
    """Retrying a file that is no recording, or a ready video, is a 409 with a plain message."""
    for asset in (failed_asset(db, lesson, code="not_media"), make_asset(db, lesson, "ready", filename="第一课.mp4")):
        response = api_post(teacher, f"/api/v1/assets/{asset.id}/retry")
        assert response.status_code == 409
        assert response.get_json()["code"] == "not_retryable" and "无法重试" in response.get_json()["message"]
    assert queued == []


def test_api_retry_needs_csrf_from_a_browser_session_and_is_404_for_unknown(db, teacher, lesson, queued):
    """A session caller without X-CSRFToken is refused (400), and an unknown asset is 404."""
    asset = failed_asset(db, lesson)
    assert teacher.post(f"/api/v1/assets/{asset.id}/retry").status_code == 400
    assert api_post(teacher, "/api/v1/assets/987654/retry").status_code == 404
    db.session.expire_all()
    assert asset.status == "failed" and queued == []


def test_asset_api_shows_ffmpeg_detail_only_to_admins(app, db, teacher, lesson):
    """GET /api/v1/assets/{id}: retryable for both; error_detail only for an admin."""
    asset = failed_asset(db, lesson)
    mine = teacher.get(f"/api/v1/assets/{asset.id}").get_json()
    assert mine["retryable"] is True and mine["error_detail"] is None and mine["error"]
    admin = signed_in(app, db, roles=("admin",))
    assert admin.get(f"/api/v1/assets/{asset.id}").get_json()["error_detail"] == DETAIL


# ---------------------------------------------------------------- captions

def add_caption(db, lesson, data: bytes, tmp_path, name="第一课.srt", lang="zh") -> Caption:
    """A caption file given to the lesson as a finished upload would be (stored, decoded, converted)."""
    source = Path(tmp_path) / name
    source.write_bytes(data)
    caption = services.add_caption(lesson, source, name, lang, None, move=False)
    db.session.commit()
    return caption


def caption_item(page: str, caption_id: int) -> str:
    """The HTML of one caption in the panel's list."""
    start = page.index(f'id="caption-{caption_id}"')
    ends = [i for i in (page.find('class="caption-item"', start), page.find("<noscript>", start)) if i != -1]
    return page[start:min(ends)]


def test_caption_page_shows_encoding_and_first_lines_and_keeps_cues(app, db, teacher, lesson, tmp_path):
    """A GB18030 file: the page says so and shows its first lines; the cues (times and words) are kept on the row."""
    caption = add_caption(db, lesson, SRT_ZH.encode("gb18030"), tmp_path)
    assert caption.status == "ready" and caption.encoding == "gb18030"
    assert caption.cues == [{"start": 1.0, "end": 3.0, "text": "大家好，今天我们学习书法。"},
                            {"start": 3.5, "end": 5.0, "text": "请拿起毛笔。"}]
    item = caption_item(edit_page(teacher, lesson), caption.id)
    assert "识别的编码：GB18030 / GBK" in item
    assert "<li>大家好，今天我们学习书法。</li>" in item and "<li>请拿起毛笔。</li>" in item
    assert re.search(r'<option value="gb18030" selected>', item)
    assert f'action="/teaching/captions/{caption.id}/encoding"' in item


def test_choosing_another_encoding_rereads_the_file_and_replaces_the_webvtt(app, db, teacher, lesson, tmp_path):
    """A Big5 file cannot be read at first; choosing Big5 makes it ready, with cues, new WebVTT and a fresh preview."""
    caption = add_caption(db, lesson, SRT_BIG5.encode("big5"), tmp_path)
    assert caption.status == "failed" and caption.vtt_path is None
    item = caption_item(edit_page(teacher, lesson), caption.id)
    assert "请选择这个文件的编码" in item
    response = post_form(teacher, f"/teaching/captions/{caption.id}/encoding", encoding="big5")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#caption-{caption.id}")
    db.session.expire_all()
    assert caption.status == "ready" and caption.encoding == "big5" and caption.error is None
    assert caption.cues == [{"start": 1.0, "end": 3.0, "text": "大家好，今天我們學習書法，請拿起毛筆。"}]
    vtt = Path(app.config["MEDIA_DIR"]) / caption.vtt_path
    assert vtt.read_text(encoding="utf-8").startswith("WEBVTT") and "我們學習書法" in vtt.read_text(encoding="utf-8")
    page = teacher.get(response.headers["Location"]).get_data(as_text=True)
    assert "已按 Big5 重新读取字幕" in page and "<li>大家好，今天我們學習書法，請拿起毛筆。</li>" in page


def test_rereading_a_ready_caption_writes_a_new_file_and_removes_the_old_after_commit(app, db, teacher, lesson,
                                                                                    tmp_path):
    """Reading a ready caption again writes its WebVTT under a new name; the old file goes once the change is committed."""
    caption = add_caption(db, lesson, SRT_ZH.encode("gb18030"), tmp_path)
    old_vtt = Path(app.config["MEDIA_DIR"]) / caption.vtt_path
    assert old_vtt.is_file()
    post_form(teacher, f"/teaching/captions/{caption.id}/encoding", encoding="gb18030")
    db.session.expire_all()
    new_vtt = Path(app.config["MEDIA_DIR"]) / caption.vtt_path
    assert new_vtt != old_vtt and new_vtt.is_file() and not old_vtt.exists()
    assert not list(new_vtt.parent.glob(".*.tmp"))


def test_an_encoding_that_cannot_read_the_file_changes_nothing(app, db, teacher, lesson, tmp_path):
    """UTF-8 chosen for a GB18030 file: a plain message, and the caption, its WebVTT and cues stay as they were."""
    caption = add_caption(db, lesson, SRT_ZH.encode("gb18030"), tmp_path)
    before = (caption.vtt_path, caption.encoding, caption.cues)
    response = post_form(teacher, f"/teaching/captions/{caption.id}/encoding", encoding="utf-8")
    page = teacher.get(response.headers["Location"]).get_data(as_text=True)
    assert "用所选的编码读不出这个字幕文件" in page
    db.session.expire_all()
    assert (caption.vtt_path, caption.encoding, caption.cues) == before
    assert (Path(app.config["MEDIA_DIR"]) / caption.vtt_path).is_file()


@pytest.mark.parametrize("value", ["klingon", "", "latin-1"])
def test_only_the_listed_encodings_can_be_chosen(app, db, teacher, lesson, tmp_path, value):
    """An encoding outside the list is refused with a plain message; nothing changes."""
    caption = add_caption(db, lesson, SRT_ZH.encode("utf-8"), tmp_path)
    response = post_form(teacher, f"/teaching/captions/{caption.id}/encoding", encoding=value)
    assert "请从列表中选择一种编码" in teacher.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert caption.encoding == "utf-8"


def test_broken_timings_are_reported_by_line_number_on_the_page(app, db, teacher, lesson, tmp_path):
    """A caption time that cannot be read shows on the lesson page with its line number."""
    broken = "1\n00:00:01,000 --> 00:00:02,000\n你好\n\n2\n00:00:0x,000 --> 00:00:04,000\n再见\n"
    caption = add_caption(db, lesson, broken.encode(), tmp_path)
    assert caption.status == "failed" and caption.encoding == "utf-8" and caption.cues is None
    item = caption_item(edit_page(teacher, lesson), caption.id)
    assert "请检查这几行：第 6 行" in item
    assert "<li>你好</li>" in item  # the words read fine: the encoding is not the problem


def test_several_languages_each_show_their_own_preview(app, db, teacher, lesson, tmp_path):
    """A Chinese and an English caption are both listed, each with its language and first line."""
    zh = add_caption(db, lesson, codecs.BOM_UTF8 + SRT_ZH.encode(), tmp_path)
    en = add_caption(db, lesson, b"1\n00:00:01,000 --> 00:00:02,000\nGood morning\n", name="en.srt", lang="en",
                     tmp_path=tmp_path)
    page = edit_page(teacher, lesson)
    assert "识别的编码：UTF-8" in caption_item(page, zh.id)
    assert 'lang="en"' in caption_item(page, en.id) and "<li>Good morning</li>" in caption_item(page, en.id)
    assert {c.lang for c in db.session.scalars(select(Caption).where(Caption.lesson_id == lesson.id))} == {"zh", "en"}


@pytest.mark.parametrize("role, status", [("anonymous", 302), ("student", 403), ("other_teacher", 403),
                                          ("teacher", 302), ("admin", 302)])
def test_who_may_choose_a_caption_encoding(app, db, teacher, lesson, tmp_path, role, status):
    """Only the course's teachers and admins re-read a caption; others are sent to sign in or refused."""
    caption = add_caption(db, lesson, SRT_BIG5.encode("big5"), tmp_path)
    client = client_for(app, db, teacher, role)
    response = post_form(client, f"/teaching/captions/{caption.id}/encoding", encoding="big5")
    assert response.status_code == status
    db.session.expire_all()
    assert caption.status == ("ready" if role in ("teacher", "admin") else "failed")


def test_caption_encoding_needs_csrf_and_an_existing_caption(app, db, teacher, lesson, tmp_path):
    """Without the CSRF token: 400 and nothing changes; an unknown caption: 404."""
    caption = add_caption(db, lesson, SRT_BIG5.encode("big5"), tmp_path)
    assert teacher.post(f"/teaching/captions/{caption.id}/encoding", data={"encoding": "big5"}).status_code == 400
    db.session.expire_all()
    assert caption.status == "failed"
    assert post_form(teacher, "/teaching/captions/987654/encoding", encoding="big5").status_code == 404
