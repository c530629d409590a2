"""A class roster from a spreadsheet: the accounts import with the target ``roster``, which also enrols
every matched or new person into the class (capacity and waiting list as for one person at a time).

The file is read, checked and imported by the accounts feature's import job; this module only says
what a roster adds: people already registered are matched by mobile number instead of refused, and
after the accounts exist each person is enrolled, in the same transaction.
"""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from ..accounts import import_jobs
from ..accounts.forms import ImportForm
from ..core.db import unit_of_work
from ..core.errors import NotFound
from ..core.permissions import require
from ..extensions import db
from . import bp, enrolment
from . import models as m
from .permissions import can_manage_classes
from .services import get_class

ROSTER = "roster"


def _group(class_id: int) -> m.ClassGroup:
    group = db.session.get(m.ClassGroup, class_id)
    if group is None:
        raise NotFound("class_gone", _l("This class no longer exists, so nobody was imported."))
    return group


def enrol_people(class_id: int, people) -> dict[int, object]:
    """Enrol each (row, user) in file order; returns what happened to each row's person."""
    group = _group(class_id)
    said = {}
    for row, user in people:
        before = enrolment.enrolment_of(group, user.id)
        if before is not None and before.state == m.ENROLLED:
            said[row.line] = _l("Already a member of the class.")
        elif before is not None and before.state == m.WAITING:
            said[row.line] = _l("Already on the waiting list.")
        elif enrolment.enrol(group, user.id).state == m.WAITING:
            said[row.line] = _l("On the waiting list: the class is full.")
        else:
            said[row.line] = _l("Added to the class.")
    return said


def init_app(app) -> None:
    import_jobs.register_target(import_jobs.Target(
        ROSTER, match_existing=True, after_import=enrol_people, title=lambda class_id: _group(class_id).name,
        back=lambda class_id: url_for("classes.admin_class", group=class_id)))


@bp.post("/admin/classes/<id:group>/roster-import")
@require(can_manage_classes, group=get_class)
def admin_class_roster_import(group):
    """Store the roster and queue its check; the import's own pages take it from there."""
    form = ImportForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in sum(form.errors.values(), [])) or _("The form had expired. Please try again."),
              "error")
        return redirect(url_for("classes.admin_class", group=group.id), 303)
    with unit_of_work(flash_errors=True) as work:
        job = import_jobs.start(form.file.data, by=current_user, target=ROSTER, target_id=group.id)
    if not work.ok:  # too large or empty: said at once, no job
        return redirect(url_for("classes.admin_class", group=group.id), 303)
    return redirect(url_for("accounts.admin_import_job", job=job.id), 303)
