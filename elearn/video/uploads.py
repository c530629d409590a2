"""The ``video`` and ``caption`` upload targets: a lesson's recording and its captions arrive through
the shared tus endpoint (elearn.uploads) with ``lesson_id`` in the upload's metadata."""
from __future__ import annotations

from pathlib import Path

from ..core import storage
from ..courses.models import Lesson
from ..courses.permissions import can_create_course
from ..courses.uploads import lesson_for_upload, may_continue_on_lesson
from ..extensions import db
from ..uploads.targets import UploadTarget
from . import services


def _check_video(user, meta: dict, length: int) -> int:
    return lesson_for_upload(user, meta).id


def _check_caption(user, meta: dict, length: int) -> int:
    lesson = lesson_for_upload(user, meta)
    services.check_caption(meta.get("filename") or "", meta.get("lang"), length)
    return lesson.id


def _lesson(upload) -> Lesson | None:
    """None when the lesson was deleted while the bytes arrived (its uploads are being forgotten)."""
    return db.session.get(Lesson, upload.target_id) if upload.target_id else None


def _finish_video(upload, part: Path) -> None:
    if (lesson := _lesson(upload)) is None:
        return
    asset = services.new_asset(lesson, upload.filename, upload.length, upload.user_id)
    storage.move_into_place(part, asset.source_path)
    services.probe_and_queue(asset)
    upload.result = {"asset_id": asset.id}


def _finish_caption(upload, part: Path) -> None:
    if (lesson := _lesson(upload)) is None:
        return
    caption = services.add_caption(lesson, part, upload.filename, upload.meta.get("lang") or "zh", upload.user_id,
                                   move=True)
    upload.result = {"caption_id": caption.id}


VIDEO = UploadTarget("video", may_start=can_create_course, check=_check_video, may_continue=may_continue_on_lesson,
                     finish=_finish_video, describe=services.describe_upload)
CAPTION = UploadTarget("caption", may_start=can_create_course, check=_check_caption,
                       may_continue=may_continue_on_lesson, finish=_finish_caption, describe=services.describe_upload)
