"""Pages: my classes, a class, joining and leaving, the roll call of a session, the classroom's
check-in screen, and the check-in a phone opens when it scans that screen's code."""
from __future__ import annotations

import io

import segno
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from ..attendance import checkin, roll
from ..attendance.hooks import kind_of
from ..attendance.labels import LEAVE_LABELS, MODE_LABELS, SOURCE_LABELS, STATUS_LABELS, TAP_CYCLE, next_status
from ..core.db import unit_of_work
from ..core.errors import ServiceError
from ..core.permissions import actor, require
from ..core.timeutil import utcnow
from ..extensions import db
from . import bp, enrolment, schedule
from . import leave as leave_requests
from . import models as m
from .forms import SESSION_MODE_LABELS
from .permissions import (can_join_class, can_manage_classes, can_leave_class, can_take_roll, can_take_session_roll, can_view_class,
                          can_teach_class, can_view_own_classes)
from .services import get_class


@bp.app_context_processor
def _rules() -> dict:
    return {"can_manage_classes": can_manage_classes}


def _labels() -> dict:
    return {"status_labels": STATUS_LABELS, "mode_labels": MODE_LABELS, "source_labels": SOURCE_LABELS,
            "leave_labels": LEAVE_LABELS}


@bp.get("/classes")
@require(can_view_own_classes)
def my_classes():
    """「我的班级」: the classes one is in (and waiting for), and those one teaches."""
    user = actor()
    return render_template("classes/mine.html", enrolled=enrolment.classes_of(user.id),
                           waiting=enrolment.classes_of(user.id, m.WAITING), teaching=_teaching(user), now=utcnow())


def _teaching(user) -> list[m.ClassGroup]:
    return list(db.session.scalars(select(m.ClassGroup).join(m.ClassStaff).where(m.ClassStaff.user_id == user.id)
                                   .order_by(m.ClassGroup.name)))


@bp.get("/classes/<id:group>")
@require(can_view_class, group=get_class)
def class_page(group):
    user = actor()
    staff = can_take_roll(user, group)
    mine = enrolment.enrolment_of(group, user.id)
    return render_template("classes/class.html", group=group, staff=staff, mine=mine, now=utcnow(),
                           members=enrolment.members(group) if staff else [],
                           own=leave_requests.member_view(group, mine) if mine and mine.enrolled_at else None,
                           pending=leave_requests.pending_in(group.sessions) if can_teach_class(user, group) else [],
                           lessons=leave_requests.lesson_titles(group), session_modes=SESSION_MODE_LABELS,
                           **_labels())


@bp.post("/classes/<id:group>/join")
@require(can_join_class, group=get_class)
def join(group):
    with unit_of_work(flash_errors=True, locked=True) as work:
        row = enrolment.join(group, actor())
    if work.ok:
        flash(_("You are on the waiting list. We will tell you here when a place is free.")
              if row.state == m.WAITING else _("You have joined this class."), "success")
    return redirect(url_for("classes.class_page", group=group.id))


@bp.post("/classes/<id:group>/leave")
@require(can_leave_class, group=get_class)
def leave(group):
    with unit_of_work(flash_errors=True, locked=True) as work:
        enrolment.leave(group, actor().id)
    if work.ok:
        flash(_("You have left this class. Your attendance so far is kept."), "success")
    return redirect(url_for("classes.my_classes"))


@bp.post("/classes/<id:group>/moved-up-seen")
@require(can_leave_class, group=get_class)
def moved_up_seen(group):
    """The person has read that the waiting list moved them up: the home page stops saying so."""
    with unit_of_work(flash_errors=True):
        enrolment.mark_moved_up_seen(group, actor().id)
    return redirect(url_for("index"))


# ---------------------------------------------------------------- roll call

def _roll_links(session, user) -> dict:
    """What the shared roll-call macro needs to know about this page (attendance/_roll.html)."""
    can_file_leave = can_teach_class(user, session.class_group) and session.ends_at > utcnow()
    return {"tap": url_for("classes.roll_call", session=session.id),
            "everyone": url_for("classes.roll_everyone", session=session.id),
            "api": url_for("api_classes.SessionAttendance", session=session.id), "key": session.id,
            "leave": url_for("classes.ask_leave", session=session.id) if can_file_leave else None}


@bp.route("/classes/sessions/<id:session>/roll", methods=["GET", "POST"])
@require(can_take_session_roll, session=schedule.get_session)
def roll_call(session):
    """One big button per person: each tap moves them to the next status. Without JavaScript each
    tap is this form's POST; with it, taps are queued and sent by rollcall.js (also after being offline).
    Each person's "more" form also sends the mode (送学上门...) and a note."""
    event = schedule.event_of(session)
    if request.method == "POST":
        tapped = roll.form_mark(request.form)
        if tapped is None:
            abort(400)
        with unit_of_work(flash_errors=True, locked=True):
            roll.apply_marks(event, [{"person": tapped[0], **tapped[1]}], actor=actor())
        return redirect(url_for("classes.roll_call", session=session.id) + f"#person-{tapped[0]}")
    return render_template("classes/roll.html", session=session, group=session.class_group, rows=roll.rows(event),
                           histories=roll.histories(event), pending=leave_requests.pending_in([session]),
                           links=_roll_links(session, actor()), next_status=next_status, tap_cycle=TAP_CYCLE,
                           **_labels())


@bp.post("/classes/sessions/<id:session>/roll/everyone")
@require(can_take_session_roll, session=schedule.get_session)
def roll_everyone(session):
    """「全部出勤」: everyone not marked yet is present; then the teacher taps the exceptions."""
    with unit_of_work(flash_errors=True, locked=True) as work:
        count = roll.mark_everyone_present(schedule.event_of(session), actor=actor())
    if work.ok:
        flash(_("%(count)d people marked present.", count=count), "success")
    return redirect(url_for("classes.roll_call", session=session.id))


@bp.get("/classes/sessions/<id:session>/screen")
@require(can_take_session_roll, session=schedule.get_session)
def checkin_screen(session):
    """The classroom screen: a large QR code that changes every 30 s, and the names as they check in."""
    return render_template("classes/screen.html", session=session, group=session.class_group,
                           screen=roll.screen(schedule.event_of(session)))


@bp.get("/classes/sessions/<id:session>/qr.svg")
@require(can_take_session_roll, session=schedule.get_session)
def checkin_qr(session):
    """The code shown now, as an SVG image."""
    return qr_response(schedule.event_of(session))


def qr_response(event) -> Response:
    """The event's code shown now as an SVG image (segno draws it from a URL we build; nothing typed
    goes in); every feature's screen shows its code through here."""
    url = url_for("classes.scan", code=roll.screen(event)["code"], _external=True)
    image = io.BytesIO()
    segno.make(url, error="m").save(image, kind="svg", scale=10, border=2, dark="#000", light="#fff")
    return Response(image.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


# ---------------------------------------------------------------- self check-in

@bp.get("/checkin/<code>")
def scan(code):
    """What a phone opens from the QR code of any event (a class session, a branch activity): the code
    is checked now (it is the credential and only reads), then sign-in may follow on the way to
    ``check_in``."""
    try:
        grant = checkin.scan(code[:80])
    except ServiceError as refused:
        return render_template("attendance/checkin_refused.html", message=refused.message), refused.status
    return redirect(url_for("classes.check_in", grant=grant))


@bp.route("/checkin/go/<grant>", methods=["GET", "POST"])
@require()
def check_in(grant):
    """Confirm, then check in; the scan already happened, so there is no hurry here. The owning
    feature names the event (``EventKind.describe``): this page never asks what kind it is."""
    user = actor()
    try:
        event, scanned_at = checkin.read_grant(grant)
    except ServiceError as refused:
        return render_template("attendance/checkin_refused.html", message=refused.message), refused.status
    described = kind_of(event).describe(event)
    if request.method == "GET":
        return render_template("attendance/checkin.html", event=event, described=described, grant=grant)
    try:
        with unit_of_work(locked=True):
            record, marked = checkin.check_in(grant, user)
    except ServiceError as refused:
        return render_template("attendance/checkin_refused.html", message=refused.message), refused.status
    return render_template("attendance/checkin_done.html", event=event, described=described, record=record,
                           marked=marked, **_labels())


def home_panel(user):
    """「下次上课」 on the home page, and a word when the waiting list moved the person up."""
    if not user.is_authenticated:
        return None
    sessions, moved_up = enrolment.next_sessions(user.id), enrolment.moved_up_unseen(user.id)
    if not sessions and not moved_up:
        return None
    return Markup(render_template("classes/_home_panel.html", sessions=sessions, moved_up=moved_up))
