"""Administrators import accounts from a spreadsheet and print sign-in slips.

Upload -> a background job checks the file (``import_jobs``; its pages are in ``import_job_views``)
-> preview -> confirm (all or nothing) -> slips. Slips can be printed again later, with new codes,
for people who have not signed in yet.
"""
from __future__ import annotations

import io
from datetime import datetime
from itertools import groupby

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from ..core.db import unit_of_work
from ..core.errors import ServiceError
from ..core.ids import parse_ids
from ..core.permissions import can_manage_users, require
from . import bp, import_jobs, importing
from .forms import ImportForm
from .issued_views import issue_form, issue_once


def _expired_form() -> None:
    flash(_("The form had expired. Please try again."), "error")


@bp.route("/admin/users/import", methods=["GET", "POST"])
@require(can_manage_users)
def admin_import():
    """Upload: the file is stored and a job checks it in the background (nothing is parsed here)."""
    form = ImportForm()
    status = 200
    if form.validate_on_submit():
        try:
            with unit_of_work():
                job = import_jobs.start(form.file.data, by=current_user)
        except ServiceError as err:
            form.file.errors.append(str(err.message))
            status = err.status
        else:
            return redirect(url_for("accounts.admin_import_job", job=job.id), 303)
    elif request.method == "POST":
        if form.csrf_token.errors:
            _expired_form()
        status = 400
    return render_template("admin/import_upload.html", form=form), status


@bp.get("/admin/users/import/example.xlsx")
@require(can_manage_users)
def admin_import_example():
    """An empty sheet with the headings, the mobile column stored as text so Excel keeps every digit."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "accounts"
    sheet.append(["姓名", "手机号", "出生年份", "角色"])
    sheet.column_dimensions["B"].number_format = "@"
    for column, width in zip("ABCD", (14, 18, 12, 16)):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name="accounts-import.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/admin/users/slips")
@require(can_manage_users)
def admin_slips():
    """People who have not signed in yet, grouped by the import that created them."""
    return _pending_page()


@bp.post("/admin/users/slips")
@require(can_manage_users)
def admin_slips_reissue():
    def issue():
        batch = _batch(request.form.get("batch"))
        ids = _ids(request.form.get("users", "")) + _ids(",".join(request.form.getlist("user")))
        return importing.reissue_codes(user_ids=ids, batch=batch, by=current_user)

    return issue_once("slips", issue, refused=_pending_page, success=lambda slips: ngettext(
        "A new code has been made for %(num)d person. Slips printed before for them no longer work.",
        "New codes have been made for %(num)d people. Slips printed before for them no longer work.", len(slips)))


# ---------------------------------------------------------------- helpers

PENDING_SHOWN = 2000


def _pending_page(status: int = 200):
    pending = importing.pending_accounts(limit=PENDING_SHOWN)
    # Everyone from one import shares one creation time, so each group is one import.
    groups = [(created, list(users)) for created, users in groupby(pending, key=lambda u: u.created_at)]
    return render_template("admin/slips_pending.html", groups=groups, form=issue_form(),
                           limited=len(pending) >= PENDING_SHOWN), status


def _ids(raw: str) -> list[int]:
    ids = parse_ids(raw)
    if ids is None:
        raise ServiceError("bad_request", _("Please tick at least one person."))
    return ids


def _batch(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise ServiceError("bad_request", _("Please tick at least one person.")) from None
