"""Who may see and change courses, chapters, lessons and handouts.

Pages and the API use these same rules. ``user`` may be anonymous (``is_authenticated``
False); ``can_view_*`` rules answer for them too, because public courses are open to all.

Lists ask the same rules in SQL: ``visible_clause(user)`` and ``editable_clause(user)`` are
boolean clauses over ``Course`` that select exactly the courses ``can_view_course`` and
``can_edit_course`` allow (a test compares them on the whole role table), so a list can filter,
count and paginate in the database.

Higher features widen who may see a published course (class groups: their members) by
registering a **visibility provider** in their ``init_app``::

    visibility_providers.register("classes", lambda user: <clause over Course, or None>)

A provider returns a SQL clause over ``Course`` (None: it has nothing for this user). The clause
is OR-ed into ``visible_clause`` and, so that a page never disagrees with a list, ``can_view_course``
evaluates the same clause for the one course in question. Providers only ever add published
courses: drafts stay with the people who may edit them.

A feature may also open one **lesson** of a published course without its course (a branch's members
watch the recording linked to their activity) through ``lesson_providers``: clauses over ``Lesson``,
asked by ``can_view_lesson`` only, so the course page and the lists stay as they were.
"""
from __future__ import annotations

from sqlalchemy import and_, exists, false, or_, select, true

from ..core.permissions import SYSTEM, allow, is_admin, is_signed_in, is_teacher  # noqa: F401  (re-exported)
from ..core.registry import Registry
from ..extensions import db
from .models import Course, Lesson, course_teachers


#: Functions ``(user) -> clause over Course | None`` that widen who sees published courses.
visibility_providers = Registry("who may see a published course")
#: Functions ``(user) -> clause over Lesson | None`` that open single lessons of published courses.
lesson_providers = Registry("who else may see a lesson")


def can_create_course(user) -> bool:
    return is_teacher(user) or is_admin(user)


def can_edit_course(user, course) -> bool:
    """Admins edit every course; a teacher edits only the courses they teach."""
    if not is_signed_in(user):
        return False
    return is_admin(user) or (is_teacher(user) and course.has_teacher(user))


def editable_clause(user):
    """``can_edit_course`` as SQL over ``Course``."""
    if is_admin(user):
        return true()
    if is_teacher(user):
        return Course.id.in_(select(course_teachers.c.course_id).where(course_teachers.c.user_id == user.id))
    return false()


def can_assign_teachers(user, course) -> bool:
    """Only admins choose a course's teachers (and the command line, acting as ``SYSTEM``)."""
    return user is SYSTEM or is_admin(user)


def can_view_course(user, course) -> bool:
    if can_edit_course(user, course):
        return True
    if course.status != "published":
        return False
    if course.visibility == "public":
        return True
    if course.visibility == "signed_in" and is_signed_in(user):
        return True
    # "classes": members of the chosen class groups, as the class groups' provider says.
    return _provided(user, course)


def visible_clause(user):
    """``can_view_course`` as SQL over ``Course``."""
    if is_admin(user):
        return true()
    return or_(editable_clause(user), and_(Course.status == "published", _audience(user)))


def _audience(user):
    """Who sees a published course besides its editors."""
    shown = [Course.visibility == "public"]
    if is_signed_in(user):
        shown.append(Course.visibility == "signed_in")
    return or_(*shown, *_provider_clauses(user))


def _provider_clauses(user) -> list:
    return [clause for clause in (provider(user) for provider in visibility_providers) if clause is not None]


def _provided(user, course) -> bool:
    """Whether a provider's clause holds for this one course: asked in SQL, the same clause lists use."""
    clauses = _provider_clauses(user)
    if not clauses or course.id is None:
        return False
    return bool(db.session.scalar(select(exists().where(Course.id == course.id, or_(*clauses)))))


def can_view_lesson(user, lesson) -> bool:
    return can_view_course(user, lesson.course) or _lesson_provided(user, lesson)


def _lesson_provided(user, lesson) -> bool:
    """Whether a lesson provider opens this one lesson (of a published course) to ``user``."""
    if lesson.id is None or lesson.course.status != "published":
        return False
    clauses = [clause for clause in (provider(user) for provider in lesson_providers) if clause is not None]
    if not clauses:
        return False
    return bool(db.session.scalar(select(exists().where(Lesson.id == lesson.id, or_(*clauses)))))


def can_edit_lesson(user, lesson) -> bool:
    return can_edit_course(user, lesson.course)


def can_edit_chapter(user, chapter) -> bool:
    return can_edit_course(user, chapter.course)


def can_download_handout(user, handout) -> bool:
    return can_view_lesson(user, handout.lesson)


def can_edit_handout(user, handout) -> bool:
    return can_edit_lesson(user, handout.lesson)


def can_view_teaching(user) -> bool:
    """The "My courses" page: teachers see the courses they teach, admins every course."""
    return can_create_course(user)
