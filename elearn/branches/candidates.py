"""Whom an officer may add to a branch, and how they find them.

An officer sees by name only the people of the branch's linked classes (the branch is built on
them, so they are its natural members) and finds anyone else only by their exact mobile number or
username, as the class office adds people: an officer cannot browse every account's name and
number. The office (admins) may look up any account by part of its name as well. A result shows the
name and a masked number, enough to tell two people of the same name apart.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select

from ..accounts.models import User
from ..accounts.services import find_user
from ..classes import models as cm
from ..core.permissions import is_admin
from ..extensions import db
from . import models as m

LIMIT = 20


@dataclass
class Candidate:
    user: User
    from_class: str | None  # the linked class they attend, if any
    by_login: bool = False  # found by their exact mobile number or username: added by that, not by id

    @property
    def masked_mobile(self) -> str:
        mobile = self.user.mobile or ""
        return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) == 11 else ""


def _current_ids(branch: m.Branch) -> set[int]:
    return {mb.user_id for mb in branch.members if mb.left_at is None and mb.user_id is not None}


def class_people(branch: m.Branch, query: str = "") -> list[Candidate]:
    """People enrolled in the branch's linked classes who are not members now, by name."""
    stmt = (select(User, cm.ClassGroup.name)
            .join(cm.Enrolment, cm.Enrolment.user_id == User.id)
            .join(cm.ClassGroup, cm.ClassGroup.id == cm.Enrolment.class_id)
            .join(m.BranchClass, m.BranchClass.class_id == cm.ClassGroup.id)
            .where(m.BranchClass.branch_id == branch.id, cm.Enrolment.state == cm.ENROLLED,
                   User.is_disabled.is_(False))
            .order_by(User.name, User.id))
    if query:
        stmt = stmt.where(User.name.contains(query, autoescape=True))
    taken, seen, found = _current_ids(branch), set(), []
    for user, class_name in db.session.execute(stmt):
        if user.id not in taken and user.id not in seen:
            seen.add(user.id)
            found.append(Candidate(user, class_name))
    return found[:LIMIT]


def find(branch: m.Branch, query: str, viewer) -> list[Candidate]:
    """The people ``viewer`` may add who match ``query``: the linked classes' people first, then an exact
    mobile number or username, then (for the office) any account by name."""
    query = (query or "").strip()[:64]
    found = class_people(branch, query)
    if not query:
        return found
    ids, taken = {c.user.id for c in found}, _current_ids(branch)
    exact = find_user(query)
    if exact is not None and exact.id not in ids and exact.id not in taken and not exact.is_disabled:
        found.append(Candidate(exact, None, by_login=True))
        ids.add(exact.id)
    if is_admin(viewer):
        stmt = (select(User).where(User.name.contains(query, autoescape=True), User.is_disabled.is_(False))
                .order_by(User.name, User.id).limit(LIMIT))
        found += [Candidate(user, None) for user in db.session.scalars(stmt) if user.id not in ids | taken]
    return found[:LIMIT]


def may_add(branch: m.Branch, user: User, viewer) -> bool:
    """The check behind an add button that names a person by id: the office may add anyone, an officer
    the people of the linked classes. Anyone else is added by their exact login (``find_user``)."""
    if is_admin(viewer):
        return True
    return bool(db.session.scalar(select(exists().where(
        cm.Enrolment.user_id == user.id, cm.Enrolment.state == cm.ENROLLED,
        cm.Enrolment.class_id.in_(select(m.BranchClass.class_id).where(m.BranchClass.branch_id == branch.id))))))
