"""Who may do what with branches. Party membership is for the branch's officers and admins only:
classmates, teachers and the branch's own members never see another member's party details."""
from __future__ import annotations

from sqlalchemy import select

from ..core.permissions import SYSTEM, is_admin, is_signed_in
from ..extensions import db
from . import models as m


def membership(user, branch: m.Branch) -> m.BranchMember | None:
    """The user's current (not left) membership of ``branch``."""
    if not is_signed_in(user):
        return None
    return db.session.scalar(select(m.BranchMember).where(
        m.BranchMember.branch_id == branch.id, m.BranchMember.user_id == user.id, m.BranchMember.left_at.is_(None)))


def officer_role(user, branch: m.Branch) -> str | None:
    member = membership(user, branch)
    return member.officer_role if member else None


def can_manage_branches(user, thing=None) -> bool:
    """Creating branches, linking them to classes, the requirements and the overview: the office."""
    return is_admin(user)


def can_run_branch(user, branch: m.Branch) -> bool:
    """Officers (and admins): members, activities, roll call, minutes."""
    return is_admin(user) or officer_role(user, branch) is not None


def can_approve_minutes(user, branch: m.Branch) -> bool:
    """The secretary (书记) approves minutes, which locks them."""
    return is_admin(user) or officer_role(user, branch) == m.SECRETARY


def can_view_party_details(user, branch: m.Branch) -> bool:
    return can_run_branch(user, branch)


def can_see_branch(user, branch: m.Branch) -> bool:
    """The branch's page (its activities): its members, officers and admins."""
    return is_admin(user) or membership(user, branch) is not None


def concerns(member: m.BranchMember | None, activity: m.Activity) -> bool:
    """Whether an activity is one for this member: a 支部委员会 is the committee's (members with an officer
    role), a 党小组会 its party group's, every other type the whole branch's (as its expected roster)."""
    if member is None:
        return False
    if activity.kind == m.COMMITTEE:
        return member.officer_role is not None
    if activity.kind == m.GROUP_MEETING:
        return member.group_id is not None and member.group_id == activity.group_id
    return True


def can_view_activity(user, activity: m.Activity) -> bool:
    """An activity, its minutes and files: the branch's officers and admins, and the members it is for
    (a committee meeting's minutes are not every member's to read)."""
    return can_run_branch(user, activity.branch) or concerns(membership(user, activity.branch), activity)


def can_view_own_branches(user) -> bool:
    return is_signed_in(user)


def can_run_activity(user, activity: m.Activity) -> bool:
    return can_run_branch(user, activity.branch)


def can_approve_activity_minutes(user, activity: m.Activity) -> bool:
    return can_approve_minutes(user, activity.branch)


def can_view_member_details(user, member: m.BranchMember) -> bool:
    """Party details: the branch's officers and admins; the member themself sees what is held about them."""
    return can_view_party_details(user, member.branch) or (is_signed_in(user) and member.user_id == user.id)


def _request_activity(request) -> m.Activity | None:
    return db.session.get(m.Activity, request.event.owner_id)


def can_decide_activity_leave(user, request) -> bool:
    """The branch's officers approve or refuse a member's leave for an activity."""
    activity = _request_activity(request)
    return activity is not None and can_run_branch(user, activity.branch)


def can_withdraw_activity_leave(user, request) -> bool:
    """Only the person it is for takes a request back (the engine refuses once it is decided)."""
    return is_signed_in(user) and request.user_id == user.id


def can_run_member(user, member: m.BranchMember) -> bool:
    """Changing a member's role, group, party details, or their leaving: the branch's officers and admins."""
    return can_run_branch(user, member.branch)


def can_manage_group(user, group: m.PartyGroup) -> bool:
    return can_manage_branches(user)


def can_set_officer_roles(user, branch: m.Branch) -> bool:
    """Officer roles carry rights (the secretary approves minutes): the secretary and the office give them,
    not any officer to themself; and the command line (``SYSTEM``)."""
    return user is SYSTEM or can_approve_minutes(user, branch)


def can_download_attachment(user, attachment: m.ActivityAttachment) -> bool:
    """An activity's files: whoever may see the activity (its branch's members, officers, admins)."""
    return can_view_activity(user, attachment.activity)


def can_delete_attachment(user, attachment: m.ActivityAttachment) -> bool:
    return can_run_activity(user, attachment.activity)
