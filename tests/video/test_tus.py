"""tus 1.0.0 conformance of /api/v1/uploads/, with plain requests through the Flask test client.

Caption uploads are used where the protocol, not the file, is under test: they need no probing.
The helpers at the top are shared with test_uploads.py and test_media_api.py.
"""
from __future__ import annotations

import base64
import io
import os
from datetime import timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from elearn.core.timeutil import utcnow
from elearn.uploads import tus
from elearn.uploads.models import Upload
from elearn.video.models import Caption
from tests.factories import SRT

UPLOADS = "/api/v1/uploads/"


# ---------------------------------------------------------------- helpers (shared)

def tus_headers(client=None, **extra) -> dict:
    headers = {"Tus-Resumable": "1.0.0"}
    if client is not None and getattr(client, "csrf", None):
        headers["X-CSRFToken"] = client.csrf
    headers.update({k.replace("_", "-"): v for k, v in extra.items()})
    return headers


def metadata(**values) -> str:
    return ",".join(f"{k} {base64.b64encode(str(v).encode()).decode()}" for k, v in values.items())


def create(client, lesson_id, length, *, kind="caption", filename="第一课.srt", headers=None, **meta):
    """POST a creation request; returns the response."""
    values = {"filename": filename, "kind": kind, "lesson_id": lesson_id, **meta}
    all_headers = tus_headers(client, Upload_Length=str(length), Upload_Metadata=metadata(**values))
    all_headers.update(headers or {})
    return client.post(UPLOADS, headers=all_headers)


def upload_path(location: str) -> str:
    return "/api/v1/uploads/" + location.rstrip("/").rsplit("/", 1)[-1]


def patch(client, path, offset, body: bytes, *, headers=None, content_type=tus.OFFSET_CONTENT_TYPE):
    all_headers = tus_headers(client, Upload_Offset=str(offset))
    all_headers.update(headers or {})
    return client.patch(path, data=body, headers=all_headers, content_type=content_type)


def send_file(client, lesson_id, data: bytes, *, kind, filename, chunk=None, **meta):
    """Create an upload and send ``data`` in chunks; returns (upload path, last response)."""
    created = create(client, lesson_id, len(data), kind=kind, filename=filename, **meta)
    assert created.status_code == 201, created.get_json()
    path = upload_path(created.headers["Location"])
    offset, response = 0, None
    chunk = chunk or len(data)
    while offset < len(data):
        response = patch(client, path, offset, data[offset:offset + chunk])
        assert response.status_code == 204, response.get_json()
        offset = int(response.headers["Upload-Offset"])
    return path, response


def part_file(app, path: str) -> Path:
    return Path(app.config["MEDIA_DIR"]) / "uploads" / f"{path.rsplit('/', 1)[-1]}.part"


# ---------------------------------------------------------------- discovery and creation

def test_options_lists_version_extensions_and_max_size(client, app):
    """OPTIONS needs no sign-in and announces 1.0.0, creation/termination/expiration and the size limit."""
    for url in (UPLOADS, UPLOADS + "anything-at-all-123456"):
        response = client.options(url)
        assert response.status_code == 204
        assert response.headers["Tus-Version"] == "1.0.0"
        assert set(response.headers["Tus-Extension"].split(",")) == {"creation", "termination", "expiration"}
        assert response.headers["Tus-Max-Size"] == str(app.config["MAX_UPLOAD_BYTES"])


def test_creation_answers_201_with_location_and_expiry(app, teacher, lesson):
    """POST makes an empty .part file named by a random id (never the client's name) and a Location."""
    response = create(teacher, lesson.id, len(SRT), filename="../../etc/passwd.srt")
    assert response.status_code == 201
    assert response.headers["Tus-Resumable"] == "1.0.0"
    location = response.headers["Location"]
    assert location.startswith("http://localhost/api/v1/uploads/")
    expires = parsedate_to_datetime(response.headers["Upload-Expires"]).replace(tzinfo=None)
    assert timedelta(hours=23, minutes=59) < expires - utcnow() <= timedelta(hours=24)
    part = part_file(app, location)
    assert part.is_file() and part.stat().st_size == 0
    assert part.parent == Path(app.config["MEDIA_DIR"]) / "uploads"
    assert "passwd" not in part.name


def test_creation_also_answers_without_trailing_slash(teacher, lesson):
    """Some clients POST to /api/v1/uploads without the slash: no redirect, same result."""
    headers = tus_headers(teacher, Upload_Length=str(len(SRT)),
                          Upload_Metadata=metadata(filename="a.srt", kind="caption", lesson_id=lesson.id))
    assert teacher.post("/api/v1/uploads", headers=headers).status_code == 201


@pytest.mark.parametrize("headers, status", [
    ({"Upload-Length": None}, 400),
    ({"Upload-Length": "-5"}, 400),
    ({"Upload-Length": "12abc"}, 400),
    ({"Upload-Length": None, "Upload-Defer-Length": "1"}, 400),
    ({"Tus-Resumable": None}, 412),
    ({"Tus-Resumable": "0.2.2"}, 412),
    ({"Upload-Metadata": "filename not-base64!"}, 400),
    ({"Upload-Metadata": "kind dmlkZW8=,kind dmlkZW8="}, 400),
])
def test_creation_refuses_bad_headers(app, db, teacher, lesson, headers, status):
    """Missing or malformed Upload-Length, deferred length, wrong tus version, bad metadata: refused, nothing stored."""
    base = tus_headers(teacher, Upload_Length=str(len(SRT)),
                       Upload_Metadata=metadata(filename="a.srt", kind="caption", lesson_id=lesson.id))
    for key, value in headers.items():
        if value is None:
            base.pop(key, None)
        else:
            base[key] = value
    before = set((Path(app.config["MEDIA_DIR"]) / "uploads").glob("*.part"))
    response = teacher.post(UPLOADS, headers=base)
    assert response.status_code == status
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert response.get_json()["message"]
    if status == 412:
        assert response.headers["Tus-Version"] == "1.0.0"
    assert db.session.scalar(select(Upload.id)) is None
    assert set((Path(app.config["MEDIA_DIR"]) / "uploads").glob("*.part")) == before


def test_over_the_limit_is_refused_up_front_with_a_clear_message(app, db, teacher, lesson):
    """Upload-Length above MAX_UPLOAD_BYTES (4 GiB) gets 413 and says the limit, before any byte is sent."""
    response = create(teacher, lesson.id, app.config["MAX_UPLOAD_BYTES"] + 1, kind="video", filename="长视频.mp4")
    assert response.status_code == 413
    body = response.get_json()
    assert body["code"] == "upload_too_large"
    assert "4 GB" in body["message"] and "太大" in body["message"]
    assert db.session.scalar(select(Upload.id)) is None


def test_metadata_parsing_follows_the_spec():
    """Pairs are comma separated, values base64, a value may be absent; keys unique and without spaces."""
    name = base64.b64encode("书法入门.mp4".encode()).decode()
    header = f"filename {name}, is_confidential,lesson_id MTI="
    assert tus.parse_metadata(header) == {"filename": "书法入门.mp4", "is_confidential": "", "lesson_id": "12"}
    parsed = tus.parse_metadata(tus.encode_metadata({"filename": "书法 第1课.mp4", "lesson_id": "12"}) + ",flag")
    assert parsed == {"filename": "书法 第1课.mp4", "lesson_id": "12", "flag": ""}
    for bad in ("a b c", " ,x eA==", "k !!!", "k eA==,k eA==", "k /w=="):
        with pytest.raises(Exception):
            tus.parse_metadata(bad)


# ---------------------------------------------------------------- HEAD and PATCH

def test_head_reports_offset_length_metadata_and_no_store(teacher, lesson):
    """HEAD: Upload-Offset, Upload-Length, the metadata as sent, Upload-Expires, Cache-Control: no-store."""
    created = create(teacher, lesson.id, len(SRT))
    path = upload_path(created.headers["Location"])
    response = teacher.head(path, headers=tus_headers(teacher))
    assert response.status_code == 200
    assert response.headers["Upload-Offset"] == "0"
    assert response.headers["Upload-Length"] == str(len(SRT))
    assert response.headers["Cache-Control"] == "no-store"
    assert tus.parse_metadata(response.headers["Upload-Metadata"])["filename"] == "第一课.srt"
    assert parsedate_to_datetime(response.headers["Upload-Expires"])
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert teacher.head(path).status_code == 412


def test_patch_appends_in_order_and_finishes(app, db, teacher, lesson):
    """PATCHes at the right offsets append; the last one hands the file on and the .part is gone."""
    created = create(teacher, lesson.id, len(SRT))
    path = upload_path(created.headers["Location"])
    first = patch(teacher, path, 0, SRT[:20])
    assert first.status_code == 204
    assert first.headers["Upload-Offset"] == "20"
    assert first.headers["Tus-Resumable"] == "1.0.0"
    assert parsedate_to_datetime(first.headers["Upload-Expires"])
    assert teacher.head(path, headers=tus_headers(teacher)).headers["Upload-Offset"] == "20"
    last = patch(teacher, path, 20, SRT[20:])
    assert last.status_code == 204 and last.headers["Upload-Offset"] == str(len(SRT))
    assert not part_file(app, path).exists()
    caption = db.session.scalars(select(Caption).where(Caption.lesson_id == lesson.id)).one()
    assert (Path(app.config["MEDIA_DIR"]) / caption.source_path).read_bytes() == SRT
    head = teacher.head(path, headers=tus_headers(teacher))
    assert head.headers["Upload-Offset"] == head.headers["Upload-Length"] == str(len(SRT))


def test_patch_with_the_wrong_offset_is_409_and_writes_nothing(app, teacher, lesson):
    """Upload-Offset must equal the stored offset: ahead or behind is 409 and the file is untouched."""
    path = upload_path(create(teacher, lesson.id, len(SRT)).headers["Location"])
    assert patch(teacher, path, 0, SRT[:10]).status_code == 204
    for offset in (0, 5, 11, 100):
        response = patch(teacher, path, offset, b"X" * 5)
        assert response.status_code == 409
        assert response.get_json()["code"] == "offset_mismatch"
    assert part_file(app, path).read_bytes() == SRT[:10]


@pytest.mark.parametrize("content_type", ["application/octet-stream", "text/plain", ""])
def test_patch_needs_the_offset_octet_stream_content_type(teacher, lesson, content_type):
    """Any Content-Type but application/offset+octet-stream is 415."""
    path = upload_path(create(teacher, lesson.id, len(SRT)).headers["Location"])
    response = patch(teacher, path, 0, SRT[:10], content_type=content_type)
    assert response.status_code == 415
    assert teacher.head(path, headers=tus_headers(teacher)).headers["Upload-Offset"] == "0"


def test_patch_needs_a_numeric_offset_and_no_more_than_the_length(teacher, lesson):
    """A missing or non-numeric Upload-Offset is 400; a body past Upload-Length is 413."""
    path = upload_path(create(teacher, lesson.id, 10).headers["Location"])
    headers = tus_headers(teacher)
    no_offset = teacher.patch(path, data=b"abc", headers=headers, content_type=tus.OFFSET_CONTENT_TYPE)
    assert no_offset.status_code == 400
    assert patch(teacher, path, "x1", b"abc").status_code == 400
    too_much = patch(teacher, path, 0, b"0123456789A")
    assert too_much.status_code == 413 and too_much.get_json()["code"] == "too_much_data"
    assert teacher.head(path, headers=headers).headers["Upload-Offset"] == "0"


def test_large_body_is_streamed_and_byte_identical(app, teacher, lesson):
    """A body of several pieces (PIECE bytes each) lands byte for byte."""
    data = os.urandom(tus.PIECE * 3 + 12345)
    path = upload_path(create(teacher, lesson.id, len(data) + 1).headers["Location"])
    response = patch(teacher, path, 0, data)
    assert response.headers["Upload-Offset"] == str(len(data))
    assert part_file(app, path).read_bytes() == data


class _DroppingStream(io.BytesIO):
    """A request body whose connection drops after ``keep`` bytes (reads then fail as a reset socket does)."""

    def __init__(self, data: bytes, keep: int):
        super().__init__(data[:keep])

    def read(self, size=-1):
        chunk = super().read(min(size, 7000) if size and size > 0 else 7000)
        if not chunk:
            raise ConnectionResetError("client went away")
        return chunk

    def readinto(self, b):
        chunk = self.read(len(b))
        b[:len(chunk)] = chunk
        return len(chunk)


def test_bytes_before_a_dropped_connection_are_kept(app, teacher, lesson):
    """The client disconnects mid-body: what arrived is written, the offset says so, and the rest resumes."""
    data = os.urandom(300_000)
    path = upload_path(create(teacher, lesson.id, len(data)).headers["Location"])
    headers = tus_headers(teacher, Upload_Offset="0", Content_Length=str(len(data)))
    response = teacher.patch(path, input_stream=_DroppingStream(data, 123_456), headers=headers,
                             content_type=tus.OFFSET_CONTENT_TYPE)
    assert response.headers["Upload-Offset"] == "123456"
    head = teacher.head(path, headers=tus_headers(teacher))
    assert head.headers["Upload-Offset"] == "123456"
    assert part_file(app, path).read_bytes() == data[:123_456]
    rest = patch(teacher, path, 123_456, data[123_456:-1])
    assert rest.headers["Upload-Offset"] == str(len(data) - 1)
    assert part_file(app, path).read_bytes() == data[:-1]


def test_a_held_lease_makes_a_second_writer_wait_with_409(app, db, teacher, lesson):
    """While another request holds the upload (its lease), a PATCH at the same offset is refused with 409."""
    path = upload_path(create(teacher, lesson.id, len(SRT)).headers["Location"])
    upload = db.session.get(Upload, path.rsplit("/", 1)[-1])
    upload.lock_token, upload.locked_until = "someone-else", utcnow() + timedelta(seconds=30)
    db.session.commit()
    busy = patch(teacher, path, 0, SRT)
    assert busy.status_code == 409 and busy.get_json()["code"] == "upload_busy"
    upload.locked_until = utcnow() - timedelta(seconds=1)  # that writer died: its lease ran out
    db.session.commit()
    assert patch(teacher, path, 0, SRT[:10]).status_code == 204


# ---------------------------------------------------------------- termination, expiry, unknown uploads

def test_delete_terminates_and_removes_the_bytes(app, db, teacher, lesson):
    """DELETE answers 204, removes the .part file and row; afterwards the upload is 404."""
    path = upload_path(create(teacher, lesson.id, len(SRT)).headers["Location"])
    patch(teacher, path, 0, SRT[:10])
    response = teacher.delete(path, headers=tus_headers(teacher))
    assert response.status_code == 204 and response.headers["Tus-Resumable"] == "1.0.0"
    assert not part_file(app, path).exists()
    assert teacher.head(path, headers=tus_headers(teacher)).status_code == 404
    assert patch(teacher, path, 10, SRT[10:]).status_code == 404


@pytest.mark.parametrize("upload_id", ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not-an-upload", "..secret.part"])
def test_unknown_or_forged_upload_urls_are_404(teacher, upload_id):
    """A made-up upload id is 404 for HEAD, PATCH and DELETE, with the tus header."""
    path = UPLOADS + upload_id
    for response in (teacher.head(path, headers=tus_headers(teacher)), patch(teacher, path, 0, b"abc"),
                     teacher.delete(path, headers=tus_headers(teacher))):
        assert response.status_code == 404
        assert response.headers["Tus-Resumable"] == "1.0.0"


def test_expired_upload_is_410_then_cleaned_up_to_404(app, db, teacher, lesson):
    """After 24 h without a byte: 410 Gone; the hourly clean-up then removes row and .part (404)."""
    path = upload_path(create(teacher, lesson.id, len(SRT)).headers["Location"])
    patch(teacher, path, 0, SRT[:10])
    upload = db.session.get(Upload, path.rsplit("/", 1)[-1])
    upload.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert teacher.head(path, headers=tus_headers(teacher)).status_code == 410
    gone = patch(teacher, path, 10, SRT[10:])
    assert gone.status_code == 410 and "24" in gone.get_json()["message"]
    assert tus.expire_uploads() == 1
    db.session.commit()
    assert not part_file(app, path).exists()
    assert teacher.head(path, headers=tus_headers(teacher)).status_code == 404


def test_each_patch_pushes_the_expiry_back(db, teacher, lesson):
    """Expiry counts from the last byte received, so a slow upload over many hours is not cut off."""
    path = upload_path(create(teacher, lesson.id, len(SRT)).headers["Location"])
    upload = db.session.get(Upload, path.rsplit("/", 1)[-1])
    upload.expires_at = utcnow() + timedelta(minutes=5)
    db.session.commit()
    response = patch(teacher, path, 0, SRT[:10])
    expires = parsedate_to_datetime(response.headers["Upload-Expires"]).replace(tzinfo=None)
    assert expires - utcnow() > timedelta(hours=23)


def test_orphan_part_files_are_swept_once_old(app, db):
    """A .part file with no upload row (a crash before commit) is removed after 24 hours, not before."""
    folder = Path(app.config["MEDIA_DIR"]) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    old, new = folder / "orphanOLD_0123456789abcdef.part", folder / "orphanNEW_0123456789abcdef.part"
    old.write_bytes(b"x")
    new.write_bytes(b"y")
    past = utcnow().timestamp() - 25 * 3600
    os.utime(old, (past, past))
    assert tus.remove_orphan_parts() == 1
    assert not old.exists() and new.exists()
    new.unlink()


# ---------------------------------------------------------------- method override

def test_method_override_lets_post_stand_in_for_patch_and_delete(app, teacher, lesson):
    """X-HTTP-Method-Override: PATCH/DELETE on a POST is obeyed (for proxies that drop other methods)."""
    path = upload_path(create(teacher, lesson.id, len(SRT)).headers["Location"])
    response = teacher.post(path, data=SRT[:10], content_type=tus.OFFSET_CONTENT_TYPE,
                            headers=tus_headers(teacher, Upload_Offset="0", X_HTTP_Method_Override="PATCH"))
    assert response.status_code == 204 and response.headers["Upload-Offset"] == "10"
    deleted = teacher.post(path, headers=tus_headers(teacher, X_HTTP_Method_Override="DELETE"))
    assert deleted.status_code == 204
    assert not part_file(app, path).exists()


def test_method_override_never_turns_a_get_into_a_delete(app, teacher, lesson):
    """Only POST may be overridden: a GET carrying the header stays a harmless read."""
    path = upload_path(create(teacher, lesson.id, len(SRT)).headers["Location"])
    response = teacher.get(path, headers=tus_headers(teacher, X_HTTP_Method_Override="DELETE"))
    assert response.status_code == 200 and response.get_json()["state"] == "receiving"
    assert part_file(app, path).exists()
    assert teacher.post(path, headers=tus_headers(teacher)).status_code == 405


def test_a_failure_while_finishing_leaves_the_upload_resumable(app, db, teacher, lesson, monkeypatch):
    """If handing the finished file on fails, the move is undone, no half-made record stays, and the
    offset goes back so the client resends its last piece and finishing is tried again."""
    from elearn.video import services
    from elearn.video.models import MediaAsset

    data = os.urandom(50_000)
    path = upload_path(create(teacher, lesson.id, len(data), kind="video", filename="课.mp4").headers["Location"])
    assert patch(teacher, path, 0, data[:30_000]).status_code == 204

    def broken(asset):
        raise RuntimeError("disk went away while probing")

    monkeypatch.setattr(services, "probe_and_queue", broken)
    failed = patch(teacher, path, 30_000, data[30_000:])
    assert failed.status_code == 500 and failed.get_json()["code"] == "server_error"
    assert part_file(app, path).read_bytes() == data
    assert db.session.scalar(select(MediaAsset.id).where(MediaAsset.lesson_id == lesson.id)) is None
    head = teacher.head(path, headers=tus_headers(teacher))
    assert head.headers["Upload-Offset"] == "30000"
    monkeypatch.undo()
    assert patch(teacher, path, 30_000, data[30_000:]).status_code == 204  # lease was released
    assert teacher.get(path).get_json()["asset"]["status"] == "failed"  # random bytes are no recording


def test_the_hourly_clean_up_is_scheduled():
    """The expiry sweep is a periodic huey task that runs every hour."""
    from datetime import datetime

    from elearn.extensions import queue

    names = {task.name for task in queue.read_periodic(datetime(2026, 1, 1, 5, 23))}
    assert any(name.endswith("expire_uploads_task") for name in names)
