"""What the attendance engine asks the features that own events (classes, branches) without importing them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

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
    ``describe(event) -> {"name": str, "place": str | None}``: how the check-in pages name the event
    to the person who scanned its code (the class, the branch activity) and where it is held.
    ``check_mark(event, now, status)``: raises a ServiceError when a person (not the engine itself:
    check-in, leave, closing) may not mark the event with ``status`` now, for a feature whose records
    have time limits (a branch activity: 请假 before it, nothing else until it is held).
    ``words``: the feature's own words for the engine's refusals to the people at its events (a branch
    member reads "activity" and "branch officers", not "session" and "teacher"), ``key -> (event ->
    message)``; the keys are those ``worded`` is called with. Missing keys keep the engine's words.
    """

    roster: Callable[[object], dict[int, str]]
    marker: Callable[[object, object], str | None]
    viewer: Callable[[object, object], bool] = lambda user, event: False
    watched: Callable[[int, int], list] = lambda user_id, lesson_id: []
    describe: Callable[[object], dict] = lambda event: {"name": event.title, "place": None}
    check_mark: Callable[[object, object, str], None] = lambda event, now, status: None
    words: Mapping[str, Callable[[object], object]] = field(default_factory=dict)


#: ``kind -> EventKind``, registered by the owning feature's ``init_app`` ("class_session", "branch_activity").
event_kinds = Registry("kinds of attendance events")


def kind_of(event) -> EventKind:
    provider = event_kinds.get(event.kind)
    if provider is None:
        raise LookupError(f"no attendance provider registered for {event.kind!r}")
    return provider


def worded(event, key: str, default):
    """A refusal in the words of the feature that owns ``event``, else the engine's ``default``."""
    word = kind_of(event).words.get(key)
    return word(event) if word is not None else default
