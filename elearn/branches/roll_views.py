"""Pages for an activity's attendance: the officers' roll call (one tap cycles, 全部出勤, "more" for the
mode and a note, each person's history), the room's QR check-in screen, and 请假: a member asks with a
reason before the activity, an officer approves or refuses with one tap, the member takes it back.

The roll, the screen and the check-in are the attendance engine's, drawn by the shared templates
(``attendance/_roll.html``, ``_screen.html``); the scan itself is the one ``/checkin/<code>`` flow.
"""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from ..attendance import leave as engine, roll
from ..attendance.labels import MODE_LABELS, SOURCE_LABELS, STATUS_LABELS, TAP_CYCLE, next_status
from ..attendance.permissions import is_expected
from ..classes.schemas import MarksSchema
from ..classes.views import qr_response
from ..core.db import unit_of_work
from ..core.errors import error_response
from ..core.ids import parse_id
from ..core.permissions import actor, require
from ..core.timeutil import utcnow
from . import activities, bp
from . import roll as branch_roll
from .labels import LEAVE_LABELS, activity_name
from .permissions import (can_decide_activity_leave, can_run_activity, can_view_activity,
                          can_withdraw_activity_leave)

_activity = activities.get_activity


def _labels() -> dict:
    return {"status_labels": STATUS_LABELS, "mode_labels": MODE_LABELS, "source_labels": SOURCE_LABELS,
            "leave_labels": LEAVE_LABELS, "activity_name": activity_name, "request_name": engine.person_name}


def _links(activity) -> dict:
    """What the shared roll-call macro needs to know about this page."""
    return {"tap": url_for("branches.activity_roll", activity=activity.id),
            "everyone": url_for("branches.activity_roll_everyone", activity=activity.id),
            "api": url_for("branches.activity_roll_marks", activity=activity.id), "key": f"activity-{activity.id}",
            "leave": url_for("branches.activity_leave", activity=activity.id) if activity.ends_at > utcnow() else None}


@bp.route("/branches/activities/<id:activity>/roll", methods=["GET", "POST"])
@require(can_run_activity, activity=_activity)
def activity_roll(activity):
    """Officers take the roll: a tap is this form's POST without JavaScript, a queued mark with it."""
    event = activities.event_of(activity)
    if request.method == "POST":
        tapped = roll.form_mark(request.form)
        if tapped is None:
            abort(400)
        with unit_of_work(flash_errors=True, locked=True):
            roll.apply_marks(event, [{"person": tapped[0], **tapped[1]}], actor=actor())
        return redirect(url_for("branches.activity_roll", activity=activity.id) + f"#person-{tapped[0]}")
    return render_template("branches/roll.html", activity=activity, branch=activity.branch, rows=roll.rows(event),
                           histories=roll.histories(event), pending=branch_roll.pending_in(activity),
                           links=_links(activity), next_status=next_status, tap_cycle=TAP_CYCLE, **_labels())


@bp.post("/branches/activities/<id:activity>/roll/everyone")
@require(can_run_activity, activity=_activity)
def activity_roll_everyone(activity):
    """「全部出勤」: everyone not marked yet is present; then the officer taps the exceptions."""
    with unit_of_work(flash_errors=True, locked=True) as work:
        count = roll.mark_everyone_present(activities.event_of(activity), actor=actor())
    if work.ok:
        flash(_("%(count)d people marked present.", count=count), "success")
    return redirect(url_for("branches.activity_roll", activity=activity.id))


@bp.post("/branches/activities/<id:activity>/roll/marks")
@require(can_run_activity, activity=_activity)
def activity_roll_marks(activity):
    """Where rollcall.js sends its queued marks (JSON, as the class roll's API takes them): all or none."""
    try:
        data = MarksSchema().load(request.get_json(silent=True) or {})
    except ValidationError as invalid:
        return error_response(422, {"code": "invalid", "message": _("Some of what you entered is not valid."),
                                    "errors": invalid.messages})
    with unit_of_work(locked=True):
        roll.apply_marks(activities.event_of(activity), data["marks"], actor=actor())
    return jsonify({"activity": activity.id, "marked": len(data["marks"])})


@bp.get("/branches/activities/<id:activity>/screen")
@require(can_run_activity, activity=_activity)
def activity_screen(activity):
    """The room's screen: a QR code that changes every 30 s, and the names as members check in."""
    return render_template("branches/screen.html", activity=activity, branch=activity.branch,
                           screen=roll.screen(activities.event_of(activity)), **_labels())


@bp.get("/branches/activities/<id:activity>/screen.json")
@require(can_run_activity, activity=_activity)
def activity_screen_data(activity):
    """What checkin-screen.js asks for: the code shown now and who has checked in."""
    shown = roll.screen(activities.event_of(activity))
    shown["url"] = url_for("classes.scan", code=shown["code"], _external=True)
    return jsonify(shown)


@bp.get("/branches/activities/<id:activity>/qr.svg")
@require(can_run_activity, activity=_activity)
def activity_qr(activity):
    return qr_response(activities.event_of(activity))


# ---------------------------------------------------------------- 请假

@bp.route("/branches/activities/<id:activity>/leave", methods=["GET", "POST"])
@require(can_view_activity, activity=_activity)
def activity_leave(activity):
    """A member asks (the reason may be left out); an officer posts here with ``person`` from the roll,
    which is approved at once. The engine checks the roster and that the activity has not ended."""
    user, status = actor(), 200
    if request.method == "POST":
        person = parse_id(request.form.get("person")) if request.form.get("person") else user.id
        if person is None:
            abort(400)
        with unit_of_work(flash_errors=True, locked=True) as work:
            engine.request_leave(activities.event_of(activity), person, request.form.get("reason", ""), actor=user)
        if work.ok:
            flash(_("Leave is recorded as approved.") if person != user.id
                  else _("Your request has been sent to the branch officers."), "success")
            return redirect(_back(activity))
        status = work.status
    return render_template("branches/leave.html", activity=activity, branch=activity.branch,
                           mine=branch_roll.own_request(activity, user.id), over=activity.ends_at <= utcnow(),
                           **_labels()), status


def _back(activity) -> str:
    """Back to the roll when an officer acted there, else to the activity."""
    if request.form.get("back") == "roll":
        return url_for("branches.activity_roll", activity=activity.id)
    return url_for("branches.activity_page", activity=activity.id)


@bp.post("/branches/leave/<id:leave_request>/decide")
@require(can_decide_activity_leave, leave_request=branch_roll.get_leave)
def activity_leave_decide(leave_request):
    """One tap: approve (the member is marked 请假) or refuse."""
    activity = branch_roll.activity_of(leave_request)
    approve = request.form.get("decision") == "approve"
    name = engine.person_name(leave_request)
    with unit_of_work(flash_errors=True, locked=True) as work:
        engine.decide(leave_request, approve, actor=actor())
    if work.ok:
        flash(_("Leave approved for %(name)s.", name=name) if approve
              else _("Leave refused for %(name)s.", name=name), "success")
    return redirect(_back(activity), 303)


@bp.post("/branches/leave/<id:leave_request>/withdraw")
@require(can_withdraw_activity_leave, leave_request=branch_roll.get_leave)
def activity_leave_withdraw(leave_request):
    activity = branch_roll.activity_of(leave_request)
    with unit_of_work(flash_errors=True) as work:
        engine.withdraw(leave_request, actor=actor())
    if work.ok:
        flash(_("Your request is taken back."), "success")
    return redirect(url_for("branches.activity_page", activity=activity.id), 303)


@bp.app_context_processor
def _attendance_links() -> dict:
    return {"activity_attendance": _attendance_of}


def _attendance_of(activity) -> dict:
    """What the activity page shows about attendance: officers get the roll and the screen (with the
    leave requests waiting), members their own leave while the activity is still to come."""
    user = actor()
    officer = can_run_activity(user, activity)
    return {"officer": officer, "open": activity.ends_at > utcnow(), "leave_labels": LEAVE_LABELS,
            "expected": is_expected(user, activities.event_of(activity)),
            "pending": len(branch_roll.pending_in(activity)) if officer else 0,
            "mine": branch_roll.own_request(activity, user.id)}
