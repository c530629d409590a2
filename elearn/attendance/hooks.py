"""What the attendance engine asks the features that own events (classes, branches) without importing them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..core.registry import Registry


@dataclass(frozen=True)
class EventKind:
    """How one feature's events behave in the engine.

    ``roster(event) -> {user_id: name}``: who is expected at this event (people who joined after it
    started are not: a late enrolment is never counted absent for a session before it).
    ``marker(user, event) -> str | None``: the source a mark by this user carries ("teacher",
    "assistant"), or None when the user may not mark this event.
    ``viewer(user, event) -> bool``: who may see the whole roll (markers always may).
    ``watched(user_id, lesson_id) -> [AttendanceEvent]``: which of this feature's events a viewing of
    that lesson by that user may count for (events linking the lesson that the user belongs to);
    ``online.mark_watched`` then decides 出勤, 补学 or nothing from the viewing's start.
    """

    roster: Callable[[object], dict[int, str]]
    marker: Callable[[object, object], str | None]
    viewer: Callable[[object, object], bool] = lambda user, event: False
    watched: Callable[[int, int], list] = lambda user_id, lesson_id: []


#: ``kind -> EventKind``, registered by the owning feature's ``init_app`` ("class_session", "branch_activity").
event_kinds = Registry("kinds of attendance events")


def kind_of(event) -> EventKind:
    provider = event_kinds.get(event.kind)
    if provider is None:
        raise LookupError(f"no attendance provider registered for {event.kind!r}")
    return provider
