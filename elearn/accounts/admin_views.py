"""Administrators manage accounts: list, create, edit, disable, reset codes."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from ..core.db import unit_of_work
from ..core.errors import ServiceError
from ..core.permissions import can_manage_users, require
from ..extensions import db
from . import bp, issued, services, sessions
from .forms import ConfirmForm, UserForm
from .issued_views import issue_form, issue_once, record_new_batch
from .models import User, UserRole

PAGE_SIZE = 50
#: Far past the last page of any real list (a page past the end shows an empty list).
PAGE_MAX = 100_000


def load_user(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.get("/admin/users")
@require(can_manage_users)
def admin_users():
    query = (request.args.get("q") or "").strip()[:64]
    role = request.args.get("role") or ""
    # Clamped: a huge page number would be an OFFSET the database driver cannot hold (OverflowError).
    page = min(max(1, request.args.get("page", 1, type=int)), PAGE_MAX)
    stmt = select(User).order_by(User.id.desc())
    if query:
        stmt = stmt.where(_matches(query))
    if role:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    users = db.paginate(stmt, page=page, per_page=PAGE_SIZE, error_out=False)
    total = db.session.scalar(select(func.count(User.id)))
    return render_template("admin/users.html", users=users, query=query, role=role, total=total,
                           action_form=ConfirmForm())


def _matches(query: str):
    """Part of a name, username or mobile number; a number as it is read out or typed on a Chinese
    keyboard ("139 1234 5678", "１３９…") is looked up by its digits, as sign-in does."""
    like = f"%{query}%"
    conditions = [User.name.ilike(like), User.mobile.ilike(like), User.username.ilike(like)]
    digits = services.normalise_login(query)
    if digits.isdigit() and digits != query:
        conditions.append(User.mobile.like(f"%{digits}%"))
    return or_(*conditions)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@require(can_manage_users)
def admin_user_new():
    form = UserForm()
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        with unit_of_work(flash_errors=True) as work:
            user = services.create_user(name=form.name.data, mobile=form.mobile.data, username=form.username.data,
                                        password=form.password.data or None, birth_year=form.birth_year.data,
                                        roles=form.roles.data)
            batch = None
            if not form.password.data:
                code = services.issue_code(user, "import", by=current_user)
                batch = record_new_batch("new", [issued.Issued(user, code)])
        status = work.status
        if work.ok:
            flash(_("The account for %(name)s has been created.", name=user.name), "success")
            if batch:
                return redirect(url_for("accounts.admin_issued", batch=batch.id), 303)
            return redirect(url_for("accounts.admin_users"))
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/admin/users/<id:user>/edit", methods=["GET", "POST"])
@require(can_manage_users, user=load_user)
def admin_user_edit(user: User):
    form = UserForm(obj=user)
    status = 400 if request.method == "POST" else 200
    if request.method == "GET":
        form.roles.data = sorted(user.roles)
    if form.validate_on_submit():
        with unit_of_work(flash_errors=True) as work:
            if user.id == current_user.id and "admin" not in form.roles.data:
                raise ServiceError("cannot_demote_self", _("You cannot remove your own administrator role."))
            services.update_user(user, name=form.name.data, mobile=form.mobile.data, username=form.username.data,
                                 birth_year=form.birth_year.data, roles=form.roles.data)
            if form.password.data:
                services.check_password_strength(form.password.data)
                user.set_password(form.password.data)
                # A new password ends the person's sessions; an admin changing their own keeps this one.
                sessions.end_all_sessions(
                    user, keep_session=sessions.current_session_id() if user.id == current_user.id else None)
                services.forgive_failed_sign_ins(user)
        status = work.status
        if work.ok:
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("accounts.admin_users"))
    return render_template("admin/user_form.html", form=form, user=user, action_form=ConfirmForm()), status


@bp.route("/admin/users/<id:user>/disable", methods=["GET", "POST"])
@require(can_manage_users, user=load_user)
def admin_user_disable(user: User):
    if request.method == "GET":
        return _confirm_page(user, ConfirmForm(), _("Disable the account of %(name)s?", name=user.name),
                             _("%(name)s will be signed out on every device and cannot sign in until the account "
                               "is enabled again. Nothing is deleted.", name=user.name),
                             _("Yes, disable the account"))
    return _set_disabled(user, True)


@bp.post("/admin/users/<id:user>/enable")
@require(can_manage_users, user=load_user)
def admin_user_enable(user: User):
    return _set_disabled(user, False)


def _set_disabled(user: User, disabled: bool):
    if not ConfirmForm().validate_on_submit():
        flash(_("The form had expired. Please try again."), "error")
        return _edit_page(user, 400)
    with unit_of_work(flash_errors=True) as work:
        services.set_disabled(user, disabled, by=current_user)
    if not work.ok:
        return _edit_page(user, work.status)
    message = (_("%(name)s has been disabled and signed out everywhere.", name=user.name) if disabled
               else _("%(name)s can sign in again.", name=user.name))
    flash(message, "success")
    return redirect(url_for("accounts.admin_user_edit", user=user.id))


@bp.route("/admin/users/<id:user>/reset", methods=["GET", "POST"])
@require(can_manage_users, user=load_user)
def admin_user_reset(user: User):
    """Issue a one-time code for the admin to read to the user on the phone (asked first, issued once)."""
    if user.id == current_user.id:
        # It would sign the admin out and clear their password; their own page changes it safely.
        flash(_("To change your own password, use the My account page."), "error")
        return _edit_page(user, 400)
    if request.method == "GET":
        return _confirm_page(user, issue_form(), _("Reset the password of %(name)s?", name=user.name),
                             _("%(name)s's password and every signed-in device stop working. You get a one-time "
                               "code to read to them; with it they choose a new password.", name=user.name),
                             _("Yes, reset and give a one-time code"))
    return issue_once("reset", lambda: [issued.Issued(user, services.reset_password(user, by=current_user))],
                      refused=lambda status: _edit_page(user, status))


def _confirm_page(user: User, form, title: str, question: str, confirm: str):
    return render_template("confirm.html", form=form, title=title, question=question, confirm=confirm,
                           cancel_url=url_for("accounts.admin_user_edit", user=user.id),
                           cancel=_("No, go back"))


def _edit_page(user: User, status: int):
    form = UserForm(formdata=None, obj=user)
    form.roles.data = sorted(user.roles)
    return render_template("admin/user_form.html", form=form, user=user, action_form=ConfirmForm()), status
