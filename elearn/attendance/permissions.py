"""Who may do what with attendance: the owning feature answers through its ``EventKind``."""
from __future__ import annotations

from ..core.permissions import is_admin, is_signed_in
from .hooks import kind_of


def marker_source(user, event) -> str | None:
    """The source a mark by ``user`` carries, or None if they may not mark ``event``."""
    if not is_signed_in(user):
        return None
    if is_admin(user):
        return "teacher"
    return kind_of(event).marker(user, event)


def can_mark_attendance(user, event) -> bool:
    return marker_source(user, event) is not None


def can_view_attendance(user, event) -> bool:
    return can_mark_attendance(user, event) or (is_signed_in(user) and kind_of(event).viewer(user, event))


def is_expected(user, event) -> bool:
    return is_signed_in(user) and user.id in kind_of(event).roster(event)


def can_check_in(user, event) -> bool:
    return is_expected(user, event)


def can_request_leave(user, event, person_id: int) -> bool:
    """The person themself, or someone who may mark the event, on the person's behalf."""
    if not is_signed_in(user):
        return False
    if person_id == user.id:
        return is_expected(user, event)
    return can_mark_attendance(user, event)
