"""Activities (三会一课, 主题党日, custom types) and their minutes.

Each activity owns one attendance event of kind ``branch_activity``; moving it moves the event.
Minutes are Markdown (rendered sanitised, as course descriptions are); every save is a new revision,
so the edit history is kept. The secretary's approval locks the latest revision; a save after that is
a visible correction (a later revision), never an edit of the approved one.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..attendance import models as am
from ..attendance import services as attendance
from ..core.errors import Forbidden, NotFound, ServiceError
from ..core.text import clean_line, clean_text, required_line, within
from ..core.timeutil import utcnow
from ..extensions import db
from . import makeup
from . import models as m
from .labels import activity_name  # noqa: F401 (pages name activities through here)
from .permissions import can_approve_minutes, can_run_branch, concerns, membership
from .roster import EVENT_KIND

OLDEST = m.OLDEST
TOPIC_LIMIT, AGENDA_LIMIT, MINUTES_LIMIT = 200, 5000, 50_000


def get_activity(activity_id: int) -> m.Activity:
    activity = db.session.get(m.Activity, activity_id)
    if activity is None:
        raise NotFound("activity_not_found", _l("This activity does not exist."))
    return activity


def event_of(activity: m.Activity):
    return attendance.event_for(EVENT_KIND, activity.id)


def _fields(branch: m.Branch, kind: str, custom_kind, group, topic, agenda, place) -> dict:
    if kind not in m.ACTIVITY_KINDS:
        raise ServiceError("bad_kind", _l("This type of activity is not known."), status=422, field="kind")
    custom = clean_line(custom_kind, "custom_kind")[:64] if kind == m.CUSTOM else None
    if kind == m.CUSTOM and not custom:
        raise ServiceError("required", _l("Please name the type of activity."), status=422, field="custom_kind")
    if kind == m.GROUP_MEETING and (group is None or group.branch_id != branch.id):
        raise ServiceError("group_needed", _l("Please choose the party group this meeting is for."), status=422,
                           field="group")
    topic = required_line(topic, "topic", TOPIC_LIMIT)
    agenda = within(clean_text(agenda, "agenda"), AGENDA_LIMIT, "agenda")
    return {"kind": kind, "custom_kind": custom, "group": group if kind == m.GROUP_MEETING else None,
            "topic": topic, "agenda": agenda, "place": clean_line(place, "place")[:200]}


def _check_when(starts_at: datetime, now: datetime) -> None:
    if starts_at < now - OLDEST:
        raise ServiceError("too_old", _l("An activity can be recorded up to one year after it was held."),
                           status=422, field="starts_at")


def create_activity(branch: m.Branch, *, kind: str, topic, starts_at: datetime, ends_at: datetime, actor,
                    custom_kind=None, group=None, agenda="", place="", online: bool = False,
                    lesson_id: int | None = None, now: datetime | None = None) -> m.Activity:
    now = now or utcnow()
    _check_when(starts_at, now)
    lesson_id = makeup.checked_lesson(lesson_id, actor)
    activity = m.Activity(branch=branch, starts_at=starts_at, ends_at=ends_at, online=online, lesson_id=lesson_id,
                          created_by_id=actor.id,
                          **_fields(branch, kind, custom_kind, group, topic, agenda, place))
    db.session.add(activity)
    db.session.flush()
    attendance.create_event(EVENT_KIND, activity.id, activity.topic, starts_at, ends_at, lesson_id=lesson_id,
                            **makeup.event_options())
    return activity


def update_activity(activity: m.Activity, *, kind: str, topic, starts_at: datetime, ends_at: datetime,
                    custom_kind=None, group=None, agenda="", place="", online: bool = False,
                    lesson_id: int | None = None, actor=None, now: datetime | None = None) -> None:
    """Change an activity; a newly linked lesson must be one ``actor`` may see (``makeup.checked_lesson``)."""
    _check_when(starts_at, now or utcnow())
    lesson_id = makeup.checked_lesson(lesson_id, actor, keep=activity.lesson_id)
    for key, value in _fields(activity.branch, kind, custom_kind, group, topic, agenda, place).items():
        setattr(activity, key, value)
    activity.online, activity.lesson_id = online, lesson_id
    event = event_of(activity)
    if (activity.starts_at, activity.ends_at) != (starts_at, ends_at):
        attendance.reschedule(event, starts_at, ends_at)
    activity.starts_at, activity.ends_at = starts_at, ends_at
    event.title, event.lesson_id = activity.topic, lesson_id
    db.session.flush()


def is_cancelled(activity: m.Activity) -> bool:
    return event_of(activity).cancelled_at is not None


def cancel_activity(activity: m.Activity, now: datetime | None = None) -> None:
    """Call off an activity still to come: no attendance is taken, it counts for no requirement, and
    the reminder and the register leave it out. One that has begun was held (or missed): it stays."""
    now = now or utcnow()
    if activity.starts_at <= now:
        raise ServiceError("already_begun", _l("This activity has already begun, so it cannot be called off."),
                           status=409)
    event = event_of(activity)
    if event.cancelled_at is None:
        attendance.cancel(event, now)
        db.session.flush()


def listed_for(branch: m.Branch, user) -> list[m.Activity]:
    """The branch's activities, latest first, that ``user`` may see: all of them for officers and admins,
    for a member those that are for them (not the committee's or another party group's meetings)."""
    listed = list(db.session.scalars(select(m.Activity).where(m.Activity.branch_id == branch.id)
                                     .order_by(m.Activity.starts_at.desc(), m.Activity.id.desc())))
    if can_run_branch(user, branch):
        return listed
    mine = membership(user, branch)  # looked up once, not once per activity
    return [a for a in listed if concerns(mine, a)]


def cancelled_among(listed: list[m.Activity]) -> set[int]:
    """The ids of the activities called off among ``listed``, in one query (a list page marks them)."""
    if not listed:
        return set()
    return set(db.session.scalars(select(am.AttendanceEvent.owner_id).where(
        am.AttendanceEvent.kind == EVENT_KIND, am.AttendanceEvent.owner_id.in_([a.id for a in listed]),
        am.AttendanceEvent.cancelled_at.is_not(None))))


# ---------------------------------------------------------------- minutes

def current_minutes(activity: m.Activity) -> m.MinutesRevision | None:
    return activity.minutes[-1] if activity.minutes else None


def approved_minutes(activity: m.Activity) -> m.MinutesRevision | None:
    approved = [revision for revision in activity.minutes if revision.approved_at is not None]
    return approved[-1] if approved else None


def save_minutes(activity: m.Activity, body, *, actor, now: datetime | None = None) -> m.MinutesRevision:
    """A new revision (the history is every revision); after an approval it is a correction."""
    text = clean_text(body, "minutes")
    if not text:
        raise ServiceError("required", _l("Please write the minutes first."), status=422, field="minutes")
    within(text, MINUTES_LIMIT, "minutes", status=413)
    latest = current_minutes(activity)
    if latest is not None and latest.body_md == text:
        return latest  # saved twice (a double click): one revision
    number = (db.session.scalar(select(func.max(m.MinutesRevision.number))
                                .where(m.MinutesRevision.activity_id == activity.id)) or 0) + 1
    revision = m.MinutesRevision(activity=activity, number=number, body_md=text, author_id=actor.id,
                                 author_name=actor.name, created_at=now or utcnow())
    db.session.add(revision)
    db.session.flush()
    return revision


def approve_minutes(activity: m.Activity, *, actor, now: datetime | None = None) -> m.MinutesRevision:
    if not can_approve_minutes(actor, activity.branch):
        raise Forbidden("not_secretary", _l("Only the branch secretary can approve the minutes."))
    latest = current_minutes(activity)
    if latest is None:
        raise ServiceError("no_minutes", _l("There are no minutes to approve yet."), status=409)
    if latest.approved_at is None:
        latest.approved_at, latest.approved_by_id = now or utcnow(), actor.id
        db.session.flush()
    return latest


def is_correction(revision: m.MinutesRevision) -> bool:
    """A revision saved after an earlier one was approved."""
    return any(other.approved_at is not None and other.number < revision.number
               for other in revision.activity.minutes)
