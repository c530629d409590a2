"""Uploads end to end: a real tus client (tuspy) against a live server, interrupted and resumed;
two clients on one upload; who may do what; and every kind of bad file ending in a clear state.
"""
from __future__ import annotations

import http.client
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select
from tusclient import client as tus_client
from tusclient.exceptions import TusCommunicationError

from elearn.courses.models import Handout
from elearn.uploads import tus
from elearn.video import services
from elearn.uploads.models import Upload
from elearn.video.models import Caption, MediaAsset
from tests.browser.conftest import live_db, live_server  # noqa: F401  (shared live-server fixtures)
from tests.clients import signed_in
from tests.factories import DEFAULT_PASSWORD, SRT, make_asset, make_lesson, make_user
from tests.video.clips import clip
from tests.video.test_tus import UPLOADS, create, part_file, patch, send_file, tus_headers, upload_path

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def bearer(live_server, user) -> dict:
    response = requests.post(f"{live_server.url}/api/v1/auth/token",
                             json={"login": user.login_name, "password": DEFAULT_PASSWORD}, timeout=10)
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def wait_for(condition, timeout=15.0):
    """Poll until ``condition()`` is truthy (the server thread works on its own schedule)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not reached")


def fresh(db, model, key):
    db.session.rollback()  # a new snapshot: see what the server thread committed
    return db.session.get(model, key, populate_existing=True)


# ---------------------------------------------------------------- a real tus client, live

def test_tuspy_upload_interrupted_then_resumed_by_a_new_client(live_server, live_db, queued):
    """tuspy sends one chunk and stops; a new client learns the offset by HEAD, finishes, the file is identical."""
    teacher = make_user(live_db, roles=["teacher"])
    lesson = make_lesson(live_db, teacher)
    source = clip("mp4")
    data = source.read_bytes()
    chunk = max(1024, len(data) // 3)
    headers = bearer(live_server, teacher)
    first = tus_client.TusClient(f"{live_server.url}/api/v1/uploads/", headers=headers).uploader(
        str(source), chunk_size=chunk, metadata={"filename": "第一课 握笔.mp4", "kind": "video",
                                                 "lesson_id": str(lesson.id)})
    first.upload(stop_at=chunk)  # the connection "drops" after the first chunk
    assert first.offset == chunk
    upload_id = first.url.rsplit("/", 1)[-1]
    assert fresh(live_db, Upload, upload_id).offset == chunk

    second = tus_client.TusClient(f"{live_server.url}/api/v1/uploads/", headers=headers).uploader(
        str(source), url=first.url, chunk_size=chunk)
    assert second.offset == chunk  # learned from HEAD, not remembered
    second.upload()

    upload = fresh(live_db, Upload, upload_id)
    assert upload.state == "complete" and upload.offset == len(data)
    asset = live_db.session.get(MediaAsset, upload.result_id("asset_id"))
    assert asset.status == "queued" and asset.lesson_id == lesson.id
    assert asset.original_filename == "第一课 握笔.mp4"
    stored = Path(live_server.app.config["MEDIA_DIR"]) / asset.source_path
    assert stored.read_bytes() == data
    assert stored.name == "source.mp4" and stored.parent.name == asset.key
    assert not part_file(live_server.app, first.url).exists()
    assert queued == [asset.id]


def test_a_dropped_connection_keeps_what_arrived_and_tuspy_finishes(live_server, live_db):
    """The socket closes half-way through a PATCH: the server records the bytes it got; tuspy resumes from there."""
    teacher = make_user(live_db, roles=["teacher"])
    lesson = make_lesson(live_db, teacher)
    headers = bearer(live_server, teacher)
    data = PDF + os.urandom(400_000)
    created = requests.post(f"{live_server.url}{UPLOADS}", timeout=10, headers={
        **headers, "Tus-Resumable": "1.0.0", "Upload-Length": str(len(data)),
        "Upload-Metadata": tus.encode_metadata({"filename": "讲义.pdf", "kind": "handout",
                                                "lesson_id": str(lesson.id)})})
    assert created.status_code == 201
    url = created.headers["Location"]
    conn = _open_patch(live_server, url, headers, offset=0, length=len(data))
    conn.send(data[:150_000])
    time.sleep(0.2)  # let the bytes leave this process before the reset (not an assertion on time)
    conn.sock.close()
    upload_id = url.rsplit("/", 1)[-1]
    wait_for(lambda: (u := fresh(live_db, Upload, upload_id)).lock_token is None and u.offset == 150_000)

    tmp = Path(live_server.app.config["MEDIA_DIR"]) / "tuspy-source.pdf"
    tmp.write_bytes(data)
    resumed = tus_client.TusClient(f"{live_server.url}{UPLOADS}", headers=headers).uploader(str(tmp), url=url)
    assert resumed.offset == 150_000
    resumed.upload()
    tmp.unlink()
    upload = fresh(live_db, Upload, upload_id)
    handout = live_db.session.get(Handout, upload.result_id("handout_id"))
    stored = Path(live_server.app.config["MEDIA_DIR"]) / handout.stored_path
    assert stored.read_bytes() == data
    assert handout.original_filename == "讲义.pdf"


def _open_patch(live_server, url, headers, *, offset, length):
    """A raw HTTP PATCH whose body the test sends by hand (to hold it open or drop it)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    conn.putrequest("PATCH", parts.path)
    for key, value in {**headers, "Tus-Resumable": "1.0.0", "Upload-Offset": str(offset),
                       "Content-Type": tus.OFFSET_CONTENT_TYPE, "Content-Length": str(length)}.items():
        conn.putheader(key, value)
    conn.endheaders()
    return conn


def test_two_clients_sending_one_upload_never_interleave(live_server, live_db):
    """While one PATCH is mid-body, a second at the same offset gets 409; the first finishes and the bytes are its own."""
    teacher = make_user(live_db, roles=["teacher"])
    lesson = make_lesson(live_db, teacher)
    headers = bearer(live_server, teacher)
    data_a, data_b = b"A" * 200_000, b"B" * 200_000
    created = requests.post(f"{live_server.url}{UPLOADS}", timeout=10, headers={
        **headers, "Tus-Resumable": "1.0.0", "Upload-Length": str(len(data_a) + 10),
        "Upload-Metadata": tus.encode_metadata({"filename": "讲义.pdf", "kind": "handout",
                                                "lesson_id": str(lesson.id)})})
    url = created.headers["Location"]
    upload_id = url.rsplit("/", 1)[-1]
    first = _open_patch(live_server, url, headers, offset=0, length=len(data_a))
    first.send(data_a[:100_000])
    wait_for(lambda: fresh(live_db, Upload, upload_id).lock_token is not None)

    second = requests.patch(url, data=data_b, timeout=10, headers={
        **headers, "Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": tus.OFFSET_CONTENT_TYPE})
    assert second.status_code == 409
    assert second.json()["code"] == "upload_busy"

    first.send(data_a[100_000:])
    response = first.getresponse()
    assert response.status == 204 and response.getheader("Upload-Offset") == str(len(data_a))
    assert part_file(live_server.app, url).read_bytes() == data_a
    late = requests.patch(url, data=data_b, timeout=10, headers={
        **headers, "Tus-Resumable": "1.0.0", "Upload-Offset": "0", "Content-Type": tus.OFFSET_CONTENT_TYPE})
    assert late.status_code == 409 and late.json()["code"] == "offset_mismatch"
    assert part_file(live_server.app, url).read_bytes() == data_a


def test_tuspy_sees_forged_and_over_limit_uploads_refused(live_server, live_db):
    """tuspy against a forged URL fails on HEAD (404); a file over the limit is refused at creation (413)."""
    teacher = make_user(live_db, roles=["teacher"])
    lesson = make_lesson(live_db, teacher)
    headers = bearer(live_server, teacher)
    forged = f"{live_server.url}{UPLOADS}{'x' * 32}"
    with pytest.raises(TusCommunicationError) as err:
        tus_client.TusClient(f"{live_server.url}{UPLOADS}", headers=headers).uploader(str(clip("mp4")), url=forged)
    assert err.value.status_code == 404
    app = live_server.app
    limit = app.config["MAX_UPLOAD_BYTES"]
    app.config["MAX_UPLOAD_BYTES"] = 1000
    try:
        uploader = tus_client.TusClient(f"{live_server.url}{UPLOADS}", headers=headers).uploader(
            str(clip("mp4")), metadata={"filename": "a.mp4", "kind": "video", "lesson_id": str(lesson.id)})
        with pytest.raises(TusCommunicationError) as err:
            uploader.upload()
        assert err.value.status_code == 413
    finally:
        app.config["MAX_UPLOAD_BYTES"] = limit
    assert live_db.session.scalar(select(Upload.id)) is None


# ---------------------------------------------------------------- who may do what

@pytest.fixture
def course_teacher(app, db):
    return signed_in(app, db)


@pytest.fixture
def lesson(db, course_teacher):
    return make_lesson(db, course_teacher.user)


def _client_for(app, db, who):
    if who == "anonymous":
        client = app.test_client()
        client.csrf = None
        return client
    roles = {"student": ["student"], "other_teacher": ["teacher"], "admin": ["admin"]}[who]
    return signed_in(app, db, roles)


@pytest.mark.parametrize("who, status", [("anonymous", 401), ("student", 403), ("other_teacher", 403),
                                         ("admin", 201)])
def test_who_may_start_an_upload(app, db, lesson, who, status):
    """Creation: anonymous 401, a student or a teacher of another course 403, an admin may."""
    client = _client_for(app, db, who)
    response = create(client, lesson.id, len(SRT))
    assert response.status_code == status
    if status >= 400:
        assert response.get_json()["message"]
        assert db.session.scalar(select(Upload.id)) is None


def test_course_teacher_may_start_an_upload(course_teacher, lesson):
    """The lesson's own teacher may."""
    assert create(course_teacher, lesson.id, len(SRT)).status_code == 201


@pytest.mark.parametrize("who, status", [("anonymous", 401), ("student", 404), ("other_teacher", 404),
                                         ("admin", 404)])
def test_an_upload_answers_only_to_its_creator(app, db, course_teacher, lesson, who, status):
    """HEAD, PATCH, DELETE and GET on someone else's upload: 401 without sign-in, else as if it did not exist."""
    path = upload_path(create(course_teacher, lesson.id, len(SRT)).headers["Location"])
    client = _client_for(app, db, who)
    responses = [client.head(path, headers=tus_headers(client)), patch(client, path, 0, SRT),
                 client.delete(path, headers=tus_headers(client)), client.get(path)]
    assert [r.status_code for r in responses] == [status] * 4
    assert course_teacher.head(path, headers=tus_headers(course_teacher)).headers["Upload-Offset"] == "0"
    assert part_file(app, path).exists()


def test_owner_may_head_patch_get_and_delete(app, course_teacher, lesson):
    """The creator gets 200/204/200/204."""
    path = upload_path(create(course_teacher, lesson.id, len(SRT) + 5).headers["Location"])
    assert course_teacher.head(path, headers=tus_headers(course_teacher)).status_code == 200
    assert patch(course_teacher, path, 0, SRT).status_code == 204
    assert course_teacher.get(path).get_json()["offset"] == len(SRT)
    assert course_teacher.delete(path, headers=tus_headers(course_teacher)).status_code == 204


def test_a_teacher_taken_off_the_course_cannot_continue(db, course_teacher, lesson):
    """Permission is checked on every PATCH, not only at creation: removed from the course, the teacher gets 403."""
    path = upload_path(create(course_teacher, lesson.id, len(SRT)).headers["Location"])
    lesson.course.teachers = []
    db.session.commit()
    assert patch(course_teacher, path, 0, SRT).status_code == 403


def test_bearer_token_works_without_csrf(app, db, client, course_teacher, lesson):
    """An API caller with a bearer token runs the whole protocol; no session, no CSRF token."""
    token = client.post("/api/v1/auth/token", json={"login": course_teacher.user.login_name,
                                                    "password": DEFAULT_PASSWORD}).get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    created = create(client, lesson.id, len(SRT), headers=auth)
    assert created.status_code == 201
    path = upload_path(created.headers["Location"])
    assert client.head(path, headers={**tus_headers(), **auth}).status_code == 200
    assert patch(client, path, 0, SRT, headers=auth).status_code == 204
    assert db.session.scalars(select(Caption).where(Caption.lesson_id == lesson.id)).one()


def test_a_session_without_the_csrf_header_is_refused(app, db, course_teacher, lesson):
    """Signed in by cookie but no X-CSRFToken: creation, PATCH and DELETE are refused and change nothing."""
    path = upload_path(create(course_teacher, lesson.id, len(SRT)).headers["Location"])
    token, course_teacher.csrf = course_teacher.csrf, None
    try:
        assert create(course_teacher, lesson.id, len(SRT)).status_code == 400
        refused = patch(course_teacher, path, 0, SRT)
        assert refused.status_code == 400 and refused.get_json()["code"] == "csrf_failed"
        assert course_teacher.delete(path, headers=tus_headers()).status_code == 400
        override = course_teacher.post(path, headers=tus_headers(X_HTTP_Method_Override="DELETE"))
        assert override.status_code == 400
    finally:
        course_teacher.csrf = token
    assert course_teacher.head(path, headers=tus_headers(course_teacher)).headers["Upload-Offset"] == "0"
    assert db.session.scalar(select(Upload.id).where(Upload.user_id == course_teacher.user.id).limit(1))


@pytest.mark.parametrize("who, status", [("anonymous", 401), ("student", 403), ("other_teacher", 403),
                                         ("admin", 200)])
def test_who_may_see_an_assets_processing_state(app, db, course_teacher, lesson, who, status):
    """GET /api/v1/assets/<id>: the lesson's teachers and admins; 401/403 for the rest."""
    asset = make_asset(db, lesson, "queued", filename="a.mp4", size=1)
    client = _client_for(app, db, who)
    assert client.get(f"/api/v1/assets/{asset.id}").status_code == status
    assert course_teacher.get(f"/api/v1/assets/{asset.id}").get_json()["status"] == "queued"
    assert course_teacher.get("/api/v1/assets/999999").status_code == 404


# ---------------------------------------------------------------- bad input, each ending in a clear state

def _upload_video(client, lesson, name, filename=None):
    data = clip(name).read_bytes()
    path, _ = send_file(client, lesson.id, data, kind="video", filename=filename or clip(name).name, chunk=64 * 1024)
    return client.get(path).get_json()


@pytest.mark.parametrize("name, code, message", [
    ("text_as_mp4", "not_media", "这个文件不是视频或音频，无法使用"),
    ("png_as_mp4", "not_media", "这个文件不是视频或音频，无法使用"),
    ("jpeg_as_mp4", "not_media", "这个文件不是视频或音频，无法使用"),
    ("srt_as_mkv", "not_media", "这个文件不是视频或音频，无法使用"),
    ("truncated_mp4", "media_damaged", "已损坏或不完整"),
    ("half_second", "not_media", "不到一秒"),
])
def test_files_that_are_not_a_usable_recording_fail_with_a_plain_message(app, db, course_teacher, lesson, queued,
                                                                          name, code, message):
    """A renamed text file, a still image, subtitles sent as video, a truncated video, a too-short clip:
    the upload completes, the asset is failed with a plain message, nothing is queued, and
    lesson_media shows it as pending_video."""
    result = _upload_video(course_teacher, lesson, name)
    asset = result["asset"]
    assert result["state"] == "complete"
    assert asset["status"] == "failed"
    assert message in asset["error"]
    assert db.session.get(MediaAsset, asset["id"]).error_code == code
    assert queued == []
    media = services.lesson_media(lesson.id)
    assert media["video"] is None and media["pending_video"]["id"] == asset["id"]
    assert media["pending_video"]["status"] == "failed"
    source = Path(app.config["MEDIA_DIR"]) / db.session.get(MediaAsset, asset["id"]).source_path
    assert source.read_bytes() == clip(name).read_bytes()  # kept for the admin to look at, never served


@pytest.mark.parametrize("name, kind", [
    ("mp4", "video"), ("mov", "video"), ("m4v", "video"), ("mkv", "video"), ("webm", "video"), ("avi", "video"),
    ("wmv", "video"), ("flv", "video"), ("3gp", "video"), ("mts", "video"), ("m2ts", "video"), ("mpg", "video"),
    ("mp3", "audio"), ("m4a", "audio"), ("aac", "audio"), ("wav", "audio"),
])
def test_every_common_format_is_accepted_and_queued(app, db, course_teacher, lesson, queued, name, kind):
    """Each format teachers bring (issue 3's list) is probed, accepted, stored and handed to the queue."""
    result = _upload_video(course_teacher, lesson, name)
    asset = db.session.get(MediaAsset, result["asset"]["id"])
    assert asset.status == "queued", asset.error
    assert asset.kind == kind
    assert asset.duration and asset.duration >= 1
    assert queued == [asset.id]
    assert (Path(app.config["MEDIA_DIR"]) / asset.source_path).read_bytes() == clip(name).read_bytes()


def test_video_with_a_misleading_name_is_judged_by_its_content(app, db, course_teacher, lesson, queued):
    """A real video called 'notes.txt' is accepted: the extension is only a hint."""
    result = _upload_video(course_teacher, lesson, "mp4", filename="notes.txt")
    assert result["asset"]["status"] == "queued"


def test_empty_file_is_refused_before_anything_is_stored(app, db, course_teacher, lesson):
    """A 0-byte file: 400 with a plain message at creation; no upload, no asset."""
    response = create(course_teacher, lesson.id, 0, kind="video", filename="空.mp4")
    assert response.status_code == 400
    assert response.get_json()["code"] == "empty_file"
    assert db.session.scalar(select(Upload.id)) is None and db.session.scalar(select(MediaAsset.id)) is None


@pytest.mark.parametrize("lesson_id, status, code", [("999999", 404, "lesson_not_found"), ("", 400, "lesson_required"),
                                                     ("abc", 404, "lesson_not_found")])
def test_unknown_lesson_is_refused_at_creation(db, course_teacher, lesson, lesson_id, status, code):
    """No such lesson (or none given): refused before a byte, with a plain message."""
    response = create(course_teacher, lesson_id, 100, kind="video", filename="a.mp4")
    assert response.status_code == status
    assert response.get_json()["code"] == code
    assert db.session.scalar(select(Upload.id)) is None


def test_unknown_kind_is_refused(course_teacher, lesson):
    """kind must be video, caption or handout."""
    response = create(course_teacher, lesson.id, 100, kind="virus", filename="a.exe")
    assert response.status_code == 400 and response.get_json()["code"] == "bad_kind"


def test_handout_upload_becomes_a_handout(app, db, course_teacher, lesson):
    """A PDF sent by tus is recorded as a handout of the lesson, under a name the server chose."""
    path, _ = send_file(course_teacher, lesson.id, PDF, kind="handout", filename="第一课讲义.pdf")
    result = course_teacher.get(path).get_json()
    handout = db.session.get(Handout, result["handout_id"])
    assert handout.lesson_id == lesson.id and handout.original_filename == "第一课讲义.pdf"
    assert (Path(app.config["MEDIA_DIR"]) / handout.stored_path).read_bytes() == PDF
    assert "第一课" not in handout.stored_path


def test_renamed_handout_is_refused_after_upload_with_a_message(app, db, course_teacher, lesson):
    """A text file named .pdf: the upload finishes, is marked refused with a plain message, and no file is kept."""
    handouts = Path(app.config["MEDIA_DIR"]) / "handouts" / str(lesson.id)
    before = set(handouts.iterdir()) if handouts.exists() else set()
    path, _ = send_file(course_teacher, lesson.id, b"just some text\n" * 10, kind="handout", filename="讲义.pdf")
    result = course_teacher.get(path).get_json()
    assert result["state"] == "refused" and result["handout_id"] is None
    assert result["error"]
    assert db.session.scalar(select(Handout.id).where(Handout.lesson_id == lesson.id)) is None
    assert (set(handouts.iterdir()) if handouts.exists() else set()) == before
    assert not part_file(app, path).exists()


@pytest.mark.parametrize("kind, filename, meta, status, code", [
    ("handout", "setup.exe", {}, 415, "handout_type"),
    ("caption", "字幕.txt", {}, 415, "caption_type"),
    ("caption", "字幕.srt", {"lang": "klingon"}, 400, "caption_language"),
])
def test_wrong_kind_of_handout_or_caption_is_refused_up_front(db, course_teacher, lesson, kind, filename, meta,
                                                              status, code):
    """Handouts and captions are checked by name and language before any byte is accepted."""
    response = create(course_teacher, lesson.id, 100, kind=kind, filename=filename, **meta)
    assert response.status_code == status and response.get_json()["code"] == code
    assert db.session.scalar(select(Upload.id)) is None


def test_caption_upload_keeps_language_and_file(app, db, course_teacher, lesson):
    """An English .srt becomes an English caption of the lesson; lesson_media lists it."""
    path, _ = send_file(course_teacher, lesson.id, SRT, kind="caption", filename="english.srt", lang="en")
    caption = db.session.get(Caption, course_teacher.get(path).get_json()["caption_id"])
    assert caption.lang == "en" and caption.lesson_id == lesson.id
    assert (Path(app.config["MEDIA_DIR"]) / caption.source_path).read_bytes() == SRT
    listed = services.lesson_media(lesson.id)["captions"]
    assert [c["id"] for c in listed] == [caption.id] and listed[0]["lang"] == "en"


def test_caption_upload_is_converted_to_webvtt(app, db, course_teacher, lesson):
    """A GB18030 (older Chinese software) .srt is decoded, converted to WebVTT and ready."""
    data = SRT.decode("utf-8").encode("gb18030")
    path, _ = send_file(course_teacher, lesson.id, data, kind="caption", filename="第一课.srt")
    caption = db.session.get(Caption, course_teacher.get(path).get_json()["caption_id"])
    assert caption.status == "ready" and caption.encoding == "gb18030"
    vtt = (Path(app.config["MEDIA_DIR"]) / caption.vtt_path).read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT") and "00:00:00.000 --> 00:00:02.000" in vtt and "今天学习书法" in vtt


def test_captions_with_broken_times_fail_with_the_line_numbers(db, course_teacher, lesson):
    """Broken timings: the caption is kept as failed, and the message (in the reader's language) names the lines."""
    broken = "1\n00:00:01,000 --> 00:00:03,000\n你好\n\n2\n00:00:0x,000 --> 00:00:05,000\n再见\n".encode()
    send_file(course_teacher, lesson.id, broken, kind="caption", filename="坏.srt")
    [listed] = course_teacher.get(f"/api/v1/lessons/{lesson.id}").get_json()["captions"]
    assert listed["status"] == "failed"
    assert "第 6 行" in listed["error"]  # the broken time line, in Chinese with its number


def test_a_new_ready_caption_replaces_the_old_one_in_that_language(app, db, course_teacher, lesson):
    """Uploading Chinese captions again retires the older Chinese track (row and files); English stays."""
    send_file(course_teacher, lesson.id, SRT, kind="caption", filename="旧.srt")
    send_file(course_teacher, lesson.id, SRT, kind="caption", filename="english.srt", lang="en")
    old = db.session.scalars(select(Caption).where(Caption.lesson_id == lesson.id, Caption.lang == "zh")).one()
    old_files = [Path(app.config["MEDIA_DIR"]) / p for p in (old.source_path, old.vtt_path)]
    send_file(course_teacher, lesson.id, SRT, kind="caption", filename="新.srt")
    db.session.expire_all()
    captions = db.session.scalars(select(Caption).where(Caption.lesson_id == lesson.id)).all()
    assert sorted((c.lang, c.original_filename) for c in captions) == [("en", "english.srt"), ("zh", "新.srt")]
    assert not any(p.exists() for p in old_files)
