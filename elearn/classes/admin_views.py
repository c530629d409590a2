"""The office's pages: terms, classes, their schedules and members, copying a class to the next term."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from ..accounts.models import User
from ..accounts.services import find_user
from ..core.db import unit_of_work
from ..core.errors import ServiceError
from ..core.ids import parse_id
from ..core.permissions import actor, require
from ..core.timeutil import utcnow
from ..courses.services import teacher_candidates, teaching_courses
from ..extensions import db
from . import bp, enrolment, schedule, services
from . import models as m
from .forms import ClassForm, CopyForm, MemberForm, SessionForm, TermForm, WeeklyForm
from .permissions import can_manage_classes
from .services import get_class


@bp.route("/admin/classes", methods=["GET", "POST"])
@require(can_manage_classes)
def admin_classes():
    """Terms, newest first, with their classes; a form for a new term."""
    form, status = TermForm(), 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        with unit_of_work(flash_errors=True) as work:
            term = services.save_term(None, name=form.name.data, starts_on=form.starts_on.data,
                                      ends_on=form.ends_on.data, required_rate=form.required_rate.data / 100)
        if work.ok:
            flash(_("The term %(name)s was added.", name=term.name), "success")
            return redirect(url_for("classes.admin_classes"))
        status = work.status
    return render_template("classes/admin_classes.html", terms=services.terms(), form=form), status


def _class_form(group: m.ClassGroup | None) -> ClassForm:
    form = ClassForm(obj=group)
    form.term.choices = [(t.id, t.name) for t in services.terms()]
    form.course.choices = [(0, _l("No course"))] + [(c.id, c.title) for c in teaching_courses(actor())]
    form.teachers.choices = [(u.id, u.name) for u in teacher_candidates()]
    if group is not None and request.method == "GET":
        form.term.data, form.course.data = group.term_id, group.course_id or 0
        form.teachers.data = sorted(group.staff_ids(m.TEACHER))
        form.assistants.data = ", ".join(user.login_name for user in _users(group.staff_ids(m.ASSISTANT)))
        if group.certificate_rate is not None:
            form.certificate_percent.data = round(group.certificate_rate * 100)
    elif group is None and request.method == "GET":
        form.term.data = parse_id(request.args.get("term"))
    return form


def _rate(percent: int | None) -> float | None:
    return None if percent is None else percent / 100


def _users(ids) -> list[User]:
    return [user for user in (db.session.get(User, uid) for uid in sorted(ids)) if user]


def _assistant_ids(text: str) -> list[int]:
    ids = []
    for login in (part.strip() for part in (text or "").replace("，", ",").split(",")):
        if not login:
            continue
        user = find_user(login)
        if user is None:
            raise ServiceError("unknown_person", _l("Nobody signs in with %(login)s.", login=login), status=422,
                               field="assistants")
        ids.append(user.id)
    return ids


@bp.route("/admin/classes/new", methods=["GET", "POST"])
@bp.route("/admin/classes/<id:group>/edit", methods=["GET", "POST"])
@require(can_manage_classes)
def admin_class_form(group=None):
    group = get_class(group) if group else None
    form, status = _class_form(group), 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        with unit_of_work(flash_errors=True) as work:
            group = services.save_class(
                group, term=services.get_term(form.term.data), name=form.name.data,
                course_id=form.course.data or None, teacher_ids=form.teachers.data,
                assistant_ids=_assistant_ids(form.assistants.data), room=form.room.data or "",
                capacity=form.capacity.data, self_enrol=form.self_enrol.data,
                opens_before_minutes=form.opens_before_minutes.data, closes_after_minutes=form.closes_after_minutes.data,
                late_after_minutes=form.late_after_minutes.data, makeup_days=form.makeup_days.data,
                absent_when_unmarked=form.absent_when_unmarked.data, certificate_rate=_rate(form.certificate_percent.data))
        if work.ok:
            flash(_("The class was saved."), "success")
            return redirect(url_for("classes.admin_class", group=group.id))
        status = work.status
    return render_template("classes/admin_class_form.html", form=form, group=group), status


@bp.get("/admin/classes/<id:group>")
@require(can_manage_classes, group=get_class)
def admin_class(group):
    copy_form = CopyForm()
    copy_form.term.choices = [(t.id, t.name) for t in services.terms() if t.id != group.term_id]
    return render_template("classes/admin_class.html", group=group, weekly_form=WeeklyForm(prefix="weekly"), session_form=SessionForm(prefix="once"),
                           member_form=MemberForm(), copy_form=copy_form, members=enrolment.members(group),
                           waiting=enrolment.members(group, m.WAITING), now=utcnow())


def _back(group):
    return redirect(url_for("classes.admin_class", group=group.id))


def _dates(text: str) -> list[date]:
    try:
        return [date.fromisoformat(part.strip()) for part in (text or "").replace("，", ",").split(",") if part.strip()]
    except ValueError:
        raise ServiceError("bad_date", _l("Please write dates like 2027-04-05."), status=422, field="skip_dates") from None


@bp.post("/admin/classes/<id:group>/weekly")
@require(can_manage_classes, group=get_class)
def admin_class_weekly(group):
    form = WeeklyForm(prefix="weekly")
    if not form.validate_on_submit():
        flash(_("Please check the weekly schedule: %(errors)s", errors=" ".join(sum(form.errors.values(), []))), "error")
        return _back(group)
    with unit_of_work(flash_errors=True, locked=True) as work:
        rule = schedule.add_weekly(group, weekday=form.weekday.data, starts=form.starts.data, minutes=form.minutes.data,
                                   mode=form.mode.data, skip_dates=_dates(form.skip_dates.data))
    if work.ok:
        flash(_("%(count)d sessions were planned.", count=sum(1 for s in group.sessions if s.rule_id == rule.id)),
              "success")
    return _back(group)


@bp.post("/admin/classes/<id:group>/sessions")
@require(can_manage_classes, group=get_class)
def admin_class_session(group):
    form = SessionForm(prefix="once")
    if not form.validate_on_submit():
        flash(_("Please check the session: %(errors)s", errors=" ".join(sum(form.errors.values(), []))), "error")
        return _back(group)
    with unit_of_work(flash_errors=True, locked=True) as work:
        schedule.add_session(group, day=form.day.data, starts=form.starts.data, minutes=form.minutes.data,
                             mode=form.mode.data, topic=form.topic.data or "")
    if work.ok:
        flash(_("The session was added."), "success")
    return _back(group)


@bp.post("/admin/classes/sessions/<id:session>/cancel")
@require(can_manage_classes, session=schedule.get_session)
def admin_session_cancel(session):
    with unit_of_work(flash_errors=True) as work:
        schedule.cancel_session(session)
    if work.ok:
        flash(_("The session was cancelled."), "success")
    return _back(session.class_group)


@bp.post("/admin/classes/<id:group>/members")
@require(can_manage_classes, group=get_class)
def admin_class_member(group):
    form = MemberForm()
    if not form.validate_on_submit():
        abort(400)
    with unit_of_work(flash_errors=True, locked=True) as work:
        person = find_user(form.login.data)
        if person is None:
            raise ServiceError("unknown_person", _l("Nobody signs in with %(login)s.", login=form.login.data),
                               status=422)
        row = enrolment.enrol(group, person.id)
    if work.ok:
        flash(_("%(name)s is on the waiting list: the class is full.", name=person.name) if row.state == m.WAITING
              else _("%(name)s is now a member.", name=person.name), "success")
    return _back(group)


@bp.post("/admin/classes/<id:group>/members/<id:person>/remove")
@require(can_manage_classes, group=get_class)
def admin_class_member_remove(group, person):
    with unit_of_work(flash_errors=True, locked=True) as work:
        enrolment.leave(group, person)
    if work.ok:
        flash(_("The person left the class. Their attendance so far is kept."), "success")
    return _back(group)


@bp.post("/admin/classes/<id:group>/copy")
@require(can_manage_classes, group=get_class)
def admin_class_copy(group):
    form = CopyForm()
    form.term.choices = [(t.id, t.name) for t in services.terms() if t.id != group.term_id]
    if not form.validate_on_submit():
        abort(400)
    with unit_of_work(flash_errors=True, locked=True) as work:
        copy = schedule.copy_to_term(group, services.get_term(form.term.data))
    if work.ok:
        flash(_("The class was copied with its weekly schedule. Members join anew."), "success")
        return redirect(url_for("classes.admin_class", group=copy.id))
    return _back(group)
