"""/api/v1 for 请假: a member asks for leave for a session (a teacher files one for a member, approved
at once), the class's teachers approve or refuse, the member reads the state or takes it back."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from ..api import SECURITY, Blueprint, error_responses
from ..api.schemas import NO_CONTROL, Id, UtcDateTime
from ..attendance import leave as engine, models as am
from ..core.db import unit_of_work
from ..core.permissions import actor, require
from . import leave, schedule
from .permissions import can_ask_leave, can_decide_leave, can_take_session_roll, can_view_leave, can_withdraw_leave

blp = Blueprint("api_leave", __name__, url_prefix="/api/v1", description="Class sessions: leave requests (请假)")
_errors = error_responses(blp)


class LeaveSchema(Schema):
    id = Id(required=True)
    session = Id(required=True)
    person = Id(required=True, allow_none=True)
    reason = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(am.LEAVE_STATES))
    created_at = UtcDateTime(required=True)
    decided_at = UtcDateTime(allow_none=True)


class LeaveListSchema(Schema):
    requests = fields.List(fields.Nested(LeaveSchema), required=True)


class LeaveAskSchema(Schema):
    reason = fields.String(load_default="", validate=[validate.Length(max=500), validate.Regexp(NO_CONTROL)])
    person = Id(metadata={"description": "For a teacher filing for a member (approved at once); "
                                         "left out, the caller asks for themself"})


class LeaveDecisionSchema(Schema):
    approve = fields.Boolean(required=True, metadata={"description": "True marks the person 请假; false refuses"})


def _dump(request: am.LeaveRequest) -> dict:
    return {"id": request.id, "session": request.event.owner_id, "person": request.user_id, "reason": request.reason,
            "state": request.state, "created_at": request.created_at, "decided_at": request.decided_at}


@blp.route("/class-sessions/<id:session>/leave-requests")
class SessionLeaveRequests(MethodView):
    @require(can_ask_leave, session=schedule.get_session)
    @blp.response(200, LeaveListSchema)
    @_errors(401, 403, 404)
    @blp.doc(security=SECURITY)
    def get(self, session):
        """The session's requests (those who take the class's roll); a member sees their own."""
        event, user = schedule.event_of(session), actor()
        if can_take_session_roll(user, session):
            found = engine.requests_for(event)
        else:
            found = [r for r in engine.requests_of(user.id, [event.id]).values()]
        return {"requests": [_dump(r) for r in found]}

    @require(can_ask_leave, session=schedule.get_session)
    @blp.arguments(LeaveAskSchema)
    @blp.response(201, LeaveSchema)
    @_errors(401, {403: "Not on the session's list (or filing for someone else without teaching the class)"}, 404,
             {409: "Already asked, already approved or refused, the session was cancelled, or the person is not on its list"},
             {422: "The session is over, or the reason is too long"})
    @blp.doc(security=SECURITY)
    def post(self, data, session):
        """Ask for leave for a session that has not ended (the reason may be left out)."""
        user = actor()
        with unit_of_work(locked=True):
            request = leave.ask(session, data.get("person", user.id), data["reason"], actor=user)
            return _dump(request)


@blp.route("/leave-requests/<id:leave_request>")
class LeaveRequest(MethodView):
    @require(can_view_leave, leave_request=leave.get_leave)
    @blp.response(200, LeaveSchema)
    @_errors(401, 403, 404)
    @blp.doc(security=SECURITY)
    def get(self, leave_request):
        """How a request stands (the person it is for, and those who take the roll)."""
        return _dump(leave_request)

    @require(can_withdraw_leave, leave_request=leave.get_leave)
    @blp.response(200, LeaveSchema)
    @_errors(401, {403: "Only the person it is for takes it back"}, 404, {409: "Already decided"})
    @blp.doc(security=SECURITY)
    def delete(self, leave_request):
        """Take back a request the teacher has not answered yet."""
        with unit_of_work():
            engine.withdraw(leave_request, actor=actor())
            return _dump(leave_request)


@blp.route("/leave-requests/<id:leave_request>/decision")
class LeaveDecision(MethodView):
    @require(can_decide_leave, leave_request=leave.get_leave)
    @blp.arguments(LeaveDecisionSchema)
    @blp.response(200, LeaveSchema)
    @_errors(401, {403: "Not a teacher of the class"}, 404, {409: "Already decided, or the session was cancelled"})
    @blp.doc(security=SECURITY)
    def post(self, data, leave_request):
        """Approve (the person is marked 请假, source: leave request) or refuse."""
        with unit_of_work(locked=True):
            engine.decide(leave_request, data["approve"], actor=actor())
            return _dump(leave_request)
