"""Signing in, throttled: by password or by a one-time code, with failures kept in the database (so the
count holds across processes and machines).

Three counts, each for its own harm:

- per account (its username and its mobile number together; a login that names nobody is counted by
  what was typed, so the answers are the same and do not tell who has an account): after
  ``LOGIN_ACCOUNT_LIMIT`` wrong passwords in the window, the password is refused for the rest of the
  window. A soft lock: a one-time code from the office still signs the person in.
- per account for codes, with ``LOGIN_CODE_LIMIT`` of its own (a code is 8 digits; guessing them is
  what this count stops), apart from passwords so that the code the lock message sends people to
  still works.
- per address, never a lock: forty learners behind one classroom router share it. After
  ``LOGIN_IP_FREE_FAILURES`` failures in the window the address waits a few seconds between tries
  (429 with Retry-After), which slows guessing across many accounts without shutting anyone out.

Plain functions: they flush, never commit, and never read ``request``.
"""
from __future__ import annotations

import math
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l, ngettext
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.db import start_locked_transaction
from ..core.errors import ServiceError
from ..core.text import half_width
from ..core.timeutil import utcnow
from ..extensions import db
from .models import LoginAttempt, OneTimeCode, User
from .services import find_user, forgive_failed_sign_ins, hash_code, normalise_login

WRONG_CREDENTIALS = _l("The mobile number, username or password is not right. Please check and try again.")
DISABLED = _l("This account has been disabled. Please contact the office.")


# ---------------------------------------------------------------- the same cost for every login

#: bench/login_timing.py only: skip the stand-in hash, to show what it hides.
SKIP_DUMMY_HASH = False
_hash_runs = 0
_hash_lock = threading.Lock()
_dummy_hashes: dict[str, str] = {}


def hash_runs() -> int:
    """How many password hashes this process has checked (tests assert an unknown login runs one too)."""
    return _hash_runs


def _dummy_hash() -> str:
    """A hash of nothing anyone knows, made once per process with the method real passwords use."""
    method = current_app.config["LOGIN_DUMMY_HASH_METHOD"]
    if method not in _dummy_hashes:
        options = {"method": method} if method else {}  # empty: werkzeug's default, as User.set_password
        _dummy_hashes[method] = generate_password_hash(secrets.token_hex(16), **options)
    return _dummy_hashes[method]


def password_matches(user: User | None, password: str) -> bool:
    """Check ``password``; with no account (or one without a password) check it against a stand-in
    hash all the same, so an unknown mobile number costs the time a registered one does."""
    global _hash_runs
    stored = user.password_hash if user is not None else None
    if not stored and SKIP_DUMMY_HASH:
        return False
    with _hash_lock:
        _hash_runs += 1
    return check_password_hash(stored or _dummy_hash(), password) and bool(stored)


# ---------------------------------------------------------------- counting

def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])


@dataclass
class Count:
    """The failures counted against one key since its last success, within the window."""
    key: str
    kind: str  # "password" or "code"
    failures: int
    first: datetime | None  # the oldest of them: the lock ends a window after it

    @property
    def limit(self) -> int:
        return current_app.config["LOGIN_ACCOUNT_LIMIT" if self.kind == "password" else "LOGIN_CODE_LIMIT"]

    @property
    def locked(self) -> bool:
        return self.failures >= self.limit

    def lock_error(self, now: datetime) -> ServiceError:
        seconds = max(1, math.ceil((self.first + _window() - now).total_seconds())) if self.first else 60
        minutes = max(1, math.ceil(seconds / 60))
        if self.kind == "password":
            message = ngettext(
                "Too many wrong passwords. Signing in with the password is paused for %(num)d minute. "
                "The office can give you a one-time code to sign in with now.",
                "Too many wrong passwords. Signing in with the password is paused for %(num)d minutes. "
                "The office can give you a one-time code to sign in with now.", minutes)
        else:
            message = ngettext(
                "Too many wrong one-time codes. Please try again in %(num)d minute, or call the office.",
                "Too many wrong one-time codes. Please try again in %(num)d minutes, or call the office.", minutes)
        return ServiceError("locked", message, status=429, retry_after=seconds)


def _count(kind: str, user: User | None, login: str, now: datetime) -> Count:
    key = LoginAttempt.key(kind, user, login)
    since = now - _window()
    last_success = db.session.scalar(select(func.max(LoginAttempt.created_at)).where(
        LoginAttempt.login == key, LoginAttempt.success.is_(True), LoginAttempt.created_at > since))
    failures, first = db.session.execute(select(func.count(), func.min(LoginAttempt.created_at)).where(
        LoginAttempt.login == key, LoginAttempt.success.is_(False),
        LoginAttempt.created_at > (last_success or since))).one()
    return Count(key, kind, failures, first)


def _address_wait(ip: str, now: datetime) -> int:
    """Seconds this address must still wait before its next try (0: go ahead).

    Each failure past the free ones adds a second to the wait after the latest failure, up to the
    most; refused tries are not recorded, so knocking during the wait does not lengthen it."""
    cfg = current_app.config
    failures, latest = db.session.execute(select(func.count(), func.max(LoginAttempt.created_at)).where(
        LoginAttempt.ip == ip, LoginAttempt.success.is_(False), LoginAttempt.created_at > now - _window())).one()
    excess = failures - cfg["LOGIN_IP_FREE_FAILURES"]
    if excess < 0 or latest is None:
        return 0
    delay = min(cfg["LOGIN_IP_MAX_DELAY_SECONDS"], excess + 1)
    return max(0, math.ceil((latest + timedelta(seconds=delay) - now).total_seconds()))


def _check_address(ip: str, now: datetime) -> None:
    wait = _address_wait(ip, now)
    if wait:
        raise ServiceError("slow_down", ngettext(
            "Many sign-ins from this network have just failed. Please wait %(num)d second and try again.",
            "Many sign-ins from this network have just failed. Please wait %(num)d seconds and try again.", wait),
            status=429, retry_after=wait)


def _record(key: str, ip: str, success: bool) -> None:
    db.session.add(LoginAttempt(login=key[:64], ip=ip[:64], success=success, created_at=utcnow()))
    db.session.flush()


def _refuse(count: Count, ip: str, message, now: datetime) -> ServiceError:
    """Record one more failure; the answer says how many tries are left, or that they are used up."""
    _record(count.key, ip, False)
    count.failures += 1
    count.first = count.first or now
    if count.locked:
        return count.lock_error(now)
    left = count.limit - count.failures
    if count.kind == "password" and count.failures >= current_app.config["LOGIN_WARN_FROM"]:
        message = ngettext(
            "The mobile number, username or password is not right. You can try %(num)d more time.",
            "The mobile number, username or password is not right. You can try %(num)d more times.", left)
    return ServiceError("invalid_credentials" if count.kind == "password" else "invalid_code", message, status=401)


# ---------------------------------------------------------------- signing in

def authenticate(login: str, password: str, ip: str) -> User:
    """The user for these credentials, or a ServiceError saying plainly why not."""
    key = normalise_login(login)
    if not key or not password:
        raise ServiceError("missing_credentials", _l("Please enter your mobile number or username, and your password."), status=400)
    start_locked_transaction()  # it reads the attempts, then records one
    now = utcnow()
    _check_address(ip, now)
    user = find_user(key)
    count = _count("password", user, key, now)
    if count.locked:
        raise count.lock_error(now)
    if not password_matches(user, password):
        raise _refuse(count, ip, WRONG_CREDENTIALS, now)
    if user.is_disabled:
        raise ServiceError("account_disabled", DISABLED, status=403)
    _record(count.key, ip, True)
    user.last_login_at = now
    return user


def _code_refusal(row: OneTimeCode | None, now: datetime):
    """Why this code does not sign in (None: it does)."""
    if row is None:
        return _l("This code is not right for this account. Please check the slip and try again.")
    if row.used_at is not None:
        return _l("This code has already been used. Please ask the office for a new one.")
    if row.expires_at <= now:
        return _l("This code has expired. Please ask the office for a new one.")
    return None


def redeem_code(login: str, code: str, ip: str) -> User:
    """Check a one-time code (from an admin or an import slip); mark it used; return its user.

    It works while the password is locked: that is what the lock message sends people to the office
    for. What follows (choosing a new password) has no deadline: the code is checked only here.
    """
    key = normalise_login(login)
    digits = re.sub(r"\D", "", half_width(code))
    if not key or not digits:
        raise ServiceError("missing_code", _l("Please enter your mobile number or username, and the code on your slip."))
    start_locked_transaction()
    now = utcnow()
    _check_address(ip, now)
    user = find_user(key)
    count = _count("code", user, key, now)
    if count.locked:
        raise count.lock_error(now)
    row = None if user is None else db.session.scalar(
        select(OneTimeCode).where(OneTimeCode.user_id == user.id, OneTimeCode.code_hash == hash_code(digits)))
    refusal = _code_refusal(row, now)
    if refusal is not None:
        raise _refuse(count, ip, refusal, now)
    if user.is_disabled:
        raise ServiceError("account_disabled", DISABLED, status=403)
    row.used_at = now
    user.must_change_password = True
    user.last_login_at = now
    forgive_failed_sign_ins(user)  # the person proved who they are: the password's lock goes too
    _record(count.key, ip, True)
    return user


def purge_old_attempts(days: int = 2) -> int:
    result = db.session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < utcnow() - timedelta(days=days)))
    return result.rowcount or 0
