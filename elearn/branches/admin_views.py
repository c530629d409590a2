"""The office's pages for branches: a new branch, its name, its links to class groups term by term,
its party groups; the 三会一课 requirements; the log of who was shown whose party details."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..classes import models as cm
from ..core.confirm import ActionForm
from ..core.db import unit_of_work
from ..core.ids import parse_id
from ..core.permissions import require
from ..extensions import db
from . import bp, compliance, services
from . import models as m
from .labels import KIND_LABELS
from .member_forms import BranchForm, GroupForm, LinkForm, RequirementsForm
from .permissions import can_manage_branches, can_manage_group

LOG_PAGE_SIZE = 50
PAGE_MAX = 100_000  # a huge page number would be an OFFSET the driver cannot hold


def _get_group(group_id: int) -> m.PartyGroup:
    group = db.session.get(m.PartyGroup, group_id)
    if group is None:
        abort(404)
    return group


def _link_choices(branch: m.Branch) -> list[tuple[int, str]]:
    """Classes not linked yet, newest term first, each named with its term."""
    linked = {link.class_id for link in branch.class_links}
    rows = db.session.scalars(select(cm.ClassGroup).join(cm.Term).order_by(cm.Term.starts_on.desc(), cm.ClassGroup.name))
    return [(g.id, f"{g.term.name} · {g.name}") for g in rows if g.id not in linked]


def _links_by_term(branch: m.Branch) -> list[tuple[cm.Term, list[tuple[m.BranchClass, cm.ClassGroup]]]]:
    pairs = [(link, db.session.get(cm.ClassGroup, link.class_id)) for link in branch.class_links]
    terms: dict[int, tuple[cm.Term, list]] = {}
    for link, group in sorted(pairs, key=lambda p: (p[1].term.starts_on, p[1].name), reverse=True):
        terms.setdefault(group.term_id, (group.term, []))[1].append((link, group))
    return list(terms.values())


def _branch_page(branch: m.Branch, form: BranchForm, status: int = 200):
    link_form = LinkForm(prefix="link")
    link_form.class_group.choices = _link_choices(branch) if branch else []
    return render_template("branches/admin_branch.html", branch=branch, form=form, link_form=link_form,
                           group_form=GroupForm(prefix="group"), action_form=ActionForm(),
                           rename_forms={g.id: GroupForm(prefix=f"g{g.id}", name=g.name)
                                         for g in (branch.groups if branch else [])},
                           terms=_links_by_term(branch) if branch else []), status


@bp.route("/admin/branches/new", methods=["GET", "POST"])
@bp.route("/admin/branches/<id:branch>", methods=["GET", "POST"])
@require(can_manage_branches)
def admin_branch(branch=None):
    branch = services.get_branch(branch) if branch else None
    form, status = BranchForm(obj=branch), 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        with unit_of_work(flash_errors=True, locked=True) as work:
            branch = services.save_branch(branch, name=form.name.data, description=form.description.data or "")
        if work.ok:
            flash(_("The branch %(name)s is saved.", name=branch.name), "success")
            return redirect(url_for("branches.admin_branch", branch=branch.id))
        status = work.status
    return _branch_page(branch, form, status)


def _back(branch_id: int):
    return redirect(url_for("branches.admin_branch", branch=branch_id))


@bp.post("/admin/branches/<id:branch>/classes")
@require(can_manage_branches, branch=services.get_branch)
def admin_link_class(branch):
    form = LinkForm(prefix="link")
    form.class_group.choices = _link_choices(branch)
    if not form.validate_on_submit():
        flash(_("Please choose a class from the list."), "error")
        return _back(branch.id)
    with unit_of_work(flash_errors=True) as work:
        services.link_class(branch, form.class_group.data)
    if work.ok:
        flash(_("The class is linked to the branch."), "success")
    return _back(branch.id)


@bp.post("/admin/branches/<id:branch>/classes/<id:link>/unlink")
@require(can_manage_branches, branch=services.get_branch)
def admin_unlink_class(branch, link):
    if not ActionForm().validate_on_submit():
        abort(400)
    with unit_of_work(flash_errors=True) as work:
        services.unlink_class(branch, link)
    if work.ok:
        flash(_("The class is no longer linked. Members and past activities stay."), "success")
    return _back(branch.id)


@bp.post("/admin/branches/<id:branch>/groups")
@require(can_manage_branches, branch=services.get_branch)
def admin_group_add(branch):
    return _named_group(GroupForm(prefix="group"), lambda name: services.add_group(branch, name),
                        _("The party group is added."), branch.id)


@bp.post("/admin/branches/groups/<id:group>/rename")
@require(can_manage_group, group=_get_group)
def admin_group_rename(group):
    return _named_group(GroupForm(prefix=f"g{group.id}"), lambda name: services.rename_group(group, name),
                        _("The party group is renamed."), group.branch_id)


def _named_group(form: GroupForm, save, done: str, branch_id: int):
    """A party group's name from its form, saved by ``save(name)`` in one unit of work; back to the branch."""
    if not form.validate_on_submit():
        flash(_("Please give the party group a name of up to 64 characters."), "error")
        return _back(branch_id)
    with unit_of_work(flash_errors=True, locked=True) as work:
        save(form.name.data)
    if work.ok:
        flash(done, "success")
    return _back(branch_id)


@bp.post("/admin/branches/groups/<id:group>/remove")
@require(can_manage_group, group=_get_group)
def admin_group_remove(group):
    if not ActionForm().validate_on_submit():
        abort(400)
    branch_id = group.branch_id
    with unit_of_work(flash_errors=True) as work:
        services.remove_group(group)
    if work.ok:
        flash(_("The party group is removed."), "success")
    return _back(branch_id)


@bp.route("/admin/branches/requirements", methods=["GET", "POST"])
@require(can_manage_branches)
def admin_requirements():
    form, status = RequirementsForm(), 400 if request.method == "POST" else 200
    if request.method == "GET":
        rules = {rule.kind: rule for rule in compliance.requirements()}
        for kind in m.DEFAULT_REQUIREMENTS:
            row, rule = getattr(form, kind), rules.get(kind)
            row.period.data = rule.period if rule else m.DEFAULT_REQUIREMENTS[kind]
            row.times.data = rule.times if rule else 0
    if form.validate_on_submit():
        rows = {kind: (getattr(form, kind).period.data, getattr(form, kind).times.data or 0)
                for kind in m.DEFAULT_REQUIREMENTS}
        with unit_of_work(flash_errors=True, locked=True) as work:
            compliance.save_requirements(rows)
        if work.ok:
            flash(_("The requirements are saved. Every branch's figures now follow them."), "success")
            return redirect(url_for("branches.admin_requirements"))
        status = work.status
    return render_template("branches/admin_requirements.html", form=form, kinds=list(m.DEFAULT_REQUIREMENTS),
                           kind_labels=KIND_LABELS), status


@bp.get("/admin/branches/access-log")
@require(can_manage_branches)
def admin_access_log():
    branch_id = parse_id(request.args.get("branch"))
    page = min(max(1, request.args.get("page", 1, type=int)), PAGE_MAX)
    entries = db.paginate(services.access_log_query(branch_id), page=page, per_page=LOG_PAGE_SIZE, error_out=False)
    branches = list(db.session.scalars(select(m.Branch).order_by(m.Branch.name)))
    return render_template("branches/admin_access_log.html", entries=entries, branches=branches, branch_id=branch_id)
