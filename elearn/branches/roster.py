"""What branches tell the attendance engine: who is expected at an activity, and who marks it.

The expected roster depends on the type: the whole branch for 支部党员大会, 党课, 主题党日 and custom
types, the committee (members with an officer role) for 支部委员会, the party group for 党小组会.
People who joined after the activity started, or had left before it, are not expected.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from ..attendance.hooks import EventKind
from ..attendance.models import BY_OFFICER, EXCUSED, AttendanceEvent
from ..attendance.services import window
from ..core.errors import ServiceError
from ..extensions import db
from . import models as m
from .labels import activity_name
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



def activity_described(event) -> dict:
    """The check-in pages name the activity (its type and topic) and its place."""
    activity = _activity(event)
    if activity is None:
        return {"name": event.title, "place": None}
    return {"name": f"{activity_name(activity)} · {activity.topic}", "place": activity.place or None}


def activity_markable(event, now, status: str) -> None:
    """An officer's roll (and 全部出勤) is for an activity that has begun (its check-in window is
    open): before it only 请假 may be marked, as anything else would count an activity as held that
    has not been (towards compliance). The register is closed a year after it was held. Both refused
    in plain words."""
    if now < window(event)[0] and status != EXCUSED:
        raise ServiceError("not_held_yet", _l("This activity has not started yet, so nobody can be marked as "
                                              "attending it. Please take the roll when it is held."), status=409)
    if now > event.starts_at + m.OLDEST:
        raise ServiceError("too_old", _l("This activity was held more than a year ago; its attendance can no "
                                         "longer be changed."), status=409)


#: The engine's refusals as a branch member reads them (an activity, the branch officers).
ACTIVITY_WORDS = {
    "checkin_not_listed": lambda event: _l("You are not expected at this activity, so you cannot check in to it."),
    "checkin_closed": lambda event: _l(
        "Check-in is open from %(before)d minutes before the activity until %(after)d minutes after it.",
        before=event.opens_before_minutes, after=event.closes_after_minutes),
    "not_expected": lambda event: _l("This person is not expected at this activity."),
    "event_cancelled": lambda event: _l("This activity was called off, so there is no attendance to take."),
    "leave_not_listed": lambda event: _l("You are not expected at this activity, so you cannot ask for leave."),
    "leave_over": lambda event: _l("This activity is already over. Leave can only be asked for before it ends."),
    "leave_approved": lambda event: _l("Leave for this activity has already been approved."),
    "leave_asked": lambda event: _l("You have already asked for leave for this activity. "
                                    "The branch officers have not answered yet."),
    "leave_declined": lambda event: _l("The branch officers have said no to leave for this activity. "
                                       "Please talk to the branch secretary."),
}

BRANCH_ACTIVITY = EventKind(roster=activity_roster, marker=activity_marker, viewer=activity_viewer,
                            describe=activity_described, check_mark=activity_markable, words=ACTIVITY_WORDS,
                            watched=watched_activities)
