"""The ``handout`` upload target, and what every lesson's upload target checks first.

Handouts arrive through the shared tus endpoint (elearn.uploads) with ``kind=handout`` and
``lesson_id`` in the upload's metadata; the plain form on the lesson edit page is the fallback.

Hostile files: we never parse or render a handout. Its name must end in one of ``HANDOUT_TYPES``
and its first bytes must match that type (``services.add_handout``, for tus, the form and course
packages alike); it is sent back as stored, with the checked type, ``nosniff`` and the site's CSP,
inline only for PDF and pictures (the browser's own viewers) and as a download otherwise.
"""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from ..core import storage
from ..core.errors import Forbidden, ServiceError
from ..core.utils import format_size, safe_filename
from ..extensions import db
from ..uploads import targets
from .models import Handout, Lesson
from .permissions import can_create_course, can_edit_lesson
from .handouts import add_handout, check_handout_filename
from .services import get_lesson

HANDOUT_MAX_BYTES = 200 * 1024 * 1024


def lesson_for_upload(user, meta: dict) -> Lesson:
    """The lesson an upload's metadata names, if the person may add files to it."""
    raw = str(meta.get("lesson_id") or "").strip()
    if not raw:
        raise ServiceError("lesson_required", _l("Please say which lesson the file is for."), status=400)
    lesson = get_lesson(raw)
    if not can_edit_lesson(user, lesson):
        raise Forbidden("lesson_forbidden", _l("You cannot add files to this lesson."))
    return lesson


def may_continue_on_lesson(user, upload) -> bool:
    """The uploader may still edit the lesson (a teacher taken off a course stops here)."""
    lesson = db.session.get(Lesson, upload.target_id) if upload.target_id else None
    return lesson is not None and can_edit_lesson(user, lesson)


def _check(user, meta: dict, length: int) -> int:
    lesson = lesson_for_upload(user, meta)
    check_handout_filename(meta.get("filename") or "")
    if length > HANDOUT_MAX_BYTES:
        raise ServiceError("handout_too_large", _l("A handout can be at most 200 MB."), status=413)
    return lesson.id


def _finish(upload, part: Path) -> None:
    lesson = db.session.get(Lesson, upload.target_id)
    if lesson is None:  # deleted while the bytes arrived; its uploads are being forgotten
        return
    relative = storage.handout_file(lesson.id, Path(upload.filename).suffix.lower())
    storage.move_into_place(part, relative)
    try:
        handout = add_handout(lesson, upload.filename, relative, upload.length)
    except ServiceError as err:
        targets.refuse(upload, err)
        storage.remove_after_commit(relative)
        return
    upload.result = {"handout_id": handout.id}


def _describe(upload) -> dict:
    """The handout made, with what its list shows (the page adds it without a reload)."""
    handout_id = upload.result_id("handout_id")
    handout = db.session.get(Handout, handout_id) if handout_id else None
    shown = {"id": handout.id, "filename": safe_filename(handout.original_filename),
             "size_text": format_size(handout.size)} if handout else None
    return {"lesson_id": upload.target_id, "handout_id": handout_id, "handout": shown}


HANDOUT = targets.UploadTarget("handout", may_start=can_create_course, check=_check,
                               may_continue=may_continue_on_lesson, finish=_finish, describe=_describe)
