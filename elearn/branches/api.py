"""/api/v1: branches and their members, with the pages' ``can_*`` rules.

Party membership is sensitive personal information: a member's party details are sent only to the
branch's officers and admins (and to the member themself), only when asked for
(``party_details=true``), and each showing is written to the access log (channel "api") and committed
before the answer is made. When the log cannot be written the details are not sent (503).
"""
from __future__ import annotations

from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..accounts.models import User
from ..api import SECURITY, Blueprint, error_responses
from ..core.db import unit_of_work
from ..core.errors import NotFound, ServiceError
from ..core.permissions import actor, is_admin, require
from ..extensions import db
from . import models as m
from . import services
from .permissions import (can_run_member, can_run_branch, can_see_branch, can_view_member_details,
                          can_view_own_branches, membership)
from .schemas import (BranchMemberAddSchema, BranchMemberListSchema, BranchMemberPatchSchema, BranchMemberQuerySchema,
                      BranchMemberSchema, BranchSchema, PartyDetailsQuerySchema)

blp = Blueprint("api_branches", __name__, url_prefix="/api/v1",
                description="Party branches: members, activities with their minutes and attendance, compliance")
_errors = error_responses(blp)
_LOG_FAILED = {503: "The access log could not be written, so the party details are not sent"}


def my_role(user, branch: m.Branch) -> str | None:
    member = membership(user, branch)
    if member is None:
        return None
    return member.officer_role or "member"


def _group(branch: m.Branch, group_id: int | None) -> m.PartyGroup | None:
    if group_id is None:
        return None
    group = db.session.get(m.PartyGroup, group_id)
    if group is None or group.branch_id != branch.id:
        raise NotFound("group_not_found", _l("This party group is not in the branch."), field="group_id")
    return group


def dump_member(member: m.BranchMember, details: dict | None = None) -> dict:
    out = {"id": member.id, "branch_id": member.branch_id, "person": member.user_id, "name": member.person_name,
           "officer_role": member.officer_role, "joined_at": member.joined_at, "left_at": member.left_at,
           "group": {"id": member.group.id, "name": member.group.name} if member.group else None}
    if details is not None:
        out["party_details"] = details
    return out


def shown_details(members: list[m.BranchMember], viewer) -> dict[int, dict]:
    """The party details of ``members``, each showing logged and committed first: if the log cannot be
    written nothing is returned (the caller answers 503, never the details)."""
    try:
        with unit_of_work():
            return {member.id: services.party_details(member, viewer, "self" if member.user_id == viewer.id else "api")
                    for member in members}
    except SQLAlchemyError:  # the log's rows are written, but their commit failed
        raise services.log_refused() from None


def _current(branch: m.Branch) -> list[m.BranchMember]:
    return [member for member in branch.members if member.left_at is None]


def dump_branch(branch: m.Branch, user) -> dict:
    out = {"id": branch.id, "name": branch.name, "description": branch.description, "my_role": my_role(user, branch),
           "groups": [{"id": group.id, "name": group.name} for group in branch.groups]}
    if can_run_branch(user, branch):
        out["members"] = [dump_member(member) for member in _current(branch)]
    return out


@blp.route("/branches")
class Branches(MethodView):
    @require(can_view_own_branches)
    @blp.response(200, BranchSchema(many=True))
    @_errors()
    @blp.doc(security=SECURITY)
    def get(self):
        """The branches the caller belongs to; admins: every branch."""
        user = actor()
        found = (db.session.scalars(select(m.Branch).order_by(m.Branch.name)) if is_admin(user)
                 else services.branches_of(user))
        return [dump_branch(branch, user) for branch in found]


@blp.route("/branches/<id:branch>")
class BranchItem(MethodView):
    @require(can_see_branch, branch=services.get_branch)
    @blp.response(200, BranchSchema)
    @_errors(403, 404)
    @blp.doc(security=SECURITY)
    def get(self, branch):
        """One branch (its members, officers and admins); officers and admins also get its members and roles."""
        return dump_branch(branch, actor())


@blp.route("/branches/<id:branch>/members")
class BranchMembers(MethodView):
    @require(can_run_branch, branch=services.get_branch)
    @blp.arguments(BranchMemberQuerySchema, location="query")
    @blp.response(200, BranchMemberListSchema)
    @_errors(403, 404, 422, _LOG_FAILED)
    @blp.doc(security=SECURITY)
    def get(self, query, branch):
        """The members with their roles and party groups (officers and admins), by name; with
        ``party_details=true`` each one's party details too, each showing written to the access log."""
        members = list(branch.members) if query["include_left"] else _current(branch)
        details = shown_details(members, actor()) if query["party_details"] else {}
        return {"members": [dump_member(member, details.get(member.id)) for member in members]}

    @require(can_run_branch, branch=services.get_branch)
    @blp.arguments(BranchMemberAddSchema)
    @blp.response(201, BranchMemberSchema)
    @_errors(403, {404: "No such branch, person or party group of this branch"},
             {409: "The person is already in the branch"}, 422)
    @blp.doc(security=SECURITY)
    def post(self, data, branch):
        """Add a person (officers and admins); one who left earlier comes back with their history."""
        with unit_of_work(locked=True):
            user = db.session.get(User, data["user_id"])
            if user is None:
                raise NotFound("person_not_found", _l("This person does not exist."), field="user_id")
            member = services.add_member(branch, user, officer_role=data.get("officer_role"), actor=actor(),
                                         group=_group(branch, data.get("group_id")))
        return dump_member(member)


def _still_in(member: m.BranchMember) -> None:
    if member.left_at is not None:
        raise ServiceError("member_left", _l("%(name)s has left the branch. Add them again first.",
                                             name=member.person_name), status=409)


@blp.route("/branch-members/<id:member>")
class BranchMemberItem(MethodView):
    @require(can_view_member_details, member=services.get_member)
    @blp.arguments(PartyDetailsQuerySchema, location="query")
    @blp.response(200, BranchMemberSchema)
    @_errors(403, 404, 422, _LOG_FAILED)
    @blp.doc(security=SECURITY)
    def get(self, query, member):
        """One member (the branch's officers and admins, or the member themself); ``party_details=true``
        adds the party details, the showing written to the access log first."""
        details = shown_details([member], actor()).get(member.id) if query["party_details"] else None
        return dump_member(member, details)

    @require(can_run_member, member=services.get_member)
    @blp.arguments(BranchMemberPatchSchema)
    @blp.response(200, BranchMemberSchema)
    @_errors(403, {404: "No such member, or no such party group of the branch"},
             {409: "The member has left the branch"}, 422)
    @blp.doc(security=SECURITY)
    def patch(self, data, member):
        """Change a member's officer role or party group (officers and admins): the fields sent."""
        with unit_of_work(locked=True):
            _still_in(member)
            group = _group(member.branch, data["group_id"]) if "group_id" in data else member.group
            services.update_member(member, officer_role=data.get("officer_role", member.officer_role), group=group,
                                   actor=actor())
        return dump_member(member)

    @require(can_run_member, member=services.get_member)
    @blp.response(200, BranchMemberSchema)
    @_errors(403, 404)
    @blp.doc(security=SECURITY)
    def delete(self, member):
        """Mark a member as left (officers and admins): the row and its attendance history stay, and the
        person is no longer expected at activities. Sent again, nothing changes."""
        with unit_of_work():
            services.remove_member(member)
        return dump_member(member)
