"""Officers' pages for the people of a branch: find and add a member, set their role and party group,
mark them as left or bring them back, and enter their party details with their separate consent.

Party details are shown only through ``services.party_details`` (the access log is committed
first): the details form is filled from that logged showing, never from the row directly.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from ..accounts.models import User
from ..accounts.services import find_user
from ..core.confirm import ActionForm, confirm_then_act
from ..core.db import unit_of_work
from ..core.errors import ServiceError
from ..core.ids import parse_id
from ..core.permissions import actor, require
from ..extensions import db
from . import bp, candidates, services
from . import models as m
from .labels import PARTY_STATUS_LABELS, ROLE_LABELS
from .member_forms import AddForm, DetailsForm, FindForm, MemberForm
from .permissions import can_run_branch, can_run_member, can_set_officer_roles


def _back(branch: m.Branch):
    return redirect(url_for("branches.members_page", branch=branch.id))


@bp.get("/branches/<id:branch>/members")
@require(can_run_branch, branch=services.get_branch)
def members_page(branch):
    find = FindForm(request.args)
    query = (find.q.data or "").strip()[:64]
    current = [mb for mb in branch.members if mb.left_at is None]
    return render_template(
        "branches/members.html", branch=branch, find=find, query=query,
        found=candidates.find(branch, query, actor()), add_form=AddForm(), action_form=ActionForm(),
        current=current, left=[mb for mb in branch.members if mb.left_at is not None],
        forms={mb.id: MemberForm(branch=branch, prefix=f"m{mb.id}", officer_role=mb.officer_role or "",
                                 group=mb.group_id or 0) for mb in current},
        role_labels=ROLE_LABELS, sets_roles=can_set_officer_roles(actor(), branch))


def _person_to_add(branch: m.Branch, form: AddForm) -> User:
    """By id only people the officer may list; anyone else by their exact mobile number or username."""
    person_id = parse_id(form.person.data)
    if person_id is not None:
        person = db.session.get(User, person_id)
        if person is not None and candidates.may_add(branch, person, actor()):
            return person
    elif form.login.data:
        person = find_user(form.login.data)
        if person is not None:
            return person
    raise ServiceError("unknown_person", _l("Nobody with this name or number can be added here."), status=422)


@bp.post("/branches/<id:branch>/members/add")
@require(can_run_branch, branch=services.get_branch)
def member_add(branch):
    form = AddForm()
    if not form.validate_on_submit():
        abort(400)
    with unit_of_work(flash_errors=True, locked=True) as work:
        member = services.add_member(branch, _person_to_add(branch, form), actor=actor())
    if work.ok:
        flash(_("%(name)s is now a member of the branch.", name=member.person_name), "success")
    return _back(branch)


@bp.post("/branches/members/<id:member>/edit")
@require(can_run_member, member=services.get_member)
def member_edit(member):
    form = MemberForm(branch=member.branch, prefix=f"m{member.id}")
    if not form.validate_on_submit() or member.left_at is not None:
        flash(_("Please choose a role and a party group from the lists."), "error")
        return _back(member.branch)
    group = db.session.get(m.PartyGroup, form.group.data) if form.group.data else None
    with unit_of_work(flash_errors=True) as work:
        services.update_member(member, officer_role=form.officer_role.data or None, group=group, actor=actor())
    if work.ok:
        flash(_("The changes for %(name)s are saved.", name=member.person_name), "success")
    return _back(member.branch)


@bp.route("/branches/members/<id:member>/remove", methods=["GET", "POST"])
@require(can_run_member, member=services.get_member)
def member_remove(member):
    return confirm_then_act(
        lambda: services.remove_member(member),
        done=_("%(name)s has left the branch. Their attendance so far is kept.", name=member.person_name),
        back=url_for("branches.members_page", branch=member.branch_id),
        title=_("%(name)s leaves the branch", name=member.person_name),
        question=_("Mark %(name)s as having left %(branch)s? Their attendance so far stays in the register, and "
                   "they can be added again later.", name=member.person_name, branch=member.branch.name),
        confirm=_("Yes, mark as left"), cancel_url=url_for("branches.members_page", branch=member.branch_id))


@bp.post("/branches/members/<id:member>/rejoin")
@require(can_run_member, member=services.get_member)
def member_rejoin(member):
    if not ActionForm().validate_on_submit():
        abort(400)
    person = db.session.get(User, member.user_id) if member.user_id else None
    with unit_of_work(flash_errors=True, locked=True) as work:
        if person is None:
            raise ServiceError("account_gone", _l("This person's account no longer exists."), status=409)
        services.add_member(member.branch, person, actor=actor())
    if work.ok:
        flash(_("%(name)s is a member of the branch again.", name=member.person_name), "success")
    return _back(member.branch)


@bp.route("/branches/members/<id:member>/details/withdraw", methods=["GET", "POST"])
@require(can_run_member, member=services.get_member)
def consent_withdraw(member):
    """The member takes back their consent: the details are erased (the access log of earlier showings stays)."""
    back = url_for("branches.members_page", branch=member.branch_id)
    return confirm_then_act(
        lambda: services.erase_party_details(member),
        done=_("The party details of %(name)s are erased.", name=member.person_name), back=back,
        title=_("Erase the party details of %(name)s?", name=member.person_name),
        question=_("Do this when the member takes back their agreement. Their standing and party dates are "
                   "erased; they stay in the branch with their attendance. Entering the details again needs "
                   "their agreement again."),
        confirm=_("Erase the party details"), cancel_url=url_for("branches.member_details", member=member.id),
        cancel=_("Keep the details"))


@bp.route("/branches/members/<id:member>/details", methods=["GET", "POST"])
@require(can_run_member, member=services.get_member)
def member_details(member):
    """Enter or correct party details. The form shows what is held only through the logged showing."""
    user, form, status = actor(), DetailsForm(), 200
    if form.validate_on_submit():
        with unit_of_work(flash_errors=True) as work:
            services.set_party_details(member, status=form.status.data, joined_on=form.joined_on.data,
                                       full_on=form.full_on.data, consented=form.consent.data, actor=user)
        if work.ok:
            flash(_("The party details of %(name)s are saved.", name=member.person_name), "success")
            return redirect(url_for("branches.member_page", member=member.id))
        status = work.status
    elif form.is_submitted():
        status = 400
    with unit_of_work():
        details = services.party_details(member, user, "page")
    if request.method == "GET":
        form.status.data = details["status"] or m.FULL
        form.joined_on.data, form.full_on.data = details["joined_on"], details["full_on"]
    return render_template("branches/member_details.html", member=member, branch=member.branch, form=form,
                           details=details, party_status_labels=PARTY_STATUS_LABELS), status
