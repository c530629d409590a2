"""Storage: disk used per course and in total for admins (page and API), and old files removed once
nothing serves them (a deleted lesson; a replaced video after its grace period)."""
from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select, update

from elearn.courses import hooks
from elearn.core.timeutil import to_local, utcnow
from elearn.video import tasks
from elearn.video.models import Caption, MediaAsset
from tests.clients import csrf_token, signed_in
from tests.factories import make_asset, make_caption, make_handout, make_lesson
from tests.video.clips import clip

SOURCE, PLAYLIST, SEGMENT, POSTER = 1000, 200, 3000, 500


def media(*parts) -> Path:
    return Path(current_app.config["MEDIA_DIR"]).joinpath(*map(str, parts))


def walk_size(path: Path) -> int:
    """Bytes under ``path``, counted independently of the code under test."""
    return sum(os.path.getsize(Path(folder) / name) for folder, _, names in os.walk(path) for name in names)


def write(path: Path, size: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)


def asset_with_files(db, lesson, **fields) -> MediaAsset:
    """A ready asset with a source, a playlist, a segment and a poster of known sizes on disk."""
    asset = make_asset(db, lesson, "ready", filename="旧录像.mp4", size=SOURCE, source=b"x" * SOURCE, **fields)
    write(media("hls", asset.key, "master.m3u8"), PLAYLIST)
    write(media("hls", asset.key, "360", "seg_00000.ts"), SEGMENT)
    write(media("hls", asset.key, "poster.jpg"), POSTER)
    return asset


def caption_and_handout(db, lesson) -> tuple[Caption, object]:
    return make_caption(db, lesson), make_handout(db, lesson)


@pytest.fixture
def session_queue(app):
    """Periodic tasks run in the app the one queue was last given: tests that build apps of their
    own (tests/core) leave it pointing at theirs, with another media folder."""
    from elearn.extensions import queue

    if queue.flask_app is not app:
        queue.init_app(app)


# ---------------------------------------------------------------- the numbers

def test_disk_used_per_course_and_in_total(app, db, admin, teacher, lesson):
    """Sources, renditions, captions and handouts are summed from the disk per course; the total is the whole media folder."""
    asset_with_files(db, lesson)
    caption, handout = caption_and_handout(db, lesson)
    empty = make_lesson(db, teacher.user, title="空课")
    empty.chapter.course.title = "空课程"
    db.session.commit()
    body = admin.get("/api/v1/admin/storage").get_json()
    by_id = {c["id"]: c for c in body["courses"]}
    mine = by_id[lesson.chapter.course_id]
    captions = media(caption.source_path).stat().st_size + media(caption.vtt_path).stat().st_size
    assert mine == {"id": lesson.chapter.course_id, "title": "书法入门", "sources_bytes": SOURCE,
                    "renditions_bytes": PLAYLIST + SEGMENT + POSTER, "captions_bytes": captions,
                    "handouts_bytes": media(handout.stored_path).stat().st_size,
                    "total_bytes": SOURCE + PLAYLIST + SEGMENT + POSTER + captions + handout.size}
    assert by_id[empty.chapter.course_id]["total_bytes"] == 0
    assert body["courses"][0]["id"] == mine["id"]  # largest first
    assert body["total_bytes"] == walk_size(media())
    assert body["courses_bytes"] == sum(c["total_bytes"] for c in body["courses"])
    assert body["other_bytes"] == body["total_bytes"] - body["courses_bytes"]
    assert body["awaiting_removal"] == [] and body["awaiting_removal_bytes"] == 0


def test_retired_videos_are_listed_as_waiting_to_be_removed(app, db, admin, lesson):
    """A replaced video is listed with its size and when its files go (retired_at + the grace period)."""
    retired_at = utcnow().replace(microsecond=0) - timedelta(hours=1)
    old = asset_with_files(db, lesson, retired_at=retired_at)
    asset_with_files(db, lesson)
    body = admin.get("/api/v1/admin/storage").get_json()
    [waiting] = body["awaiting_removal"]
    assert waiting["asset_id"] == old.id and waiting["bytes"] == SOURCE + PLAYLIST + SEGMENT + POSTER
    assert waiting["lesson_title"] == lesson.title and waiting["filename"] == "旧录像.mp4"
    assert waiting["remove_after"].startswith((retired_at + tasks.RETIRED_GRACE).isoformat())
    assert body["awaiting_removal_bytes"] == waiting["bytes"]
    page = admin.get("/admin/storage").get_data(as_text=True)
    assert "等待删除" in page and "旧录像.mp4" in page
    local = to_local(retired_at + tasks.RETIRED_GRACE)  # shown in the site's time zone
    assert f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}" in page


def test_storage_page_shows_courses_and_totals(app, db, admin, lesson):
    """The admin page lists each course with its sizes in words, the total, and a link to the course."""
    asset_with_files(db, lesson)
    caption_and_handout(db, lesson)
    page = admin.get("/admin/storage").get_data(as_text=True)
    assert "<h1>存储空间</h1>" in page and "书法入门" in page
    assert f'href="/teaching/courses/{lesson.chapter.course_id}"' in page
    assert "全部媒体文件" in page and "没有等待删除的文件" in page
    # The originals (1000 bytes) and the prepared files (3700 bytes), rounded to whole KB.
    assert re.search(r"书法入门</a></th>\s*<td>1 KB</td>\s*<td>4 KB</td>", page)


def test_admins_find_storage_in_the_menu(app, db, admin, teacher):
    """The header links to the storage page for admins only."""
    assert 'href="/admin/storage"' in admin.get("/").get_data(as_text=True)
    assert 'href="/admin/storage"' not in teacher.get("/").get_data(as_text=True)


@pytest.mark.parametrize("role, page_status, api_status", [
    ("anonymous", 302, 401), ("student", 403, 403), ("teacher", 403, 403), ("admin", 200, 200)])
def test_only_admins_see_storage(app, db, role, page_status, api_status):
    """The storage page and GET /api/v1/admin/storage are for admins; others are sent to sign in or refused."""
    if role == "anonymous":
        client = app.test_client()
    else:
        client = signed_in(app, db, roles=(role,))
    page = client.get("/admin/storage")
    assert page.status_code == page_status
    if role == "anonymous":
        assert "/login" in page.headers["Location"]
    api = client.get("/api/v1/admin/storage")
    assert api.status_code == api_status
    assert ("total_bytes" in api.get_json()) == (role == "admin")


# ---------------------------------------------------------------- old files go once nothing serves them

def test_deleting_a_lesson_removes_its_files_and_only_its_files(app, db, teacher, lesson):
    """Deleting a lesson removes its video folders, captions and handouts after the commit; another lesson keeps its own."""
    asset = asset_with_files(db, lesson)
    caption, handout = caption_and_handout(db, lesson)
    other_lesson = make_lesson(db, teacher.user, title="第二课")
    other = asset_with_files(db, other_lesson)
    files = [media("sources", asset.key), media("hls", asset.key),
             media(caption.source_path), media(caption.vtt_path), media(handout.stored_path)]
    assert all(path.exists() for path in files)
    response = teacher.post(f"/teaching/lessons/{lesson.id}/delete",
                            data={"csrf_token": csrf_token(teacher, f"/teaching/lessons/{lesson.id}/delete")})
    assert response.status_code == 302
    assert [path for path in files if path.exists()] == []
    assert media(other.source_path).is_file() and media("hls", other.key, "master.m3u8").is_file()
    assert db.session.get(MediaAsset, other.id) is not None


def _signed_master(app, lesson_id):
    with app.test_request_context():
        return hooks.media_of(lesson_id)["video"]


def test_a_replaced_video_is_removed_after_the_grace_period_and_nothing_served_is(app, db, lesson, session_queue):
    """Replacing a video retires the old one; its files stay while its links may be in use, then go; the new one stays."""
    client = app.test_client()
    first = make_asset(db, lesson, "queued", size=1, source=clip("tiny"))
    first_id, first_key = first.id, first.key
    assert tasks.run_transcode(first.id) == "ready"
    old_video = _signed_master(app, lesson.id)
    second = make_asset(db, lesson, "queued", size=1, source=clip("tiny"))
    assert tasks.run_transcode(second.id) == "ready"
    db.session.expire_all()
    assert first.retired_at is not None and second.retired_at is None
    new_video = _signed_master(app, lesson.id)
    assert new_video["id"] == second.id
    assert client.get(old_video["hls_url"]).status_code == 200  # a learner mid-lesson keeps playing

    assert tasks.remove_retired_files.call_local() == 0  # within the grace period nothing goes
    assert media("sources", first.key).is_dir() and media("hls", first.key).is_dir()

    db.session.execute(update(MediaAsset).where(MediaAsset.id == first_id)
                       .values(retired_at=utcnow() - tasks.RETIRED_GRACE - timedelta(minutes=1)))
    db.session.commit()
    assert tasks.remove_retired_files.call_local() == 1
    db.session.expire_all()
    assert not media("sources", first_key).exists() and not media("hls", first_key).exists()
    assert db.session.get(MediaAsset, first_id) is None
    assert client.get(old_video["hls_url"]).status_code == 404
    assert media(second.source_path).is_file()
    assert client.get(new_video["hls_url"]).status_code == 200 and client.get(new_video["mp4_url"]).status_code == 200
    assert tasks.remove_retired_files.call_local() == 0  # idempotent
    assert db.session.scalars(select(MediaAsset.id).where(MediaAsset.lesson_id == lesson.id)).all() == [second.id]
