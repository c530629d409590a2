"""Who may see and change courses, chapters, lessons and handouts.

Pages and the API use these same rules. ``user`` may be anonymous (``is_authenticated``
False); ``can_view_*`` rules answer for them too, because public courses are open to all.
"""
from __future__ import annotations

from ..core.permissions import allow, is_admin, is_teacher  # noqa: F401  (allow: re-exported)


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def can_create_course(user) -> bool:
    return is_teacher(user) or is_admin(user)


def can_edit_course(user, course) -> bool:
    """Admins edit every course; a teacher edits only the courses they teach."""
    if not _signed_in(user):
        return False
    return is_admin(user) or (is_teacher(user) and course.has_teacher(user))


def can_assign_teachers(user, course) -> bool:
    return is_admin(user)


def can_view_course(user, course) -> bool:
    if can_edit_course(user, course):
        return True
    if course.status != "published":
        return False
    if course.visibility == "public":
        return True
    if course.visibility == "signed_in":
        return _signed_in(user)
    # "classes": members of the chosen class groups. Class groups do not exist yet, so
    # nobody beyond admins and the course's teachers (handled above) qualifies; when they
    # land, this is where their membership check goes.
    return False


def can_view_lesson(user, lesson) -> bool:
    return can_view_course(user, lesson.course)


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
