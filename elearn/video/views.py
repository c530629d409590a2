"""Pages and form actions of the video package: 「重试」 for a failed recording, another encoding
for a caption file, removing a video or a caption (asked on a page of its own first), and the admins'
storage page. The lesson edit page (courses) shows the media panel (templates/video/lesson_media_panel.html),
which posts to the actions here."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..core.confirm import ActionForm, confirm_then_act
from ..core.db import unit_of_work
from ..core.permissions import actor, can_view_operations, is_admin, require
from ..core.utils import safe_filename
from . import bp, services, usage
from .forms import CaptionEncodingForm, encoding_choices
from .models import ASSET_PROCESSING, ASSET_QUEUED, ASSET_READY
from .permissions import can_edit_caption, can_remove_asset, can_view_asset
from .tasks import RETIRED_GRACE


def _back_to_lesson(lesson_id: int, anchor: str):
    return redirect(url_for("courses.lesson_edit", lesson=lesson_id, _anchor=anchor))


@bp.app_context_processor
def _panel_helpers():
    return {"media_review": lambda lesson_id: services.editor_review(lesson_id, show_detail=is_admin(actor())),
            "caption_encodings": encoding_choices}


@bp.post("/teaching/assets/<id:asset>/retry")
@require(can_view_asset, asset=services.get_asset)
def asset_retry(asset):
    """「重试」: a recording whose transcoding failed is queued again with fresh attempts."""
    if not ActionForm().validate_on_submit():
        abort(400)
    lesson_id, busy = asset.lesson_id, asset.status in (ASSET_QUEUED, ASSET_PROCESSING)
    with unit_of_work(flash_errors=True) as work:
        services.retry_asset(asset)
    if work.ok:
        flash(_("It is being tried again. This page shows how far it has got.") if not busy
              else _("It is already being tried again."), "success")
    return _back_to_lesson(lesson_id, "media")


@bp.post("/teaching/captions/<id:caption>/encoding")
@require(can_edit_caption, caption=services.get_caption)
def caption_encoding(caption):
    """Read a caption file again with the encoding the teacher chose, and make new WebVTT from it."""
    form = CaptionEncodingForm()
    lesson_id, caption_id = caption.lesson_id, caption.id
    if not form.validate_on_submit():
        flash(_("Please choose an encoding from the list."), "error")
        return _back_to_lesson(lesson_id, f"caption-{caption_id}")
    with unit_of_work(flash_errors=True) as work:
        services.recode_caption(caption, form.encoding.data)
    if work.ok:
        flash(_("The captions have been read again as %(encoding)s. Please check the first lines.",
                encoding=services.encoding_label(form.encoding.data)), "success")
    return _back_to_lesson(lesson_id, f"caption-{caption_id}")


@bp.route("/teaching/assets/<id:asset>/delete", methods=["GET", "POST"])
@require(can_remove_asset, asset=services.get_asset)
def asset_delete(asset):
    """Remove a video (the one learners watch, or one that failed or is on its way), after asking."""
    name = safe_filename(asset.original_filename, _("this video"))
    back = url_for("courses.lesson_edit", lesson=asset.lesson_id, _anchor="media")
    return confirm_then_act(
        lambda: services.remove_asset(asset),
        done=_("The video has been removed."), back=back, title=_("Remove this video?"),
        question=(_("Remove the video “%(name)s”? Learners will no longer be able to watch it.", name=name)
                  if asset.status == ASSET_READY else _("Remove the upload “%(name)s”?", name=name)),
        confirm=_("Yes, remove the video"), cancel_url=back)


@bp.route("/teaching/captions/<id:caption>/delete", methods=["GET", "POST"])
@require(can_edit_caption, caption=services.get_caption)
def caption_delete(caption):
    """Delete a caption file (also one that could not be used), after asking."""
    back = url_for("courses.lesson_edit", lesson=caption.lesson_id, _anchor="captions")
    return confirm_then_act(
        lambda: services.delete_caption(caption),
        done=_("The captions have been deleted."), back=back, title=_("Delete these captions?"),
        question=_("Delete the captions “%(name)s” (%(language)s)?", name=safe_filename(caption.original_filename),
                   language=services.caption_language_name(caption.lang)),
        confirm=_("Yes, delete the captions"), cancel_url=back)


@bp.get("/admin/storage")
@require(can_view_operations)
def admin_storage():
    """Disk used by each course's media and in total, and replaced recordings waiting to be removed."""
    return render_template("admin/storage.html", usage=usage.disk_usage(),
                           grace_hours=int(RETIRED_GRACE.total_seconds() // 3600))
