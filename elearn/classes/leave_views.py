"""Pages for 请假: a member asks for leave for a coming session (or sees how their request stands and
takes it back), a teacher files one for a member from the roll call and approves or refuses with one
tap. Plain forms: every step works without JavaScript."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..attendance import leave as engine
from ..attendance.labels import LEAVE_LABELS
from ..core.db import unit_of_work
from ..core.ids import parse_id
from ..core.permissions import actor, require
from ..core.timeutil import utcnow
from . import bp, leave, schedule
from .permissions import can_ask_leave, can_decide_leave, can_teach_class, can_withdraw_leave


def _back(session) -> str:
    """Back to the roll call when a teacher acted there, else to the class page."""
    if request.form.get("back") == "roll":
        return url_for("classes.roll_call", session=session.id)
    return url_for("classes.class_page", group=session.class_group.id)


@bp.route("/classes/sessions/<id:session>/leave", methods=["GET", "POST"])
@require(can_ask_leave, session=schedule.get_session)
def ask_leave(session):
    """The member's form (the reason may be left out); a teacher posts here with ``person`` from the roll call."""
    user, status = actor(), 200
    if request.method == "POST":
        person = parse_id(request.form.get("person")) if request.form.get("person") else user.id
        if person is None:
            status = 400
        else:
            with unit_of_work(flash_errors=True, locked=True) as work:
                leave.ask(session, person, request.form.get("reason", ""), actor=user)
            if work.ok:
                flash(_("Leave is recorded as approved.") if person != user.id
                      else _("Your request has been sent to the teacher."), "success")
                return redirect(_back(session))
            status = work.status
    mine = engine.requests_of(user.id, [schedule.event_of(session).id]).get(schedule.event_of(session).id)
    return render_template("classes/leave.html", session=session, group=session.class_group, mine=mine,
                           over=session.ends_at <= utcnow(), leave_labels=LEAVE_LABELS), status


@bp.post("/classes/leave/<id:leave_request>/decide")
@require(can_decide_leave, leave_request=leave.get_leave)
def decide_leave(leave_request):
    """One tap: approve (the person is marked 请假) or refuse."""
    session = leave.session_of(leave_request)
    approve = request.form.get("decision") == "approve"
    with unit_of_work(flash_errors=True, locked=True) as work:
        engine.decide(leave_request, approve, actor=actor())
    if work.ok:
        flash(_("Leave approved for %(name)s.", name=leave.person_name(leave_request)) if approve
              else _("Leave refused for %(name)s.", name=leave.person_name(leave_request)), "success")
    return redirect(_back(session), 303)


@bp.post("/classes/leave/<id:leave_request>/withdraw")
@require(can_withdraw_leave, leave_request=leave.get_leave)
def withdraw_leave(leave_request):
    session = leave.session_of(leave_request)
    with unit_of_work(flash_errors=True) as work:
        engine.withdraw(leave_request, actor=actor())
    if work.ok:
        flash(_("Your request is taken back."), "success")
    return redirect(url_for("classes.class_page", group=session.class_group.id), 303)


@bp.app_context_processor
def _leave_rules() -> dict:
    return {"can_teach_class": can_teach_class, "request_name": leave.person_name}
