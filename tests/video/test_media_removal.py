"""A teacher deletes a caption (also one that could not be used) and removes a lesson's video: asked on a
page first, POST with the CSRF token, only by the lesson's editors; the rows go, the files go after the
commit, and nothing else is touched. Learners of a lesson whose video failed, or that has none, are told
plainly that there is no video for now, not that it is being prepared."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from elearn.core import storage
from elearn.core.timeutil import utcnow
from elearn.video.models import Caption, MediaAsset
from tests.clients import signed_in
from tests.factories import make_asset, make_caption, make_course, make_lesson, media_root

from .test_teacher_media import client_for

SRT = "1\n00:00:01,000 --> 00:00:02,000\n大家好\n".encode()
NOT_SRT = "这不是字幕文件，里面没有时间。".encode()


def asset_with_files(db, lesson, status="ready", **fields):
    """An asset whose source and renditions folder really exist on disk."""
    asset = make_asset(db, lesson, status, filename="第一课.mp4", source=b"source bytes", **fields)
    hls = media_root() / storage.hls_folder(asset.key)
    hls.mkdir(parents=True, exist_ok=True)
    (hls / "master.m3u8").write_text("#EXTM3U\n")
    return asset


def files_of(asset) -> list:
    return [media_root() / folder for folder in storage.asset_folders(asset.key)]


def caption_files(caption) -> list:
    return [media_root() / p for p in (caption.source_path, caption.vtt_path) if p]


def post(client, url, with_token=True):
    return client.post(url, data={"csrf_token": client.csrf} if with_token else {})


def test_teacher_removes_the_video_learners_watch(db, teacher, lesson):
    """Asked on a page first; then the row is gone, its files go after the commit, another lesson's
    video and this lesson's captions stay, and learners no longer get a video."""
    asset = asset_with_files(db, lesson)
    other = asset_with_files(db, make_lesson(db, teacher.user, title="第二课"))
    caption = make_caption(db, lesson)
    asked = teacher.get(f"/teaching/assets/{asset.id}/delete")
    assert asked.status_code == 200 and "要删除视频“第一课.mp4”吗" in asked.get_data(as_text=True)
    paths, asset_id = files_of(asset), asset.id
    assert all(path.exists() for path in paths)

    response = post(teacher, f"/teaching/assets/{asset_id}/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/lessons/{lesson.id}/edit#media")
    db.session.expire_all()
    assert db.session.get(MediaAsset, asset_id) is None
    assert not any(path.exists() for path in paths)
    assert db.session.get(MediaAsset, other.id) is not None and all(path.exists() for path in files_of(other))
    assert db.session.get(Caption, caption.id) is not None and all(p.is_file() for p in caption_files(caption))
    page = teacher.get(f"/teaching/lessons/{lesson.id}/edit").get_data(as_text=True)
    assert "视频已删除" in page and "这一课还没有视频" in page


def test_removing_the_newest_video_does_not_bring_back_a_replaced_one(db, teacher, lesson):
    """A video replaced earlier (retired, waiting for its files to go) is not served again."""
    asset_with_files(db, lesson, retired_at=utcnow())
    newest = asset_with_files(db, lesson)
    post(teacher, f"/teaching/assets/{newest.id}/delete")
    page = teacher.get(f"/teaching/lessons/{lesson.id}/edit").get_data(as_text=True)
    assert "这一课还没有视频" in page


def test_a_failed_upload_can_be_removed_from_the_panel(db, teacher, lesson):
    """The failed video's block offers 「删除这次上传」, which asks and then removes it."""
    asset = asset_with_files(db, lesson, "failed", error_code="not_media")
    page = teacher.get(f"/teaching/lessons/{lesson.id}/edit").get_data(as_text=True)
    assert f'href="/teaching/assets/{asset.id}/delete"' in page and "删除这次上传" in page
    paths, asset_id = files_of(asset), asset.id
    post(teacher, f"/teaching/assets/{asset_id}/delete")
    db.session.expire_all()
    assert db.session.get(MediaAsset, asset_id) is None and not any(p.exists() for p in paths)


@pytest.mark.parametrize("data", [SRT, NOT_SRT], ids=["ready", "failed"])
def test_teacher_deletes_a_caption_ready_or_failed(db, teacher, lesson, data):
    """A caption, ready or one that could not be read, is deleted with its files; the other one stays."""
    caption = make_caption(db, lesson, data)
    assert caption.status == ("ready" if data == SRT else "failed")
    kept = make_caption(db, lesson, lang="en", filename="english.srt")
    page = teacher.get(f"/teaching/lessons/{lesson.id}/edit").get_data(as_text=True)
    assert f'href="/teaching/captions/{caption.id}/delete"' in page
    assert "要删除字幕“第一课.srt”（中文）吗" in teacher.get(f"/teaching/captions/{caption.id}/delete").get_data(as_text=True)
    paths, caption_id = caption_files(caption), caption.id
    assert paths and all(p.is_file() for p in paths)

    response = post(teacher, f"/teaching/captions/{caption_id}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Caption, caption_id) is None and not any(p.exists() for p in paths)
    assert db.session.get(Caption, kept.id) is not None and all(p.is_file() for p in caption_files(kept))


def test_removal_needs_the_csrf_token(db, teacher, lesson):
    """Without the form's token the post is refused and nothing is removed."""
    asset, caption = asset_with_files(db, lesson), make_caption(db, lesson)
    for url in (f"/teaching/assets/{asset.id}/delete", f"/teaching/captions/{caption.id}/delete"):
        assert post(teacher, url, with_token=False).status_code == 400
    db.session.expire_all()
    assert db.session.get(MediaAsset, asset.id) is not None and all(p.exists() for p in files_of(asset))
    assert db.session.get(Caption, caption.id) is not None


@pytest.mark.parametrize("role", ["anonymous", "student", "other_teacher"])
def test_only_the_lessons_editors_remove_media(app, db, teacher, lesson, role):
    """Anyone else is refused and nothing is removed; an admin may (the lesson's editors include admins)."""
    asset, caption = asset_with_files(db, lesson), make_caption(db, lesson)
    client = client_for(app, db, teacher, role)
    for url in (f"/teaching/assets/{asset.id}/delete", f"/teaching/captions/{caption.id}/delete"):
        response = post(client, url)
        if role == "anonymous":  # sent to sign in
            assert response.status_code == 302 and "/login" in response.headers["Location"]
        else:
            assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(MediaAsset, asset.id) is not None and all(p.exists() for p in files_of(asset))
    assert db.session.get(Caption, caption.id) is not None
    admin = signed_in(app, db, roles=("admin",))
    assert post(admin, f"/teaching/captions/{caption.id}/delete").status_code == 302


def test_unknown_media_is_a_plain_404(db, teacher):
    for url in ("/teaching/assets/999999/delete", "/teaching/captions/999999/delete"):
        response = post(teacher, url)
        assert response.status_code == 404 and "不存在" in response.get_data(as_text=True)


# ---------------------------------------------------------------- what learners are told

@pytest.mark.parametrize("status, shown, not_shown", [
    ("failed", "这一课暂时没有视频", "视频正在处理中"),
    (None, "这一课暂时没有视频", "视频正在处理中"),
    ("processing", "视频正在处理中", "这一课暂时没有视频"),
    ("queued", "视频正在处理中", "这一课暂时没有视频"),
])
def test_learners_are_told_plainly_when_there_is_no_video(app, db, status, shown, not_shown):
    """A failed video is not "being prepared" for ever: the lesson has no video for now."""
    course = make_course(db, status="published", visibility="public")
    lesson = course.lessons[0]
    if status:
        make_asset(db, lesson, status)
    student = signed_in(app, db, roles=("student",))
    page = student.get(f"/lessons/{lesson.id}").get_data(as_text=True)
    assert shown in page and not_shown not in page


def test_the_playback_api_says_a_failed_video_is_not_being_prepared(app, db):
    course = make_course(db, status="published", visibility="public")
    make_asset(db, course.lessons[0], "failed")
    student = signed_in(app, db, roles=("student",))
    found = db.session.scalars(select(MediaAsset).where(MediaAsset.lesson_id == course.lessons[0].id)).all()
    assert [a.status for a in found] == ["failed"]
    body = student.get(f"/api/v1/lessons/{course.lessons[0].id}/playback").get_json()
    assert body["video"] is None and body["preparing"] is False
