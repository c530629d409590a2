"""请假: a leave request for an event that has not ended, asked by the person or by someone who may
mark for them, decided by someone who may mark. An approved request marks the person 请假."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..core.errors import Forbidden, NotFound, ServiceError
from ..core.timeutil import utcnow
from ..extensions import db
from . import models as m
from .hooks import worded
from .permissions import can_mark_attendance, can_request_leave
from .services import clean_note, mark, roster


def request_leave(event: m.AttendanceEvent, person_id: int, reason: str | None, *, actor,
                  now: datetime | None = None) -> m.LeaveRequest:
    """Ask for leave (the reason may be left out). Asked by someone who may mark, on the person's
    behalf, it is approved at once: they are the approver."""
    now = now or utcnow()
    if not can_request_leave(actor, event, person_id):
        raise Forbidden("not_allowed", worded(event, "leave_not_listed", _l(
            "You are not on the list for this session, so you cannot ask for leave.")))
    _check_open(event, now)
    if person_id not in roster(event):
        raise ServiceError("not_expected", worded(event, "not_expected", _l("This person is not expected at this session.")),
                           status=409)
    reason = clean_note(reason, "reason") or ""
    request = db.session.scalar(select(m.LeaveRequest).filter_by(event_id=event.id, user_id=person_id).with_for_update())
    on_behalf = person_id != actor.id
    if request is not None:
        _check_not_asked(request, on_behalf)
    else:
        request = m.LeaveRequest(event_id=event.id, user_id=person_id)
        db.session.add(request)
    if request.state != m.PENDING or reason:
        request.reason = reason
    if request.state != m.PENDING:
        request.state, request.requested_by_id, request.created_at = m.PENDING, actor.id, now
        request.decided_by_id = request.decided_at = None
    db.session.flush()
    if on_behalf:
        decide(request, True, actor=actor, now=now)
    return request


def _check_open(event: m.AttendanceEvent, now: datetime) -> None:
    if event.cancelled_at is not None:
        raise ServiceError("event_cancelled", _l("This session was cancelled, so no leave is needed."), status=409)
    if now >= event.ends_at:
        raise ServiceError("event_over", worded(event, "leave_over", _l(
            "This session is already over. Leave can only be asked for before it ends.")), status=422)


def _check_not_asked(request: m.LeaveRequest, on_behalf: bool) -> None:
    """One request per person and session. A teacher filing for the person decides a pending one;
    after a withdrawal the person may ask again; a refusal stands unless a teacher files anew."""
    event = request.event
    if request.state == m.APPROVED:
        raise ServiceError("already_approved", worded(event, "leave_approved", _l(
            "Leave for this session has already been approved.")), status=409)
    if request.state == m.PENDING and not on_behalf:
        raise ServiceError("already_asked", worded(event, "leave_asked", _l(
            "You have already asked for leave for this session. The teacher has not answered yet.")), status=409)
    if request.state == m.DECLINED and not on_behalf:
        raise ServiceError("already_declined", worded(event, "leave_declined", _l(
            "The teacher has said no to leave for this session. Please talk to the teacher.")), status=409)


def get_request(request_id: int) -> m.LeaveRequest:
    request = db.session.get(m.LeaveRequest, request_id)
    if request is None:
        raise NotFound("leave_not_found", _l("This leave request no longer exists."))
    return request


def decide(request: m.LeaveRequest, approve: bool, *, actor, now: datetime | None = None) -> m.LeaveRequest:
    now = now or utcnow()
    if not can_mark_attendance(actor, request.event):
        raise Forbidden("not_allowed", _l("You cannot decide on leave for this session."))
    if request.state != m.PENDING:
        raise ServiceError("already_decided", _l("This leave request has already been decided."), status=409)
    request.state = m.APPROVED if approve else m.DECLINED
    request.decided_by_id, request.decided_at = actor.id, now
    if approve:
        mark(request.event, request.user_id, m.EXCUSED, actor=actor, source=m.BY_LEAVE,
             reason=request.reason or None, made_at=now, now=now)
    db.session.flush()
    return request


def withdraw(request: m.LeaveRequest, *, actor, now: datetime | None = None) -> None:
    """The person takes back a request not yet decided."""
    if request.user_id != getattr(actor, "id", None):
        raise Forbidden("not_allowed", _l("Only the person who asked can take this request back."))
    if request.state != m.PENDING:
        raise ServiceError("already_decided", _l("This leave request has already been decided."), status=409)
    request.state = m.WITHDRAWN
    request.decided_at = now or utcnow()


def pending(event: m.AttendanceEvent) -> list[m.LeaveRequest]:
    return pending_for([event.id])


def pending_for(event_ids) -> list[m.LeaveRequest]:
    """Requests waiting for a decision for any of these events, oldest first."""
    return list(db.session.scalars(select(m.LeaveRequest).where(
        m.LeaveRequest.event_id.in_(list(event_ids)), m.LeaveRequest.state == m.PENDING)
        .order_by(m.LeaveRequest.created_at)))


def requests_of(person_id: int, event_ids) -> dict[int, m.LeaveRequest]:
    """The person's requests for these events, by event id."""
    return {r.event_id: r for r in db.session.scalars(select(m.LeaveRequest).where(
        m.LeaveRequest.user_id == person_id, m.LeaveRequest.event_id.in_(list(event_ids))))}


def requests_for(event: m.AttendanceEvent) -> list[m.LeaveRequest]:
    """Every request for the event, oldest first."""
    return list(db.session.scalars(select(m.LeaveRequest).filter_by(event_id=event.id).order_by(m.LeaveRequest.created_at)))


def person_name(request: m.LeaveRequest) -> str:
    """The name of the person a request is for, as the event's roster has it."""
    return roster(request.event).get(request.user_id, "")
