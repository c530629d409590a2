"""An activity's attachments (the notice, slides, photos of the day) and the ``activity`` upload target.

Files arrive through the shared tus endpoint (elearn.uploads) with ``kind=activity`` and
``activity_id`` in the upload's metadata; only the branch's officers (and admins) may send them.
They are checked as handouts are (``courses.handouts``: the name's type and the file's own first
bytes must agree, PDF, pictures or Word), stored through ``core.storage`` under names of ours, and
sent back as stored to whoever may see the activity. Functions flush and never commit.
"""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from ..core import storage
from ..core.errors import Forbidden, NotFound, ServiceError
from ..core.ids import parse_id
from ..core.permissions import is_signed_in
from ..core.utils import format_size, safe_filename
from ..courses.handouts import check_handout_content, check_handout_filename
from ..extensions import db
from ..uploads import targets
from . import models as m
from .permissions import can_run_activity

ATTACHMENT_MAX_BYTES = 50 * 1024 * 1024
NOT_A_FILE_WE_TAKE = _l("Attachments can be PDF files, pictures (JPEG, PNG, GIF, WebP) or Word documents "
                        "(.doc, .docx). This file is none of these.")


def get_attachment(attachment_id: int) -> m.ActivityAttachment:
    attachment = db.session.get(m.ActivityAttachment, attachment_id)
    if attachment is None:
        raise NotFound("attachment_not_found", _l("This file is no longer there."))
    return attachment


def shown_name(attachment: m.ActivityAttachment) -> str:
    return safe_filename(attachment.original_filename, default="attachment")


def add_attachment(activity: m.Activity, original_filename, stored_path: str, *, uploaded_by_id: int | None,
                   size: int | None = None) -> m.ActivityAttachment:
    """Record a file already in place at MEDIA_DIR/``stored_path``, judged by its name and its own bytes."""
    path = storage.path(stored_path)
    content_type = check_handout_content(path, original_filename, NOT_A_FILE_WE_TAKE)
    attachment = m.ActivityAttachment(
        original_filename=safe_filename(original_filename, default="attachment"), stored_path=stored_path,
        size=path.stat().st_size if size is None else size, content_type=content_type, uploaded_by_id=uploaded_by_id)
    activity.attachments.append(attachment)
    db.session.flush()
    return attachment


def delete_attachment(attachment: m.ActivityAttachment) -> None:
    storage.remove_after_commit(attachment.stored_path)
    attachment.activity.attachments.remove(attachment)
    db.session.flush()


# ---------------------------------------------------------------- the upload target

def activity_for_upload(user, meta: dict) -> m.Activity:
    """The activity an upload's metadata names, if the person may add files to it."""
    activity_id = parse_id(str(meta.get("activity_id") or "").strip())
    if activity_id is None:
        raise ServiceError("activity_required", _l("Please say which activity the file is for."), status=400)
    activity = db.session.get(m.Activity, activity_id)
    if activity is None:
        raise NotFound("activity_not_found", _l("This activity does not exist."))
    if not can_run_activity(user, activity):
        raise Forbidden("activity_forbidden", _l("Only the branch's officers can add files to this activity."))
    return activity


def _check(user, meta: dict, length: int) -> int:
    activity = activity_for_upload(user, meta)
    check_handout_filename(meta.get("filename") or "", NOT_A_FILE_WE_TAKE)
    if length > ATTACHMENT_MAX_BYTES:
        raise ServiceError("attachment_too_large", _l("An attachment can be at most 50 MB."), status=413)
    return activity.id


def _may_continue(user, upload) -> bool:
    """The uploader is still an officer of the branch (one who stepped down stops here)."""
    activity = db.session.get(m.Activity, upload.target_id) if upload.target_id else None
    return activity is not None and can_run_activity(user, activity)


def _finish(upload, part: Path) -> None:
    activity = db.session.get(m.Activity, upload.target_id)
    if activity is None:  # deleted while the bytes arrived
        return
    relative = storage.activity_file(activity.id, Path(upload.filename).suffix.lower())
    storage.move_into_place(part, relative)
    try:
        attachment = add_attachment(activity, upload.filename, relative, uploaded_by_id=upload.user_id,
                                    size=upload.length)
    except ServiceError as err:
        targets.refuse(upload, err)
        storage.remove_after_commit(relative)
        return
    upload.result = {"attachment_id": attachment.id}


def _describe(upload) -> dict:
    """The attachment made, with what the activity's list shows (the page adds it without a reload)."""
    attachment_id = upload.result_id("attachment_id")
    attachment = db.session.get(m.ActivityAttachment, attachment_id) if attachment_id else None
    shown = {"id": attachment.id, "filename": shown_name(attachment), "size_text": format_size(attachment.size)} \
        if attachment else None
    return {"activity_id": upload.target_id, "attachment_id": attachment_id, "attachment": shown}


ACTIVITY = targets.UploadTarget("activity", may_start=is_signed_in, check=_check, may_continue=_may_continue,
                                finish=_finish, describe=_describe)
