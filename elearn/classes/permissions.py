"""Who may do what with classes (pages and API ask the same rules)."""
from __future__ import annotations

from ..core.permissions import is_admin, is_signed_in
from . import models as m


def can_manage_classes(user) -> bool:
    """Terms, classes, schedules and rosters: the office."""
    return is_admin(user)


def staff_role(user, group: m.ClassGroup) -> str | None:
    if not is_signed_in(user):
        return None
    for staff in group.staff:
        if staff.user_id == user.id:
            return staff.role
    return None


def can_teach_class(user, group: m.ClassGroup) -> bool:
    """Teachers of the class: announcements, leave decisions, the class's reports."""
    return is_admin(user) or staff_role(user, group) == m.TEACHER


def can_take_roll(user, group: m.ClassGroup) -> bool:
    """Teachers and assistants (班长) take roll and mark home visits."""
    return is_admin(user) or staff_role(user, group) is not None


def can_view_class(user, group: m.ClassGroup, member: bool = False) -> bool:
    return can_take_roll(user, group) or (is_signed_in(user) and member)
