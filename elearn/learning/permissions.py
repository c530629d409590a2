"""Who may report progress, see a learning record, and see the figures of a course."""
from __future__ import annotations

from ..core.permissions import is_signed_in
from ..courses.permissions import can_edit_course, can_view_lesson, can_view_teaching


def can_record_progress(user, lesson) -> bool:
    """Progress is kept for signed-in users, on lessons they may see."""
    return is_signed_in(user) and can_view_lesson(user, lesson)


def can_view_own_learning(user) -> bool:
    return is_signed_in(user)


def can_change_player_settings(user) -> bool:
    return is_signed_in(user)


def can_view_course_figures(user, course) -> bool:
    """Teachers see the figures of the courses they teach; admins of every course."""
    return can_edit_course(user, course)


def can_view_teaching_figures(user) -> bool:
    return can_view_teaching(user)
