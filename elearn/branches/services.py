"""Branches, their class links, party groups and members, and the party details behind the access log.

Plain functions that flush and never commit. ``party_details`` writes the access log before it
returns anything: a caller that cannot commit the log must not show the details (views commit
first, then render).
"""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.exc import SQLAlchemyError

from ..accounts.models import User
from ..core.errors import Forbidden, NotFound, ServiceError
from ..core.text import clean_line, required_line
from ..core.timeutil import utcnow
from ..extensions import db
from . import models as m
from .permissions import can_set_officer_roles

NAME_LIMIT = 100


def _name(value, field: str = "name", limit: int = NAME_LIMIT) -> str:
    return required_line(value, field, limit)


def get_branch(branch_id: int) -> m.Branch:
    branch = db.session.get(m.Branch, branch_id)
    if branch is None:
        raise NotFound("branch_not_found", _l("This branch does not exist."))
    return branch


def get_member(member_id: int) -> m.BranchMember:
    member = db.session.get(m.BranchMember, member_id)
    if member is None:
        raise NotFound("member_not_found", _l("This member is not in the branch."))
    return member


def save_branch(branch: m.Branch | None, *, name, description: str = "") -> m.Branch:
    name = _name(name)
    taken = db.session.scalar(select(m.Branch.id).where(m.Branch.name == name))
    if taken is not None and (branch is None or taken != branch.id):
        raise ServiceError("name_taken", _l("There is already a branch with this name."), status=409, field="name")
    branch = branch or m.Branch(name=name)
    branch.name, branch.description = name, clean_line(description, "description")[:1000]
    db.session.add(branch)
    db.session.flush()
    return branch


def link_class(branch: m.Branch, class_id: int) -> m.BranchClass:
    """Organise the branch on this class group (its term is the class's); linking twice changes nothing."""
    existing = db.session.scalar(select(m.BranchClass).filter_by(branch_id=branch.id, class_id=class_id))
    if existing is not None:
        return existing
    link = m.BranchClass(branch=branch, class_id=class_id)
    db.session.add(link)
    db.session.flush()
    return link


def unlink_class(branch: m.Branch, link_id: int) -> None:
    """The branch is no longer organised on this class (its past activities and members stay)."""
    link = db.session.get(m.BranchClass, link_id)
    if link is None or link.branch_id != branch.id:
        raise NotFound("link_not_found", _l("This class is not linked to the branch."))
    db.session.delete(link)
    db.session.flush()


def rename_group(group: m.PartyGroup, name) -> None:
    name = _name(name, limit=64)
    if any(other.name == name and other.id != group.id for other in group.branch.groups):
        raise ServiceError("name_taken", _l("This branch already has a party group with this name."), status=409,
                           field="name")
    group.name = name
    db.session.flush()


def remove_group(group: m.PartyGroup) -> None:
    """Only an empty group goes: a member, even one who has left, or a meeting of the group keeps it."""
    used = db.session.scalar(select(exists().where(m.BranchMember.group_id == group.id))) or \
        db.session.scalar(select(exists().where(m.Activity.group_id == group.id)))
    if used:
        raise ServiceError("group_in_use", _l(
            "This party group still has members or meetings. Move its members to another group first."), status=409)
    db.session.delete(group)
    db.session.flush()


def add_group(branch: m.Branch, name) -> m.PartyGroup:
    name = _name(name, limit=64)
    if any(group.name == name for group in branch.groups):
        raise ServiceError("name_taken", _l("This branch already has a party group with this name."), status=409,
                           field="name")
    group = m.PartyGroup(branch=branch, name=name)
    db.session.add(group)
    db.session.flush()
    return group


def add_member(branch: m.Branch, user: User, *, officer_role: str | None = None,
               group: m.PartyGroup | None = None, actor, now: datetime | None = None) -> m.BranchMember:
    """Add a person; one who left earlier comes back on the same row (their history stays with it).
    ``actor``: who does it (``actor()`` from pages and the API, ``SYSTEM`` from the command line), for
    the role rule."""
    _check_role(officer_role, branch, actor)
    _check_group(branch, group)
    member = db.session.scalar(select(m.BranchMember).filter_by(branch_id=branch.id, user_id=user.id))
    if member is not None and member.left_at is None:
        raise ServiceError("already_member", _l("%(name)s is already in this branch.", name=user.name), status=409)
    if member is None:
        member = m.BranchMember(branch=branch, user_id=user.id, person_name=user.name)
        db.session.add(member)
    member.person_name, member.left_at = user.name, None
    member.joined_at = now or utcnow()
    member.officer_role, member.group = officer_role, group
    db.session.flush()
    return member


def _check_role(role: str | None, branch: m.Branch, actor, current: str | None = None) -> None:
    """A known role, given only by the secretary or the office: officer roles carry rights (the secretary
    approves minutes), so an officer cannot make themself or anyone else secretary."""
    if role is not None and role not in m.OFFICER_ROLES:
        raise ServiceError("bad_role", _l("This officer role is not known."), status=422, field="officer_role")
    if role != current and not can_set_officer_roles(actor, branch):
        raise Forbidden("roles_by_secretary", _l("Only the secretary or the office can change officer roles."))


def _check_group(branch: m.Branch, group: m.PartyGroup | None) -> None:
    if group is not None and group.branch_id != branch.id:
        raise ServiceError("bad_group", _l("This party group belongs to another branch."), status=422, field="group")


def update_member(member: m.BranchMember, *, officer_role: str | None, group: m.PartyGroup | None,
                  actor) -> None:
    _check_role(officer_role, member.branch, actor, current=member.officer_role)
    _check_group(member.branch, group)
    member.officer_role, member.group = officer_role, group
    db.session.flush()


def remove_member(member: m.BranchMember, now: datetime | None = None) -> None:
    """Leaving keeps the row and its attendance history; the person is no longer expected afterwards."""
    if member.left_at is None:
        member.left_at = now or utcnow()
        member.officer_role = None
        db.session.flush()


def set_party_details(member: m.BranchMember, *, status: str, joined_on: date | None, full_on: date | None,
                      consented: bool, actor, now: datetime | None = None) -> None:
    """Party details, entered by an officer with the member's separate consent (PIPL Art. 29)."""
    if not consented and member.consent_at is None:
        raise ServiceError("consent_needed", _l(
            "Party details can only be kept with the member's own consent. Ask them first, then tick the box."),
            status=422, field="consent")
    if status not in m.PARTY_STATUSES:
        raise ServiceError("bad_status", _l("This party standing is not known."), status=422, field="status")
    today = (now or utcnow()).date()
    for value, field in ((joined_on, "joined_on"), (full_on, "full_on")):
        if value is not None and value > today:
            raise ServiceError("in_future", _l("This date is in the future."), status=422, field=field)
    if joined_on and full_on and full_on < joined_on:
        raise ServiceError("before_joining", _l("Full membership cannot come before joining."), status=422,
                           field="full_on")
    if member.consent_at is None:
        member.consent_at, member.consent_by_id = now or utcnow(), actor.id
    member.party_status, member.joined_party_on, member.full_member_on = status, joined_on, full_on
    db.session.flush()


def log_refused() -> ServiceError:
    """The answer when the access log cannot be written (here, or when its row is committed): no details."""
    return ServiceError("access_log_failed", _l(
        "Party details are only shown once the record of who looked at them is written, and that failed. "
        "Nothing is shown; please try again later."), status=503)


def party_details(member: m.BranchMember, viewer, channel: str, now: datetime | None = None) -> dict:
    """The member's party details, with the showing written to the access log first (flushed: if the
    log cannot be written, this refuses and nothing is shown)."""
    entry = m.MembershipAccess(member_id=member.id, member_name=member.person_name, branch_id=member.branch_id,
                               viewer_id=viewer.id, viewer_name=viewer.name, channel=channel, at=now or utcnow())
    try:
        with db.session.begin_nested():  # a savepoint: the failed write leaves the session usable for the answer
            db.session.add(entry)
    except SQLAlchemyError:
        raise log_refused() from None
    recorder = db.session.get(User, member.consent_by_id) if member.consent_by_id else None
    return {"status": member.party_status, "joined_on": member.joined_party_on, "full_on": member.full_member_on,
            "consent_at": member.consent_at, "consent_by": recorder.name if recorder else None}


def access_log_query(branch_id: int | None = None):
    """Newest first; the admins' page pages through it."""
    query = select(m.MembershipAccess).order_by(m.MembershipAccess.at.desc(), m.MembershipAccess.id.desc())
    if branch_id is not None:
        query = query.where(m.MembershipAccess.branch_id == branch_id)
    return query


def access_log(branch_id: int | None = None, limit: int = 200) -> list[m.MembershipAccess]:
    return list(db.session.scalars(access_log_query(branch_id).limit(limit)))


def branches_of(user) -> list[m.Branch]:
    """The branches a person belongs to now (officer or not)."""
    return list(db.session.scalars(
        select(m.Branch).join(m.BranchMember).where(m.BranchMember.user_id == user.id, m.BranchMember.left_at.is_(None))
        .order_by(m.Branch.name)))


def in_a_branch(user) -> bool:
    """Whether a person belongs to any branch now: one indexed EXISTS, asked by the menu on every page."""
    return bool(db.session.scalar(select(exists().where(
        m.BranchMember.user_id == user.id, m.BranchMember.left_at.is_(None)))))


def erase_party_details(member: m.BranchMember) -> None:
    """The member withdrew their consent (PIPL Art. 15): the party details and the consent itself go;
    membership, role and attendance stay. Entering details again needs a new consent."""
    member.party_status = member.joined_party_on = member.full_member_on = None
    member.consent_at = member.consent_by_id = None
    db.session.flush()


def forget_person(user_id: int) -> None:
    """An account is being deleted: the register keeps the name and attendance, drops the link to the account
    (contact details live on the account) and the party details."""
    for member in db.session.scalars(select(m.BranchMember).where(m.BranchMember.user_id == user_id)):
        member.user_id = None
        erase_party_details(member)
        if member.left_at is None:
            member.left_at = utcnow()
    db.session.flush()
