"""The branch's 三会一课 register (``.xlsx``), an activity's printable A4 page, and its attachments
(download for whoever sees the activity, delete for officers; uploads come through tus).

The register and the printable page are for the branch's officers and admins: they list who came
and who did not, which fellow members have no need of (a member sees the activity's own page)."""
from __future__ import annotations

import io

from flask import abort, render_template, request, send_file, url_for
from flask_babel import gettext as _

from ..core import storage
from ..core.confirm import confirm_then_act
from ..core.errors import ServiceError
from ..core.permissions import require
from ..core.timeutil import local_day, utcnow
from ..core.utils import safe_filename
from ..courses.markdown import render_markdown
from ..attendance.entries import event_entries
from ..attendance.labels import STATUS_LABELS
from . import activities, bp, exports, services, uploads
from .activities import activity_name
from .permissions import can_delete_attachment, can_download_attachment, can_run_activity, can_run_branch

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.context_processor
def _page_values() -> dict:
    return {"attachment_max_bytes": uploads.ATTACHMENT_MAX_BYTES, "register_year": lambda: local_day(utcnow()).year}


@bp.get("/branches/<id:branch>/register.xlsx")
@require(can_run_branch, branch=services.get_branch)
def register_export(branch):
    """``?year=2026`` (this year if left out), or ``?start=2026-03-01&end=2026-08-31``."""
    start, end = exports.period(request.args)
    data = exports.register_xlsx(branch, start, end)
    span = str(start.year) if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and \
        start.year == end.year else f"{start.isoformat()}_{end.isoformat()}"
    title = _("The register of activities")
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, max_age=0,
                     download_name=safe_filename(f"{branch.name}-{title}-{span}.xlsx", "register.xlsx"))


@bp.get("/branches/activities/<id:activity>/print")
@require(can_run_activity, activity=activities.get_activity)
def activity_print(activity):
    """One activity on A4: what it was, its agenda, the minutes (approved, else the draft, marked so),
    and the sign-in list with each person's status and room to sign."""
    approved = activities.approved_minutes(activity)
    event = activities.event_of(activity)
    return render_template(
        "branches/activity_print.html", activity=activity, branch=activity.branch,
        minutes=approved or activities.current_minutes(activity), approved=approved is not None,
        entries=event_entries(event) if event else [], status_labels=STATUS_LABELS,
        render_markdown=render_markdown, activity_name=activity_name)


@bp.get("/branches/attachments/<id:attachment>")
@require(can_download_attachment, attachment=uploads.get_attachment)
def attachment_download(attachment):
    # PDFs and pictures open in the browser's own viewer; Word files download (as handouts do).
    inline = attachment.content_type == "application/pdf" or attachment.content_type.startswith("image/")
    try:
        path = storage.path(attachment.stored_path)
    except ServiceError:
        abort(404)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=attachment.content_type, as_attachment=not inline,
                     download_name=uploads.shown_name(attachment), conditional=True, max_age=0)


@bp.route("/branches/attachments/<id:attachment>/delete", methods=["GET", "POST"])
@require(can_delete_attachment, attachment=uploads.get_attachment)
def attachment_delete(attachment):
    back = url_for("branches.activity_page", activity=attachment.activity_id, _anchor="attachments")
    return confirm_then_act(
        lambda: uploads.delete_attachment(attachment),
        done=_("The file has been deleted."), back=back, title=_("Delete this file?"),
        question=_("Delete the file “%(name)s” from this activity? Members will no longer be able to open it.",
                   name=uploads.shown_name(attachment)),
        confirm=_("Yes, delete the file"), cancel_url=back)
