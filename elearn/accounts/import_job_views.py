"""The page of one import job: progress while the worker reads or imports, then the preview with its
confirm button, then the per-row report and the slips. Only the admin who uploaded the file sees it.

The progress page asks ``.../progress`` (JSON) every two seconds and moves its bar (import-progress.js);
without scripts it refreshes itself now and then and has a "Look again" link.
"""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core import jobs
from ..core.db import unit_of_work
from ..core.errors import translated
from ..core.permissions import can_manage_users, require
from ..extensions import db
from . import bp, import_jobs, issued
from .forms import ConfirmForm
from .issued import IssuedBatch
from .issued_views import slips_context
from .import_jobs import CHECK, READY, ImportJob

#: Seconds between two looks of the progress page.
REFRESH_SECONDS = 2


def _own_job(job: int) -> ImportJob:
    row = db.session.get(ImportJob, job)
    if row is None or row.created_by_id != current_user.id:
        abort(404)
    return row


def _context(job: ImportJob) -> dict:
    target = import_jobs.target_of(job)
    return {"job": job, "destination": target.title(job.target_id) if target.title else None,
            "back": target.back(job.target_id) if target.back else url_for("accounts.admin_import")}


@bp.get("/admin/users/import/<id:job>")
@require(can_manage_users)
def admin_import_job(job: int):
    return _job_page(_own_job(job))


def _job_page(job: ImportJob):
    """Whatever the job is at: progress, a refusal, the preview or the report."""
    context = _context(job)
    if job.running:
        response = render_template("admin/import_progress.html", refresh=REFRESH_SECONDS, **context)
        return response, 200, {"Cache-Control": "no-store"}
    if job.status == jobs.FAILED:
        return render_template("admin/import_failed.html", message=translated(job.error, job.error_params),
                               **context), job.error_status or 400, {}
    rows = job.row_list()
    if job.phase == CHECK:
        if job.changed:
            flash(_("Something changed since the preview, so nothing was imported. Check the rows below."), "error")
        return render_template("admin/import_preview.html", form=ConfirmForm(), ready=[r for r in rows if r.ok],
                               problems=[r for r in rows if not r.ok], total=len(rows), **context), \
            409 if job.changed else 200, {}
    return _result(job, rows, context)


def _result(job: ImportJob, rows, context: dict):
    """The per-row report, and the slips below it while their codes may still be shown."""
    outcome = {int(line): [translated(*said) for said in messages] for line, messages in (job.outcome or {}).items()}
    batch = db.session.get(IssuedBatch, job.batch_id) if job.batch_id else None
    items = issued.shown_codes(batch) if batch is not None else None
    slips = slips_context(items, batch) if items else {}
    page = render_template("admin/import_result.html", done=[r for r in rows if r.line in outcome], outcomes=outcome,
                           problems=[r for r in rows if not r.ok], created=job.created, **context, **slips)
    # The codes are on this page: keep it out of caches and the back/forward history.
    return page, 200, {"Cache-Control": "no-store"}


@bp.get("/admin/users/import/<id:job>/progress")
@require(can_manage_users)
def admin_import_progress(job: int):
    job = _own_job(job)
    response = jsonify(phase=job.phase, status=job.status, done=job.rows_done, total=job.rows_total,
                       finished=not job.running, page=url_for("accounts.admin_import_job", job=job.id))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/admin/users/import/<id:job>/confirm")
@require(can_manage_users)
def admin_import_confirm(job: int):
    job = _own_job(job)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form had expired. Please try again."), "error")
        body, _status, headers = _job_page(job)
        return body, 400, headers
    if job.phase == CHECK and job.status == READY and not any(r.ok for r in job.row_list()):
        abort(409)
    with unit_of_work(locked=True):
        started = import_jobs.confirm(job)
    if not started:
        # A second click: the first one started the import already; its page tells how it went.
        flash(_("This import was started already. Nothing is imported twice."), "error")
    return redirect(url_for("accounts.admin_import_job", job=job.id), 303)
