"""Classes: terms, class groups (教学班), schedules, sessions, enrolment and the waiting list.

Each session's attendance is taken by the attendance engine (an event of kind ``class_session``).
"""
from ..attendance.hooks import event_kinds
from ..core.permissions import contact_rules
from ..courses.permissions import visibility_providers
from . import models  # noqa: F401
from .roster import CLASS_SESSION, members_see_course, teaches_member
from .schedule import EVENT_KIND


def init_app(app) -> None:
    event_kinds.register(EVENT_KIND, CLASS_SESSION)
    visibility_providers.register("classes", members_see_course)
    contact_rules.register("classes", teaches_member)
