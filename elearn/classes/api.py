"""/api/v1: a class session's roll and marks (the roll-call page sends its queued taps here), the
classroom screen's check-in code, and checking oneself in with a scanned code."""
from __future__ import annotations

from flask import url_for
from flask.views import MethodView

from ..api import SECURITY, Blueprint, error_responses
from ..attendance import checkin, roll
from ..core.db import unit_of_work
from ..core.permissions import actor, is_signed_in, require
from . import schedule
from .permissions import can_take_session_roll
from .schemas import (CheckinCodeSchema, CheckinRequestSchema, CheckinResultSchema, MarksSchema, RollSchema)

blp = Blueprint("api_classes", __name__, url_prefix="/api/v1", description="Terms, classes, their sessions and members; roll call and check-in")
_errors = error_responses(blp)


@blp.route("/class-sessions/<id:session>/attendance")
class SessionAttendance(MethodView):
    @require(can_take_session_roll, session=schedule.get_session)
    @blp.response(200, RollSchema)
    @_errors(401, 403, 404)
    @blp.doc(security=SECURITY)
    def get(self, session):
        """Everyone expected at the session with their mark (teachers and assistants of the class)."""
        return {"session": session.id, "rows": roll.rows(schedule.event_of(session))}

    @require(can_take_session_roll, session=schedule.get_session)
    @blp.arguments(MarksSchema)
    @blp.response(200, RollSchema)
    @_errors(401, 403, 404, {409: "The session was cancelled, or a person is not on its roll"}, 422)
    @blp.doc(security=SECURITY)
    def post(self, data, session):
        """Apply marks in order, all or none. Each keeps its device time (the mark made last wins) and
        its ref (a mark sent twice counts once); every change stays in the record's history."""
        with unit_of_work(locked=True):
            rows = roll.apply_marks(schedule.event_of(session), data["marks"], actor=actor())
        return {"session": session.id, "rows": rows}


@blp.route("/class-sessions/<id:session>/checkin-code")
class SessionCheckinCode(MethodView):
    @require(can_take_session_roll, session=schedule.get_session)
    @blp.response(200, CheckinCodeSchema)
    @_errors(401, 403, 404)
    @blp.doc(security=SECURITY)
    def get(self, session):
        """The code the classroom screen shows now, and who has checked in so far."""
        shown = roll.screen(schedule.event_of(session))
        shown["url"] = url_for("classes.scan", code=shown["code"], _external=True)
        return shown


@blp.route("/checkins")
class Checkins(MethodView):
    @require(is_signed_in)
    @blp.arguments(CheckinRequestSchema)
    @blp.response(200, CheckinResultSchema)
    @_errors(401, {403: "Not on the session's list"}, {404: "The code is old, forged, or its session is gone"},
             {409: "Cancelled, or outside the check-in window"}, 422)
    @blp.doc(security=SECURITY)
    def post(self, data):
        """Check oneself in with a code scanned from the classroom screen (checked at once)."""
        with unit_of_work(locked=True):
            event, _ = checkin.read_grant(grant := checkin.scan(data["code"]))
            record, marked = checkin.check_in(grant, actor())
        return {"session": event.owner_id, "status": record.status, "marked": marked}
