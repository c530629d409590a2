"""请假 and the roll for branch activities: the branch side of the engine's leave requests (which
activity a request is for, the ones waiting for an officer, a member's own). The roll itself, the
screen and the check-in are the engine's (``attendance.roll``, ``attendance.checkin``)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..attendance import leave as engine, models as am
from ..core.errors import NotFound
from ..extensions import db
from . import models as m
from .activities import event_of, get_activity
from .roster import EVENT_KIND


def get_leave(request_id: int) -> am.LeaveRequest:
    """A leave request for a branch activity (a class session's requests are not found here)."""
    request = db.session.get(am.LeaveRequest, request_id)
    if request is None or request.event.kind != EVENT_KIND:
        raise NotFound("leave_not_found", _l("This leave request no longer exists."))
    return request


def activity_of(request: am.LeaveRequest) -> m.Activity:
    return get_activity(request.event.owner_id)


def pending_in(activity: m.Activity) -> list[tuple[am.LeaveRequest, m.Activity]]:
    """Requests waiting for an officer, oldest first, with their activity."""
    return [(r, activity) for r in engine.pending(event_of(activity))]


def own_request(activity: m.Activity, person_id: int) -> am.LeaveRequest | None:
    event = event_of(activity)
    return engine.requests_of(person_id, [event.id]).get(event.id)
