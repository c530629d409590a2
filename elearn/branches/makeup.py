"""补学 for branch activities: the lesson or recording linked to an activity.

Its members may watch it even when its course is not open to them, and nobody else is let in by it
(a lesson provider for ``courses.permissions.can_view_lesson``: the course page stays closed). A
viewing of it counts for the activities of the viewer's branches that link it (``roster.watched_activities``
for the attendance engine, whose roster check keeps it to the people expected there): 出勤/线上 inside
the window, 补学 within ``BRANCH_MAKEUP_DAYS`` after it.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..attendance import services as attendance
from ..core.errors import ServiceError
from ..core.permissions import actor, is_signed_in
from ..core.timeutil import utcnow
from ..courses.models import Chapter, Course, Lesson
from ..courses.permissions import can_view_lesson, visible_clause
from ..extensions import db
from . import bp
from . import models as m
from .roster import EVENT_KIND

#: The lesson select on the activity form lists at most this many lessons.
CHOICES_LIMIT = 500


def event_options() -> dict:
    """What a new activity's attendance event takes from the settings: how long 补学 stays open."""
    return {"makeup_days": current_app.config["BRANCH_MAKEUP_DAYS"]}


def _member_of_branch(user):
    """The branches ``user`` belongs to now (not left)."""
    return select(m.BranchMember.branch_id).where(m.BranchMember.user_id == user.id, m.BranchMember.left_at.is_(None))


def members_see_linked_lesson(user):
    """Lesson provider: the lessons linked to activities of the user's branches."""
    if not is_signed_in(user):
        return None
    linked = select(m.Activity.lesson_id).where(m.Activity.lesson_id.is_not(None),
                                                m.Activity.branch_id.in_(_member_of_branch(user)))
    return Lesson.id.in_(linked)


# ---------------------------------------------------------------- choosing the lesson

def lesson_choices(user) -> list[tuple[int, str]]:
    """Lessons of published courses ``user`` may see, as 「课程 · 课」, for the activity form."""
    rows = db.session.execute(
        select(Lesson.id, Course.title, Lesson.title).join(Lesson.chapter).join(Chapter.course)
        .where(Course.status == "published", visible_clause(user))
        .order_by(Course.title, Chapter.position, Lesson.position, Lesson.id).limit(CHOICES_LIMIT))
    return [(lesson_id, f"{course} · {lesson}") for lesson_id, course, lesson in rows]


def checked_lesson(lesson_id: int | None, user, keep: int | None = None) -> int | None:
    """``lesson_id`` if it may be linked: a lesson of a published course that ``user`` may see (an
    unchanged link ``keep`` stays as it is). Refused with the same words whether it does not exist
    or is not for them, so the answer tells nothing about lessons they cannot see."""
    if not lesson_id or lesson_id == keep:
        return lesson_id or None
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or lesson.course.status != "published" or (user is not None and not can_view_lesson(user, lesson)):
        raise ServiceError("bad_lesson", _l("Please choose a lesson of a published course that you can see."),
                           status=422, field="lesson")
    return lesson.id


# ---------------------------------------------------------------- the activity page

@bp.app_context_processor
def _recording() -> dict:
    return {"activity_recording": activity_recording}


def activity_recording(activity: m.Activity) -> dict | None:
    """The linked lesson, if the reader may watch it, with the last day watching it counts as 补学."""
    if activity.lesson_id is None:
        return None
    lesson = db.session.get(Lesson, activity.lesson_id)
    if lesson is None or not can_view_lesson(actor(), lesson):
        return None
    event = attendance.event_for(EVENT_KIND, activity.id)
    until = attendance.window(event)[1] + timedelta(days=event.makeup_days) if event else None
    return {"lesson": lesson, "until": until, "open": until is not None and until > utcnow()}
