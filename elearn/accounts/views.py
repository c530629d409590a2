"""Sign-in, sign-out, one-time codes, self-registration and the user's own account page."""
from __future__ import annotations

from flask import abort, current_app, flash, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import OperationalError

from ..core.db import unit_of_work
from ..core.errors import ServiceError, is_database_locked, with_retry_after
from ..core.permissions import login_required
from ..core.utils import safe_next
from ..extensions import db, login_manager
from . import bp, devices, services, sessions, signin
from .ui import remember_in_browser
from .forms import ChangeMobileForm, ChangePasswordForm, CodeLoginForm, LoginForm, RegisterForm, SetPasswordForm

login_manager.login_view = "accounts.login"
login_manager.login_message = None  # the login page says it plainly itself


@login_manager.user_loader
def _load_user(session_key: str):
    return sessions.load_session_user(session_key)


def client_ip() -> str:
    return request.remote_addr or "unknown"


def start_device_session(user, remember: bool = False) -> None:
    """Inside the sign-in's unit of work: a new server-side session for this device.

    The Flask session is emptied first, so whatever it held before (a cookie planted by someone else,
    the CSRF secret a page before sign-in carried) is worth nothing once the person is signed in."""
    if current_user.is_authenticated:  # signing in again on a signed-in browser: its old row ends
        sessions.end_current_session()
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF keeps this request's token here; the next one is new
    sessions.start_session(user, user_agent=request.user_agent.string, ip=client_ip(), remember=remember)


def _sign_in(user, remember: bool):
    login_user(user, remember=remember, duration=None)
    session.permanent = remember
    # Carry the account's display choices into this browser too.
    response = redirect(safe_next(request.values.get("next")) or url_for("index"))
    return remember_in_browser(response, text_size=user.text_size, contrast=user.contrast, locale=user.locale)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")) or url_for("index"))
    form = LoginForm(next=request.args.get("next", ""))
    status, refusal = 200, None
    if form.validate_on_submit():
        # A refusal is committed too: the failure it recorded counts towards throttling.
        with unit_of_work(flash_errors=True, commit_on=(ServiceError,)) as work:
            user = signin.authenticate(form.login.data, form.password.data, client_ip())
            start_device_session(user, remember=bool(form.remember.data))
        if work.ok:
            return _sign_in(user, form.remember.data)
        status, refusal = work.status, work.error
    elif request.method == "POST":
        status = 400
    page = render_template("accounts/login.html", form=form, self_registration=current_app.config["SELF_REGISTRATION"])
    return with_retry_after(make_response(page, status), refusal)


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """Sign in with a one-time code (the QR code on a slip opens this page filled in)."""
    form = CodeLoginForm(login=request.args.get("login", ""), code=request.args.get("code", ""))
    status, refusal = 200, None
    if form.validate_on_submit():
        with unit_of_work(flash_errors=True, commit_on=(ServiceError,)) as work:  # failures count, as above
            user = signin.redeem_code(form.login.data, form.code.data, client_ip())
            start_device_session(user)
        if work.ok:
            login_user(user, remember=False)
            return redirect(url_for("accounts.set_password"))
        status, refusal = work.status, work.error
    elif request.method == "POST":
        status = 400
    return with_retry_after(make_response(render_template("accounts/login_code.html", form=form), status), refusal)


@bp.route("/account/set-password", methods=["GET", "POST"])
@login_required
def set_password():
    """Choose a password after signing in with a code; there is no deadline for this step."""
    if not current_user.must_change_password:
        return redirect(url_for("accounts.account"))
    form = SetPasswordForm()
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        with unit_of_work(flash_errors=True) as work:
            services.change_password(current_user, None, form.new.data, form.confirm.data,
                                     keep_session=sessions.current_session_id())
        status = work.status
        if work.ok:
            flash(_("Your password is set. Use it next time you sign in."), "success")
            return redirect(url_for("index"))
    return render_template("accounts/set_password.html", form=form), status


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:  # loads this device's session row, which ends on the server
        with unit_of_work():
            sessions.end_current_session()
    # Clear first: logout_user leaves the "_remember": "clear" mark that deletes the remember-me cookie.
    session.clear()
    logout_user()
    flash(_("You have signed out."), "success")
    return redirect(url_for("index"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    if not current_app.config["SELF_REGISTRATION"]:
        abort(404)
    form = RegisterForm()
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        with unit_of_work(flash_errors=True) as work:
            user = services.register_student(name=form.name.data, mobile=form.mobile.data,
                                              password=form.password.data, confirm=form.confirm.data)
            start_device_session(user)
        status = work.status
        if work.ok:
            login_user(user)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for("index"))
    return render_template("accounts/register.html", form=form), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    password_form = ChangePasswordForm(prefix="pw")
    mobile_form = ChangeMobileForm(prefix="mobile", mobile=current_user.mobile)
    action = request.form.get("action")
    status = 200
    if request.method == "POST":
        status = 400
        if action == "password" and password_form.validate_on_submit():
            with unit_of_work(flash_errors=True) as work:
                services.change_password(current_user, password_form.current.data,
                                         password_form.new.data, password_form.confirm.data,
                                         keep_session=sessions.current_session_id())
            if work.ok:
                flash(_("Your password has been changed. Other devices have been signed out."), "success")
                return redirect(url_for("accounts.account"))
            status = work.status
        elif action == "mobile" and mobile_form.validate_on_submit():
            with unit_of_work(flash_errors=True) as work:
                services.change_mobile(current_user, mobile_form.password.data, mobile_form.mobile.data)
            if work.ok:
                flash(_("Your mobile number has been saved."), "success")
                return redirect(url_for("accounts.account"))
            status = work.status
        else:
            flash(_("Please fill in every field marked as required."), "error")
    return render_template("accounts/account.html", password_form=password_form, mobile_form=mobile_form,
                           **devices.device_list()), status


_OPEN_WHILE_SETTING_PASSWORD = {"accounts.set_password", "accounts.logout", "accounts.preferences", "static", "core.healthz"}


@bp.before_app_request
def _finish_code_sign_in():
    """Someone who signed in with a code chooses a password before going anywhere else."""
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in _OPEN_WHILE_SETTING_PASSWORD
            and not request.path.startswith("/api/")):
        return redirect(url_for("accounts.set_password"))


#: How long recording a device's last request may wait for SQLite's write lock before it is skipped.
TOUCH_WAIT_MS = 200


@bp.before_app_request
def _note_device_seen():
    """Last seen (at most once a minute) in a transaction of its own: GET views never commit, and a
    page must not wait for, or fail on, this write when the database is busy (the next request does it)."""
    if request.endpoint == "static" or not current_user.is_authenticated or not g.get("user_session_due"):
        return
    try:
        with unit_of_work(locked=True, lock_wait_ms=TOUCH_WAIT_MS):
            sessions.touch_if_due()
    except OperationalError as err:
        if not is_database_locked(err):
            raise
        db.session.rollback()


@bp.post("/preferences")
def preferences():
    """Text size, contrast and language: saved on the account if signed in, and in the browser."""
    text_size = request.form.get("text_size") or None
    contrast = request.form.get("contrast") or None
    locale = request.form.get("locale") or None
    user = current_user if current_user.is_authenticated else None
    with unit_of_work():  # a refusal (unknown choice) is answered by the app's error page
        services.set_preferences(user, text_size=text_size, contrast=contrast, locale=locale)
    response = redirect(safe_next(request.form.get("next")) or url_for("index"))
    return remember_in_browser(response, text_size=text_size, contrast=contrast, locale=locale)
