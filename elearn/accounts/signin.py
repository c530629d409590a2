"""Signing in, throttled: by password or by a one-time code, with failures counted per account and IP
in the database (so the count holds across processes and machines).

Plain functions: they flush, never commit, and never read ``request``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l, ngettext
from sqlalchemy import delete, func, select

from ..core.db import start_locked_transaction
from ..core.errors import ServiceError
from ..core.timeutil import utcnow
from ..extensions import db
from .models import LoginAttempt, OneTimeCode, User
from .services import find_user, hash_code, normalise_login


@dataclass
class Lock:
    until: datetime
    scope: str  # "pair" or "ip"

    def minutes_left(self, now: datetime) -> int:
        return max(1, int((self.until - now).total_seconds() + 59) // 60)

    def error(self, now: datetime) -> ServiceError:
        minutes = self.minutes_left(now)
        if self.scope == "ip":
            message = ngettext(
                "Too many failed sign-ins from this network. Signing in from here is locked for %(num)d minute.",
                "Too many failed sign-ins from this network. Signing in from here is locked for %(num)d minutes.",
                minutes,
            )
        else:
            message = ngettext(
                "Too many wrong passwords. This account is locked on this device for %(num)d minute; "
                "try again then, or ask the office for a reset code.",
                "Too many wrong passwords. This account is locked on this device for %(num)d minutes; "
                "try again then, or ask the office for a reset code.",
                minutes,
            )
        return ServiceError("locked", message, status=429, retry_after=minutes * 60)


def _lock_from(times: list[datetime], limit: int, window: timedelta, now: datetime) -> datetime | None:
    """Given failure times (newest first), the time a lock ends, if ``limit`` of them fell in one window."""
    if len(times) < limit:
        return None
    newest, oldest = times[0], times[limit - 1]
    if newest - oldest <= window and newest + window > now:
        return newest + window
    return None


def current_lock(login: str, ip: str, now: datetime | None = None) -> Lock | None:
    cfg = current_app.config
    now = now or utcnow()
    window = timedelta(minutes=cfg["LOGIN_WINDOW_MINUTES"])
    since = now - 2 * window
    last_success = db.session.scalar(
        select(func.max(LoginAttempt.created_at)).where(
            LoginAttempt.login == login, LoginAttempt.ip == ip, LoginAttempt.success.is_(True)
        )
    )
    pair_since = max(since, last_success) if last_success else since
    pair_times = db.session.scalars(
        select(LoginAttempt.created_at)
        .where(LoginAttempt.login == login, LoginAttempt.ip == ip, LoginAttempt.success.is_(False),
               LoginAttempt.created_at > pair_since)
        .order_by(LoginAttempt.created_at.desc())
        .limit(cfg["LOGIN_PAIR_LIMIT"])
    ).all()
    ip_times = db.session.scalars(
        select(LoginAttempt.created_at)
        .where(LoginAttempt.ip == ip, LoginAttempt.success.is_(False), LoginAttempt.created_at > since)
        .order_by(LoginAttempt.created_at.desc())
        .limit(cfg["LOGIN_IP_LIMIT"])
    ).all()
    ip_until = _lock_from(ip_times, cfg["LOGIN_IP_LIMIT"], window, now)
    if ip_until:
        return Lock(ip_until, "ip")
    pair_until = _lock_from(pair_times, cfg["LOGIN_PAIR_LIMIT"], window, now)
    if pair_until:
        return Lock(pair_until, "pair")
    return None


def _record_attempt(login: str, ip: str, success: bool) -> None:
    db.session.add(LoginAttempt(login=login[:64], ip=ip[:64], success=success, created_at=utcnow()))
    db.session.flush()


def _refuse(login: str, ip: str, code: str, message, status: int):
    """Record a failure; answer with the lock message if this failure started a lock."""
    _record_attempt(login, ip, False)
    now = utcnow()
    lock = current_lock(login, ip, now)
    if lock:
        return lock.error(now)
    return ServiceError(code, message, status=status)


WRONG_CREDENTIALS = _l("The mobile number, username or password is not right. Please check and try again.")


def authenticate(login: str, password: str, ip: str) -> User:
    """The user for these credentials, or a ServiceError saying plainly why not."""
    key = normalise_login(login)
    if not key or not password:
        raise ServiceError("missing_credentials", _l("Please enter your mobile number or username, and your password."), status=400)
    start_locked_transaction()  # it reads the attempts, then records one
    now = utcnow()
    lock = current_lock(key, ip, now)
    if lock:
        raise lock.error(now)
    user = find_user(key)
    if user is None or not user.check_password(password):
        raise _refuse(key, ip, "invalid_credentials", WRONG_CREDENTIALS, 401)
    if user.is_disabled:
        raise ServiceError("account_disabled", _l("This account has been disabled. Please contact the office."), status=403)
    _record_attempt(key, ip, True)
    user.last_login_at = now
    return user


def redeem_code(login: str, code: str, ip: str) -> User:
    """Check a one-time code (from an admin or an import slip); mark it used; return its user.

    What follows (choosing a new password) has no deadline: the code is checked only here.
    """
    key = normalise_login(login)
    digits = re.sub(r"\D", "", code or "")
    if not key or not digits:
        raise ServiceError("missing_code", _l("Please enter your mobile number or username, and the code on your slip."))
    start_locked_transaction()
    now = utcnow()
    lock = current_lock(key, ip, now)
    if lock:
        raise lock.error(now)
    user = find_user(key)
    row = None
    if user is not None:
        row = db.session.scalar(
            select(OneTimeCode).where(OneTimeCode.user_id == user.id, OneTimeCode.code_hash == hash_code(digits))
        )
    if row is None:
        raise _refuse(key, ip, "invalid_code", _l("This code is not right for this account. Please check the slip and try again."), 401)
    if row.used_at is not None:
        raise _refuse(key, ip, "code_used", _l("This code has already been used. Please ask the office for a new one."), 401)
    if row.expires_at <= now:
        raise _refuse(key, ip, "code_expired", _l("This code has expired. Please ask the office for a new one."), 401)
    if user.is_disabled:
        raise ServiceError("account_disabled", _l("This account has been disabled. Please contact the office."), status=403)
    row.used_at = now
    user.must_change_password = True
    user.last_login_at = now
    _record_attempt(key, ip, True)
    return user


def purge_old_attempts(days: int = 2) -> int:
    result = db.session.execute(delete(LoginAttempt).where(LoginAttempt.created_at < utcnow() - timedelta(days=days)))
    return result.rowcount or 0
