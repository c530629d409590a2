"""Pages: my branches, a branch, an activity with its minutes, a new activity, and a member's party
details (officers and admins, or the member themself; every showing is logged before it is shown)."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..core.confirm import ActionForm, confirm_then_act
from ..core.db import unit_of_work
from ..core.permissions import actor, is_admin, require
from ..core.timeutil import from_site_time, localtime, to_local, utcnow
from ..courses.markdown import render_markdown
from ..extensions import db
from . import activities, bp, compliance, services
from . import models as m
from .forms import ActivityForm, MinutesForm
from .labels import KIND_LABELS, PARTY_STATUS_LABELS, PERIOD_LABELS, ROLE_LABELS, period_name
from .permissions import (can_approve_activity_minutes, can_approve_minutes, can_run_activity, can_run_branch,
                          can_see_branch, can_view_activity, can_view_member_details, can_view_own_branches,
                          can_view_party_details, membership)


@bp.app_context_processor
def _rules() -> dict:
    return {"shows_branches": _shows_branches}


def _shows_branches(user) -> bool:
    """The menu names the branches to the office and to people in one, not to every learner."""
    return is_admin(user) or services.in_a_branch(user)


def _labels() -> dict:
    return {"kind_labels": KIND_LABELS, "role_labels": ROLE_LABELS, "party_status_labels": PARTY_STATUS_LABELS,
            "period_labels": PERIOD_LABELS, "activity_name": activities.activity_name,
            "is_cancelled": activities.is_cancelled,
            "period_name": period_name}


@bp.get("/branches")
@require(can_view_own_branches)
def my_branches():
    """The branches one belongs to; the office sees every branch with this quarter's compliance."""
    user = actor()
    if is_admin(user):
        branches = list(db.session.scalars(select(m.Branch).order_by(m.Branch.name)))
        reports = {b.id: compliance.quarter_report(b) for b in branches}
    else:
        branches, reports = services.branches_of(user), {}
    return render_template("branches/mine.html", branches=branches, reports=reports, **_labels())


@bp.get("/branches/<id:branch>")
@require(can_see_branch, branch=services.get_branch)
def branch_page(branch):
    user, now = actor(), utcnow()
    officer = can_run_branch(user, branch)
    listed = activities.listed_for(branch, user)
    return render_template(
        "branches/branch.html", branch=branch, officer=officer, now=now,
        upcoming=[a for a in reversed(listed) if a.ends_at >= now], past=[a for a in listed if a.ends_at < now],
        report=compliance.quarter_report(branch, now=now) if officer else None,
        members=[mb for mb in branch.members if mb.left_at is None] if officer else [],
        details=can_view_party_details(user, branch), mine=membership(user, branch), admin=is_admin(user),
        cancelled=activities.cancelled_among(listed), **_labels())


@bp.route("/branches/<id:branch>/activities/new", methods=["GET", "POST"])
@require(can_run_branch, branch=services.get_branch)
def activity_new(branch):
    return _activity_form(branch, None)


@bp.route("/branches/activities/<id:activity>/edit", methods=["GET", "POST"])
@require(can_run_activity, activity=activities.get_activity)
def activity_edit(activity):
    """Change an activity: its time moves its attendance window with it (the engine reschedules)."""
    return _activity_form(activity.branch, activity)


def _activity_form(branch: m.Branch, activity: m.Activity | None):
    """The new-activity and change-activity page: one form, one unit of work."""
    editing = activity is not None
    form = ActivityForm(branch=branch, obj=_form_values(activity) if editing and request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        starts_at = from_site_time(form.day.data, form.starts.data)
        values = dict(kind=form.kind.data, custom_kind=form.custom_kind.data, topic=form.topic.data,
                      group=db.session.get(m.PartyGroup, form.group.data) if form.group.data else None,
                      starts_at=starts_at, ends_at=starts_at + timedelta(minutes=form.minutes.data),
                      place=form.place.data, online=form.online.data, agenda=form.agenda.data, actor=actor(),
                      lesson_id=form.lesson.data or None)
        with unit_of_work(flash_errors=True) as work:
            if activity is None:
                activity = activities.create_activity(branch, **values)
            else:
                activities.update_activity(activity, **values)
        if work.ok:
            flash(_("The activity has been changed.") if editing else _("The activity has been added."), "success")
            return redirect(url_for("branches.activity_page", activity=activity.id))
        status = work.status
    elif form.is_submitted():
        status = 400
    return render_template("branches/activity_form.html", branch=branch, form=form,
                           activity=activity if editing else None, **_labels()), status


def _form_values(activity: m.Activity) -> SimpleNamespace:
    """The form's fields from the activity, its times on the site's clock."""
    starts = to_local(activity.starts_at)
    return SimpleNamespace(
        kind=activity.kind, custom_kind=activity.custom_kind or "", group=activity.group_id or 0,
        topic=activity.topic, day=starts.date(), starts=starts.time().replace(second=0, microsecond=0),
        minutes=int((activity.ends_at - activity.starts_at).total_seconds() // 60), place=activity.place,
        online=activity.online, agenda=activity.agenda, lesson=activity.lesson_id or 0)


@bp.route("/branches/activities/<id:activity>/cancel", methods=["GET", "POST"])
@require(can_run_activity, activity=activities.get_activity)
def activity_cancel(activity):
    page = url_for("branches.activity_page", activity=activity.id)
    return confirm_then_act(
        lambda: activities.cancel_activity(activity), done=_("The activity has been called off."), back=page,
        title=_("Call off this activity?"),
        question=_("%(topic)s on %(when)s will be called off: nobody is expected at it, and it counts for no "
                   "requirement.", topic=activity.topic, when=localtime(activity.starts_at, "weekday")),
        confirm=_("Call off the activity"), cancel_url=page, cancel=_("Keep the activity"))


@bp.get("/branches/activities/<id:activity>")
@require(can_view_activity, activity=activities.get_activity)
def activity_page(activity):
    user = actor()
    current = activities.current_minutes(activity)
    return render_template(
        "branches/activity.html", activity=activity, branch=activity.branch, officer=can_run_activity(user, activity),
        secretary=can_approve_minutes(user, activity.branch), current=current,
        approved=activities.approved_minutes(activity), render_markdown=render_markdown,
        is_correction=activities.is_correction, form=MinutesForm(body=current.body_md if current else ""),
        approve_form=ActionForm(), now=utcnow(), **_labels())


@bp.post("/branches/activities/<id:activity>/minutes")
@require(can_run_activity, activity=activities.get_activity)
def minutes_save(activity):
    form = MinutesForm()
    if form.validate_on_submit():
        with unit_of_work(flash_errors=True) as work:
            activities.save_minutes(activity, form.body.data, actor=actor())
        if work.ok:
            flash(_("The minutes have been saved."), "success")
    else:
        flash(_("Please write the minutes first."), "error")
    return redirect(url_for("branches.activity_page", activity=activity.id, _anchor="minutes"))


@bp.post("/branches/activities/<id:activity>/minutes/approve")
@require(can_approve_activity_minutes, activity=activities.get_activity)
def minutes_approve(activity):
    if ActionForm().validate_on_submit():
        with unit_of_work(flash_errors=True) as work:
            activities.approve_minutes(activity, actor=actor())
        if work.ok:
            flash(_("The minutes are approved and locked. A correction is kept as a new version."), "success")
    return redirect(url_for("branches.activity_page", activity=activity.id, _anchor="minutes"))


@bp.get("/branches/members/<id:member>")
@require(can_view_member_details, member=services.get_member)
def member_page(member):
    """Party details: written to the access log and committed before the page is drawn."""
    user = actor()
    channel = "self" if member.user_id == user.id else "page"
    with unit_of_work():
        details = services.party_details(member, user, channel)
    return render_template("branches/member.html", member=member, branch=member.branch, details=details,
                           **_labels())
