"""What branches tell the attendance engine: who is expected at an activity, and who marks it.

The expected roster depends on the type: the whole branch for 支部党员大会, 党课, 主题党日 and custom
types, the committee (members with an officer role) for 支部委员会, the party group for 党小组会.
People who joined after the activity started, or had left before it, are not expected.
"""
from __future__ import annotations

from sqlalchemy import and_, or_, select

from ..attendance.hooks import EventKind
from ..attendance.models import BY_OFFICER, AttendanceEvent
from ..extensions import db
from . import models as m
from .permissions import can_run_branch, membership

EVENT_KIND = "branch_activity"


def _activity(event) -> m.Activity | None:
    return db.session.get(m.Activity, event.owner_id)


def activity_roster(event) -> dict[int, str]:
    activity = _activity(event)
    if activity is None:
        return {}
    query = select(m.BranchMember.user_id, m.BranchMember.person_name).where(
        m.BranchMember.branch_id == activity.branch_id, m.BranchMember.user_id.is_not(None),
        m.BranchMember.joined_at <= event.starts_at,
        or_(m.BranchMember.left_at.is_(None), m.BranchMember.left_at > event.starts_at))
    if activity.kind == m.COMMITTEE:
        query = query.where(m.BranchMember.officer_role.is_not(None))
    elif activity.kind == m.GROUP_MEETING:
        query = query.where(m.BranchMember.group_id == activity.group_id)
    return dict(db.session.execute(query).all())


def activity_marker(user, event) -> str | None:
    activity = _activity(event)
    return BY_OFFICER if activity is not None and can_run_branch(user, activity.branch) else None


def activity_viewer(user, event) -> bool:
    activity = _activity(event)
    return activity is not None and membership(user, activity.branch) is not None and \
        activity_marker(user, event) is not None


def watched_activities(user_id: int, lesson_id: int) -> list[AttendanceEvent]:
    """Events of the activities linking the lesson in branches the user is or was in (whether they
    were expected there is the roster's answer, asked by the engine before it marks)."""
    branches = select(m.BranchMember.branch_id).where(m.BranchMember.user_id == user_id)
    return list(db.session.scalars(
        select(AttendanceEvent)
        .join(m.Activity, and_(AttendanceEvent.kind == EVENT_KIND, AttendanceEvent.owner_id == m.Activity.id))
        .where(AttendanceEvent.lesson_id == lesson_id, m.Activity.branch_id.in_(branches))
        .order_by(AttendanceEvent.starts_at)))


BRANCH_ACTIVITY = EventKind(roster=activity_roster, marker=activity_marker, viewer=activity_viewer,
                            watched=watched_activities)
