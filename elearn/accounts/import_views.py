"""Administrators import accounts from a spreadsheet and print sign-in slips.

Upload -> preview (nothing written) -> confirm (all or nothing) -> slips. Slips can be printed
again later, with new codes, for people who have not signed in yet.
"""
from __future__ import annotations

import io
from datetime import datetime
from itertools import groupby

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..core.db import unit_of_work
from ..core.errors import ServiceError
from ..core.ids import parse_ids
from ..core.permissions import can_manage_users, require
from . import bp, importing
from .forms import ImportConfirmForm, ImportForm
from .issued_views import issue_form, issue_once, record_new_batch


def _expired_form() -> None:
    flash(_("The form had expired. Please try again."), "error")


@bp.route("/admin/users/import", methods=["GET", "POST"])
@require(can_manage_users)
def admin_import():
    form = ImportForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            rows = importing.parse_file(upload.filename or "", upload.stream.read(importing.MAX_BYTES + 1))
        except ServiceError as err:
            form.file.errors.append(str(err.message))
            status = err.status
        else:
            return _preview(rows)
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


@bp.post("/admin/users/import/confirm")
@require(can_manage_users)
def admin_import_confirm():
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        _expired_form()
        return render_template("admin/import_upload.html", form=ImportForm(formdata=None)), 400
    try:
        rows = importing.unpack(form.payload.data, current_user.id)
    except ServiceError as err:
        flash(str(err.message), "error")
        return render_template("admin/import_upload.html", form=ImportForm(formdata=None)), err.status
    try:
        with unit_of_work():
            slips = importing.create_accounts(rows, by=current_user)
            batch = record_new_batch("slips", slips)
    except importing.ImportChanged as err:
        return _changed(err.rows)
    except (ServiceError, IntegrityError):
        # A second click can take the same numbers between our check and our insert; check again.
        return _changed(importing.unpack(form.payload.data, current_user.id))
    flash(ngettext("%(num)d account has been created.", "%(num)d accounts have been created.", len(slips)),
          "success")
    return redirect(url_for("accounts.admin_issued", batch=batch.id), 303)


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

def _preview(rows, status: int = 200):
    form = ImportConfirmForm(formdata=None, payload=importing.pack(rows, current_user.id))
    ready = [r for r in rows if r.ok]
    problems = [r for r in rows if not r.ok]
    return render_template("admin/import_preview.html", form=form, ready=ready, problems=problems,
                           total=len(rows)), status


def _changed(rows):
    """Confirm found the rows changed: a second click (say so) or new problems (show them again)."""
    changed = importing.ImportChanged(rows)
    if rows and changed.already_imported:
        users = [r.taken_by for r in rows]
        return render_template("admin/import_done.html", users=users, form=issue_form(),
                               ids=",".join(str(u.id) for u in users)), 409
    flash(str(changed.message), "error")
    return _preview(rows, status=409)


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
