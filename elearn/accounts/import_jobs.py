"""Imports from a spreadsheet run as background jobs, so 5,000 rows never run inside a request.

Upload (the file is stored, a job row is written: nothing is parsed) -> the worker checks the file,
reporting progress -> the admin sees the preview and confirms -> the worker creates the accounts
(all or none) and records the slips -> the admin sees the per-row report and prints the slips.

One import serves every *target*: ``accounts`` (this feature) and whatever a higher feature
registers with ``register_target``, such as the class roster that also enrols the people.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, Text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from ..core import jobs, spreadsheets, storage
from ..core.errors import ServiceError, stored_message
from ..core.timeutil import utcnow
from ..core.utils import safe_filename
from ..extensions import db
from . import importing, issued
from .models import User

KIND = "import"
CHECK, IMPORT = "check", "import"  # the job's phase
READY = "ready"  # the phase is done (besides the queued / processing / failed of core.jobs)
SUFFIXES = {"xlsx", "csv"}

NEW_ACCOUNT = _l("A new account was made.")
GAVE_UP = _l("The file could not be read in time. Please upload it again; if this keeps happening, split it "
             "into smaller files.")


class ImportJob(db.Model):
    """One spreadsheet import: its file until it is checked, the checked rows, progress and outcome."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(String(16))
    #: The target's own id (the class of a roster import).
    target_id: Mapped[int | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    #: Under MEDIA_DIR (``imports/``) until the check has read it.
    file_path: Mapped[str | None] = mapped_column(String(255))
    phase: Mapped[str] = mapped_column(String(16), default=CHECK)
    status: Mapped[str] = mapped_column(String(16), default=jobs.QUEUED, index=True)
    rows_done: Mapped[int] = mapped_column(default=0)
    rows_total: Mapped[int] = mapped_column(default=0)
    #: Every row of the file as ``importing.row_data``.
    rows: Mapped[list | None] = mapped_column(JSON)
    #: line -> [[msgid, params], ...]: what the import did with each ready row.
    outcome: Mapped[dict | None] = mapped_column(JSON)
    #: The preview was checked again at confirm and something had changed: nothing was imported.
    changed: Mapped[bool] = mapped_column(default=False)
    #: Accounts the import made (the others were matched to accounts that existed).
    created: Mapped[int] = mapped_column(default=0)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("issued_batches.id", ondelete="SET NULL"))
    error: Mapped[str | None] = mapped_column(Text)
    error_params: Mapped[dict | None] = mapped_column(JSON)
    error_status: Mapped[int | None]
    attempt: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    queued_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    @property
    def running(self) -> bool:
        return self.status in (jobs.QUEUED, jobs.PROCESSING)

    def row_list(self) -> list[importing.Row]:
        return importing.rows_from_data(self.rows or [])


# ---------------------------------------------------------------- targets

@dataclass(frozen=True)
class Target:
    name: str
    #: A mobile number in use is that person (enrol them), not a problem.
    match_existing: bool = False
    #: ``(target_id, [(row, user)]) -> {line: message}``: after the accounts exist, in the same transaction;
    #: a ServiceError undoes the whole import.
    after_import: Callable | None = None
    #: ``target_id -> str``: what the pages name as the import's destination (a class's name).
    title: Callable | None = None
    #: ``target_id -> url``: where "back" leads.
    back: Callable | None = None


_targets: dict[str, Target] = {"accounts": Target("accounts")}


def register_target(target: Target) -> None:
    _targets[target.name] = target


def target_of(job: ImportJob) -> Target:
    return _targets[job.target]


def init_app(app) -> None:
    jobs.register(KIND, model=ImportJob, run=run_import, give_up=_give_up, label=_l("Imports from spreadsheets"))


# ---------------------------------------------------------------- in the request: store and queue

def start(upload, by: User, target: str = "accounts", target_id: int | None = None) -> ImportJob:
    """Store the uploaded file and queue its check; reads the bytes, parses nothing. Flushes."""
    data = upload.stream.read(importing.MAX_BYTES + 1)
    if len(data) > importing.MAX_BYTES:
        raise spreadsheets.too_large_file(importing.LIMITS)
    if not data.strip():
        raise ServiceError("empty_file", _l("The file is empty."))
    filename = safe_filename(upload.filename, default="import")
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    relative = storage.write_bytes(storage.import_file(f".{suffix}" if suffix in SUFFIXES else ".bin"), data)
    job = ImportJob(target=target, target_id=target_id, created_by_id=by.id, filename=filename,
                    file_path=relative, queued_at=utcnow())
    db.session.add(job)
    db.session.flush()
    jobs.enqueue_after_commit(KIND, job.id)
    return job


def confirm(job: ImportJob) -> bool:
    """Queue the import of a checked preview; False if it was confirmed already (a second click)."""
    result = db.session.execute(
        update(ImportJob).where(ImportJob.id == job.id, ImportJob.phase == CHECK, ImportJob.status == READY)
        .values(phase=IMPORT, status=jobs.QUEUED, changed=False, queued_at=utcnow(), attempts=0)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    jobs.enqueue_after_commit(KIND, job.id)
    return True


# ---------------------------------------------------------------- in the worker

class LeaseLost(Exception):
    """Another worker holds this job now; stop without writing anything."""


def run_import(job_id: int) -> str:
    attempt = jobs.claim(ImportJob, job_id, jobs.worker_identity())
    if attempt is None:
        return "not claimed"
    with jobs.running(KIND, job_id, attempt):
        job = db.session.get(ImportJob, job_id)
        try:
            return _check(job, attempt) if job.phase == CHECK else _import(job, attempt)
        except LeaseLost:
            return "lease lost"
        except Exception:  # noqa: BLE001 - any crash is a failed attempt: the reaper tries again, then gives up
            current_app.logger.exception("import job %s failed", job_id)
            db.session.rollback()
            raise


def _finish(job_id: int, attempt: int, **values) -> None:
    """The phase's outcome, with the work in the session; a worker that lost the job writes nothing."""
    if not jobs.guarded_update(ImportJob, job_id, attempt, all_or_nothing=True, lease_owner=None,
                               lease_expires_at=None, finished_at=utcnow(), **values):
        raise LeaseLost()


def _check(job: ImportJob, attempt: int) -> str:
    job_id, relative, filename = job.id, job.file_path, job.filename
    data = storage.path(relative).read_bytes()

    def progress(done: int, total: int) -> None:
        # Each report also renews the lease: a long check holds its job without a second thread.
        if not (jobs.guarded_update(ImportJob, job_id, attempt, rows_done=done, rows_total=total)
                and jobs.renew(ImportJob, job_id, attempt)):
            raise LeaseLost()

    try:
        rows = importing.parse_file(filename, data, match_existing=target_of(job).match_existing,
                                    on_progress=progress)
    except ServiceError as err:
        msgid, params = stored_message(err.message)
        storage.remove_after_commit(relative)
        _finish(job_id, attempt, status=jobs.FAILED, file_path=None, error=msgid, error_params=params,
                error_status=err.status)
        return "refused"
    storage.remove_after_commit(relative)  # read once: the checked rows live on the job's row now
    _finish(job_id, attempt, status=READY, file_path=None, rows=[importing.row_data(r) for r in rows],
            rows_done=len(rows), rows_total=len(rows))
    return "checked"


def _import(job: ImportJob, attempt: int) -> str:
    """Create the accounts (and whatever the target adds) in one transaction, or none of them."""
    target, job_id = target_of(job), job.id
    earlier = job.row_list()
    ready = importing.recheck([r for r in earlier if r.ok], target.match_existing)
    admin = db.session.get(User, job.created_by_id)
    try:
        if not all(r.ok for r in ready):
            raise importing.ImportChanged(ready)
        new = [r for r in ready if r.taken_by is None]
        slips = importing.create_accounts(new, by=admin) if new else []
        users = {slip.user.mobile: slip.user for slip in slips}
        people = [(r, r.taken_by or users[r.mobile]) for r in ready]
        outcome = {str(r.line): [stored_message(NEW_ACCOUNT)] for r in new}
        if target.after_import:
            for line, message in target.after_import(job.target_id, people).items():
                outcome.setdefault(str(line), []).append(stored_message(message))
        batch = issued.record(secrets.token_urlsafe(16), admin, "slips", slips) if slips else None
    except (importing.ImportChanged, IntegrityError):
        # A number was taken since the preview (or by a concurrent insert): nothing stays; show the rows again.
        db.session.rollback()
        again = importing.recheck([r for r in earlier if r.ok], target.match_existing)
        _finish(job_id, attempt, phase=CHECK, status=READY, changed=True, rows=[
            importing.row_data(r) for r in sorted(again + [r for r in earlier if not r.ok], key=lambda r: r.line)])
        return "changed"
    except ServiceError as err:  # the target refused (its class was deleted meanwhile...): nothing stays
        db.session.rollback()
        msgid, params = stored_message(err.message)
        _finish(job_id, attempt, status=jobs.FAILED, error=msgid, error_params=params, error_status=err.status)
        return "refused"
    _finish(job_id, attempt, status=READY, outcome=outcome, rows_done=len(ready), created=len(slips),
            batch_id=batch.id if batch else None)
    return "imported"


def _give_up(job: ImportJob) -> None:
    job.error, job.error_params = stored_message(GAVE_UP)
    job.error_status = 500
    storage.remove_after_commit(job.file_path)
    job.file_path = None
