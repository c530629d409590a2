"""Pages that issue one-time codes do it once per form, then show the result on a page of its own.

POST (with the form's nonce) -> issue and record the batch in one unit of work -> 303 to
``/admin/users/issued/<batch>``. Reloading that page shows the same codes for a while; sending the
same form again leads to the same page. Nothing is issued twice by a reload or a double click.
"""
from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Callable

import segno
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..core.db import unit_of_work
from ..core.permissions import can_manage_users, require
from ..extensions import db
from . import bp, issued
from .forms import IssueForm
from .issued import IssuedBatch


def issue_form() -> IssueForm:
    """A fresh form (a new nonce) for a page with a button that issues codes."""
    return IssueForm(formdata=None, nonce=issued.new_nonce(current_user))


def issue_once(kind: str, issue: Callable[[], list[issued.Issued]], refused: Callable[[int], object],
               success: Callable[[list[issued.Issued]], str] | None = None):
    """Run ``issue`` unless this form's nonce was used already, then send the admin to the result.

    ``refused(status)`` answers a form without a valid nonce or a refusal from ``issue``;
    ``success(items)`` is the message flashed once, after the commit.
    """
    nonce = issued.check_nonce(request.form.get("nonce"), current_user)
    if nonce is None or not IssueForm().validate_on_submit():
        flash(_("The form had expired. Please try again."), "error")
        return refused(400)
    batch = issued.batch_for_nonce(nonce)
    if batch is None:
        try:
            with unit_of_work(flash_errors=True, locked=True) as work:
                items = issue()
                batch = issued.record(nonce, current_user, kind, items)
        except IntegrityError:
            # The same form sent twice at once: the other request issued; this one wrote nothing.
            batch = issued.batch_for_nonce(nonce)
            if batch is None:
                raise
        else:
            if not work.ok:
                return refused(work.status)
            if success:
                flash(success(items), "success")
    return redirect(url_for("accounts.admin_issued", batch=batch.id), 303)


def record_new_batch(kind: str, items: list[issued.Issued]) -> IssuedBatch:
    """For pages whose form is guarded otherwise (an import, a new account): a batch of its own."""
    return issued.record(secrets.token_urlsafe(16), current_user, kind, items)


@bp.get("/admin/users/issued/<id:batch>")
@require(can_manage_users)
def admin_issued(batch: int):
    """The codes of one batch, again on every reload while they may be shown; then a page saying so."""
    row = db.session.get(IssuedBatch, batch)
    # Only the admin who issued them: another admin who needs a code issues a new one.
    if row is None or row.admin_id != current_user.id:
        abort(404)
    items = issued.shown_codes(row)
    if items is None:
        return render_template("admin/issued_gone.html", batch=row, count=len(row.ids),
                               ids=",".join(map(str, row.ids)), form=issue_form())
    minutes = current_app.config["CODES_SHOWN_MINUTES"]
    if row.kind == "slips":
        page = _slips_page(items, row, minutes)
    else:
        page = render_template("admin/code_issued.html", user=items[0].user, code=items[0].code, batch=row,
                               minutes=minutes)
    response = current_app.make_response(page)
    # The codes are on this page: keep it out of caches and the back/forward history.
    response.headers["Cache-Control"] = "no-store"
    return response


def slips_context(items: list[issued.Issued], row: IssuedBatch) -> dict:
    """What ``admin/_slips.html`` prints: a card per person, the address and until when the codes work."""
    cards = [{
        "name": item.user.name,
        "login": item.user.login_name,
        "code": item.code,
        "qr": _qr(url_for("accounts.login_code", login=item.user.login_name, code=item.code.replace(" ", ""),
                          _external=True)),
    } for item in items]
    valid_until = row.created_at + timedelta(hours=current_app.config["IMPORT_CODE_HOURS"])
    return {"slips": cards, "address": url_for("accounts.login_code", _external=True), "valid_until": valid_until,
            "batch": row}


def _slips_page(items: list[issued.Issued], row: IssuedBatch, minutes: int) -> str:
    return render_template("admin/slips.html", minutes=minutes, **slips_context(items, row))


def _qr(url: str) -> str:
    """A QR code as a data: URI (the CSP allows images from data:, not inline markup styles)."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)
