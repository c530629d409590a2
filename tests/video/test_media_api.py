"""What a lesson shows of its media (``lesson_media`` and GET /api/v1/lessons/{id}), package import,
lesson deletion, and the upload widget on the lesson edit page."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from elearn.video import services
from elearn.video.models import Caption, MediaAsset
from tests.factories import SRT, make_asset
from tests.video.clips import clip
from tests.video.test_tus import send_file

# The keys the issue names, plus what the player and the teacher's page use besides.
ASSET_KEYS = {"id", "status", "progress", "error", "duration", "hls_url", "mp4_url", "poster_url",
              "eta_seconds", "kind", "thumbnail_url", "audio_url"}


def upload_video(client, lesson, name="mp4"):
    path, _ = send_file(client, lesson.id, clip(name).read_bytes(), kind="video", filename=f"{name}.mp4")
    return client.get(path).get_json()["asset"]


def test_a_lesson_without_media(db, lesson):
    """No upload yet: no video, nothing pending, no captions."""
    assert services.lesson_media(lesson.id) == {"video": None, "pending_video": None, "captions": []}


def test_replacing_a_video_keeps_serving_the_ready_one(app, db, teacher, lesson, queued):
    """A ready video stays `video` while its replacement is uploaded (`pending_video`, queued), also in the API."""
    old = make_asset(db, lesson, "ready", duration=65.0)  # transcoding is issue 4: made ready by hand
    new = upload_video(teacher, lesson)
    assert new["status"] == "queued"
    body = teacher.get(f"/api/v1/lessons/{lesson.id}").get_json()
    assert body["video"]["id"] == old.id and body["video"]["status"] == "ready"
    assert body["pending_video"]["id"] == new["id"] and body["pending_video"]["status"] == "queued"
    assert set(body["video"]) == ASSET_KEYS and set(body["pending_video"]) == ASSET_KEYS
    assert queued == [new["id"]]


def test_a_failed_replacement_leaves_the_old_video_in_place(app, db, teacher, lesson, queued):
    """A bad replacement shows as a failed pending_video with its message; learners keep the ready one."""
    old = make_asset(db, lesson, "ready")
    failed = upload_video(teacher, lesson, "text_as_mp4")
    media = services.lesson_media(lesson.id)
    assert media["video"]["id"] == old.id
    assert media["pending_video"]["id"] == failed["id"] and media["pending_video"]["status"] == "failed"
    assert "无法使用" in media["pending_video"]["error"]
    assert queued == []


def test_once_the_replacement_is_ready_it_is_served_and_nothing_is_pending(db, lesson):
    """The newest ready asset wins; failures older than it are no longer pending."""
    make_asset(db, lesson, "ready")
    make_asset(db, lesson, "failed", error="This file is not a video or audio recording and cannot be used.")
    newest = make_asset(db, lesson, "ready")
    media = services.lesson_media(lesson.id)
    assert media["video"]["id"] == newest.id and media["pending_video"] is None


@pytest.mark.parametrize("status", ["probing", "queued", "processing", "failed"])
def test_every_unfinished_status_is_pending(db, lesson, status):
    """probing, queued, processing and failed are all shown as pending_video (with progress)."""
    asset = make_asset(db, lesson, status, progress=42.0)
    media = services.lesson_media(lesson.id)
    assert media["video"] is None
    assert media["pending_video"]["id"] == asset.id and media["pending_video"]["progress"] == 42.0
    assert media["pending_video"]["hls_url"] is None  # renditions and signed URLs come with issue 4


def test_the_error_is_told_in_the_readers_language(app, db, teacher, lesson):
    """A failure stored once is shown in Chinese by default and in English to someone who chose English."""
    asset = make_asset(db, lesson, "failed", error="This file is empty (0 bytes). Please choose the file again.")
    chinese = teacher.get(f"/api/v1/assets/{asset.id}").get_json()["error"]
    teacher.set_cookie("elearn_lang", "en")
    teacher.user.locale = None
    db.session.commit()
    english = teacher.get(f"/api/v1/assets/{asset.id}").get_json()["error"]
    assert english.startswith("This file is empty")
    assert chinese != english and "空" in chinese


def test_captions_are_listed_with_language_and_status(db, teacher, lesson):
    """Captions appear in lesson_media and the lesson API as {id, lang, status, label, url}."""
    send_file(teacher, lesson.id, SRT, kind="caption", filename="zh.srt")
    body = teacher.get(f"/api/v1/lessons/{lesson.id}").get_json()
    [caption] = body["captions"]
    assert {"id", "lang", "status", "label", "url"} <= set(caption)
    assert caption["lang"] == "zh" and caption["label"] == "中文"
    assert caption["status"] in {"uploaded", "ready"}


def test_import_video_file_copies_probes_and_queues(app, db, lesson, queued):
    """Package import takes the same path as an upload: a copy under media/sources/<id>/, probed, queued."""
    source = clip("mp4")
    asset = services.import_video_file(lesson, source)
    db.session.commit()
    assert asset.status == "queued" and asset.duration >= 1
    stored = Path(app.config["MEDIA_DIR"]) / asset.source_path
    assert stored.read_bytes() == source.read_bytes() and source.exists()
    assert queued == [asset.id]


def test_import_of_a_non_recording_fails_plainly(app, db, lesson, queued):
    """A text file in a package becomes a failed asset with the plain message; nothing queued."""
    asset = services.import_video_file(lesson, clip("text_as_mp4"))
    db.session.commit()
    assert asset.status == "failed" and asset.error and queued == []


def test_import_rolled_back_leaves_no_file(app, db, lesson, queued):
    """If the importing transaction rolls back, the copied file goes too (no half-done state)."""
    asset = services.import_video_file(lesson, clip("mp4"))
    stored = Path(app.config["MEDIA_DIR"]) / asset.source_path
    assert stored.exists()
    db.session.rollback()
    assert not stored.exists() and queued == []


def test_deleting_a_lesson_removes_its_media_files(app, db, teacher, lesson, queued):
    """Lesson deleted: asset and caption rows go (cascade) and their files after the commit."""
    asset = upload_video(teacher, lesson)
    send_file(teacher, lesson.id, SRT, kind="caption", filename="zh.srt")
    source = Path(app.config["MEDIA_DIR"]) / db.session.get(MediaAsset, asset["id"]).source_path
    caption = db.session.scalars(select(Caption).where(Caption.lesson_id == lesson.id)).one()
    caption_file = Path(app.config["MEDIA_DIR"]) / caption.source_path
    assert source.exists() and caption_file.exists()
    response = teacher.delete(f"/api/v1/lessons/{lesson.id}", headers={"X-CSRFToken": teacher.csrf})
    assert response.status_code == 204
    db.session.expire_all()
    assert db.session.get(MediaAsset, asset["id"]) is None
    assert not source.exists() and not source.parent.exists() and not caption_file.exists()


def test_upload_result_shows_what_the_file_became(teacher, lesson, queued):
    """GET on the upload URL (JSON, owner only) reports the asset it became, with its status."""
    path, _ = send_file(teacher, lesson.id, clip("mp4").read_bytes(), kind="video", filename="课.mp4")
    result = teacher.get(path).get_json()
    assert result["state"] == "complete" and result["kind"] == "video"
    assert set(result["asset"]) == ASSET_KEYS and result["asset"]["status"] == "queued"


def test_lesson_edit_page_carries_the_upload_widget(app, db, teacher, lesson):
    """The widget: pickers for video, captions (with language) and handouts, translated words in data-
    attributes, the tus and lesson API URLs, and no inline script or style."""
    make_asset(db, lesson, "queued")
    html = teacher.get(f"/teaching/lessons/{lesson.id}/edit").get_data(as_text=True)
    panel = html[html.index("data-upload-panel"):]
    assert 'data-uploads-url="/api/v1/uploads/"' in panel
    assert 'data-asset-api-url="/api/v1/assets/0"' in panel
    for picker in ('data-kind="video"', 'data-kind="caption"', 'data-kind="handout"', "data-caption-lang"):
        assert picker in panel
    assert 'data-msg-paused="已暂停' in panel
    assert "vendor/tus.min.js" in html and "js/upload.js" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert " style=" not in html
    assert 'data-asset-state="queued"' in panel
    assert (Path(app.static_folder) / "vendor" / "tus.min.js").exists(), "run `make frontend`"


def test_openapi_documents_the_upload_endpoints(client):
    """The tus endpoints are in the OpenAPI document."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"options", "post"} <= set(paths["/api/v1/uploads/"])
    assert {"head", "patch", "delete", "options"} <= set(paths["/api/v1/uploads/{upload_id}"])
