"""Accounts: finding people, one-time codes, API tokens, profile changes, preferences
(throttled sign-in is signin.py, device sessions sessions.py).

Plain functions: they flush, never commit, and never read ``request``.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update

from ..core.errors import ServiceError
from ..core.text import clean_line, half_width
from ..core.timeutil import utcnow
from ..extensions import db
from .models import CONTRASTS, ROLES, TEXT_SIZES, ApiToken, LoginAttempt, OneTimeCode, User
from .sessions import end_all_sessions

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{2,31}$")
MIN_PASSWORD = 6


# ---------------------------------------------------------------- normalising input

def normalise_mobile(raw: str | None) -> str | None:
    """A mainland mobile number as 11 digits, accepting spaces, dashes and +86; None if empty."""
    if raw is None:
        return None
    digits = re.sub(r"[\s\-()]", "", half_width(raw))
    if digits.endswith(".0"):  # spreadsheets store numbers as floats
        digits = digits[:-2]
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix):]
    if not digits:
        return None
    if not MOBILE_RE.match(digits):
        raise ServiceError("invalid_mobile", _l("The mobile number must be 11 digits starting with 1, for example 13812345678."))
    return digits


def normalise_login(raw: str | None) -> str:
    """What a login is looked up (and counted) by: a mobile number as its digits, whatever the keyboard
    typed (１３９ １２３４-５６７８), a username in lower case."""
    value = half_width(raw).strip()
    compact = re.sub(r"[\s\-]", "", value)
    if compact.startswith("+86"):
        compact = compact[3:]
    return compact if compact.isdigit() else value.lower()


def check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ServiceError(
            "weak_password", _l("The password must have at least %(n)d characters.", n=MIN_PASSWORD)
        )
    if len(set(password)) == 1:
        raise ServiceError("weak_password", _l("The password must not be one character repeated."))


def find_user(login: str) -> User | None:
    login = normalise_login(login)
    if not login:
        return None
    return db.session.scalar(
        select(User).where(or_(User.mobile == login, func.lower(User.username) == login))
    )


# ---------------------------------------------------------------- one-time codes

def hash_code(digits: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()


def format_code(digits: str) -> str:
    return f"{digits[:4]} {digits[4:]}"


def issue_code(user: User, purpose: str, by: User | None = None) -> str:
    """A fresh 8-digit code for ``user``; earlier unused codes stop working. Returns it formatted."""
    hours = current_app.config["RESET_CODE_HOURS" if purpose == "reset" else "IMPORT_CODE_HOURS"]
    now = utcnow()
    # "fetch" touches only the matched rows; the default evaluates every code in the session,
    # which made an import of thousands of people quadratic.
    db.session.execute(
        update(OneTimeCode).where(OneTimeCode.user_id == user.id, OneTimeCode.used_at.is_(None)).values(used_at=now),
        execution_options={"synchronize_session": "fetch"},
    )
    digits = f"{secrets.randbelow(10 ** 8):08d}"
    db.session.add(OneTimeCode(
        user_id=user.id, code_hash=hash_code(digits), purpose=purpose, created_at=now,
        expires_at=now + timedelta(hours=hours), created_by_id=by.id if by else None,
    ))
    db.session.flush()
    return format_code(digits)


def reset_password(user: User, by: User | None = None) -> str:
    """Admin reset: end the user's sessions and tokens, clear the password, lift a sign-in lock, hand out a code."""
    end_all_sessions(user)
    forgive_failed_sign_ins(user)
    user.password_hash = None
    user.must_change_password = True
    return issue_code(user, "reset", by)


def forgive_failed_sign_ins(user: User) -> None:
    """Forget the account's failed sign-ins, lifting its lock: the office has just spoken to the person
    (a reset, a new password) or the person proved who they are with a code."""
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.login.in_(LoginAttempt.account_keys(user)),
                                                  LoginAttempt.success.is_(False)))


# ---------------------------------------------------------------- API tokens (device sessions: sessions.py)

def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User, name: str = "api") -> str:
    raw = "el_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_hash_token(raw), name=name[:64], created_at=utcnow()))
    db.session.flush()
    return raw


@dataclass
class TokenUse:
    """A valid bearer token's user, and whether its last-use time is due a touch (see ``touch_token``)."""
    user: User
    token_id: int
    needs_touch: bool


#: A token's last use is written at most this often, so a busy client does not write on every request.
TOKEN_TOUCH_EVERY = timedelta(minutes=1)


def user_for_token(raw: str) -> TokenUse | None:
    """Look the token up (nothing is written); None if it is unknown, revoked, idle too long or its user disabled."""
    if not raw or len(raw) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(raw)))
    if token is None or token.revoked_at is not None or token.user.is_disabled:
        return None
    now = utcnow()
    idle = timedelta(days=current_app.config["TOKEN_IDLE_DAYS"])
    last = token.last_used_at or token.created_at
    if now - last > idle:
        return None
    stale = token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_EVERY
    return TokenUse(token.user, token.id, stale)


def touch_token(token_id: int) -> None:
    """Record that the token was used now. The caller runs it in a locked unit of work of its own."""
    db.session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))


def revoke_token(raw: str) -> bool:
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(raw)))
    if token is None or token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    return True


# ---------------------------------------------------------------- creating and changing users

def _check_unique(mobile: str | None, username: str | None, exclude_id: int | None = None) -> None:
    if mobile:
        other = db.session.scalar(select(User).where(User.mobile == mobile))
        if other is not None and other.id != exclude_id:
            raise ServiceError("mobile_taken", _l("Another account already uses the mobile number %(mobile)s.", mobile=mobile), status=409)
    if username:
        other = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
        if other is not None and other.id != exclude_id:
            raise ServiceError("username_taken", _l("The username %(name)s is already taken.", name=username), status=409)


def clean_name(raw) -> str:
    """A person's name as it will be shown: one line, no control codes or invisible characters."""
    name = clean_line(raw)
    if not name:
        raise ServiceError("missing_name", _l("Please enter the name."))
    if len(name) > 64:
        raise ServiceError("invalid_name", _l("The name is too long (at most 64 characters)."))
    return name


def clean_username(raw: str | None) -> str | None:
    value = clean_line(raw)
    if not value:
        return None
    if not USERNAME_RE.match(value):
        raise ServiceError("invalid_username", _l("A username has 3 to 32 letters, digits, dots, dashes or underscores, and starts with a letter."))
    return value.lower()


def clean_birth_year(raw) -> int | None:
    if raw in (None, ""):
        return None
    try:
        # float() first: spreadsheets hand over 1955.0; "inf" and "1955.5" are not years.
        number = float(str(raw).strip())
        if not number.is_integer():
            raise ValueError(raw)
        year = int(number)
    except ValueError:
        raise ServiceError("invalid_birth_year", _l("The birth year must be a year such as 1955.")) from None
    if not 1900 <= year <= utcnow().year:
        raise ServiceError("invalid_birth_year", _l("The birth year must be between 1900 and this year."))
    return year


def clean_roles(roles) -> list[str]:
    roles = [r for r in roles if r]
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ServiceError("invalid_role", _l("Unknown role: %(role)s.", role=", ".join(unknown)))
    return roles or ["student"]


def create_user(*, name: str, mobile: str | None = None, username: str | None = None,
                password: str | None = None, birth_year=None, roles=("student",),
                created_at: datetime | None = None) -> User:
    name = clean_name(name)
    mobile = normalise_mobile(mobile)
    username = clean_username(username)
    if not mobile and not username:
        raise ServiceError("missing_login", _l("Please enter a mobile number or a username, so the person can sign in."))
    _check_unique(mobile, username)
    user = User(name=name, mobile=mobile, username=username, birth_year=clean_birth_year(birth_year),
                created_at=created_at or utcnow())
    user.set_roles(clean_roles(roles))
    if password:
        check_password_strength(password)
        user.set_password(password)
    else:
        user.must_change_password = True
    db.session.add(user)
    db.session.flush()
    return user


def update_user(user: User, *, name: str, mobile: str | None, username: str | None, birth_year, roles) -> User:
    name = clean_name(name)
    mobile = normalise_mobile(mobile)
    username = clean_username(username)
    if not mobile and not username:
        raise ServiceError("missing_login", _l("Please enter a mobile number or a username, so the person can sign in."))
    _check_unique(mobile, username, exclude_id=user.id)
    user.name = name
    user.mobile = mobile
    user.username = username
    user.birth_year = clean_birth_year(birth_year)
    user.set_roles(clean_roles(roles))
    db.session.flush()
    return user


def set_disabled(user: User, disabled: bool, by: User) -> None:
    if user.id == by.id and disabled:
        raise ServiceError("cannot_disable_self", _l("You cannot disable your own account."))
    if disabled and not user.is_disabled:
        end_all_sessions(user)
    user.is_disabled = disabled


def change_password(user: User, current: str | None, new: str, confirm: str, *,
                    keep_session: int | None = None, keep_token: int | None = None) -> None:
    """The user's own change; ``current`` is None right after signing in with a one-time code.

    Every other device session and API token ends; the one making the change (by id) stays."""
    if current is not None and not user.check_password(current):
        raise ServiceError("wrong_password", _l("The current password is not right."))
    if new != confirm:
        raise ServiceError("password_mismatch", _l("The two new passwords are not the same."))
    check_password_strength(new)
    user.set_password(new)
    user.must_change_password = False
    end_all_sessions(user, keep_session=keep_session, keep_token=keep_token)


def change_mobile(user: User, password: str, mobile: str) -> None:
    if not user.check_password(password):
        raise ServiceError("wrong_password", _l("The password is not right."))
    new = normalise_mobile(mobile)
    if not new and not user.username:
        raise ServiceError("missing_login", _l("Please enter a mobile number or a username, so the person can sign in."))
    _check_unique(new, None, exclude_id=user.id)
    user.mobile = new


def set_preferences(user: User | None, *, text_size: str | None = None, contrast: str | None = None,
                    locale: str | None = None) -> None:
    if text_size is not None and text_size not in TEXT_SIZES:
        raise ServiceError("invalid_preference", _l("Unknown text size."))
    if contrast is not None and contrast not in CONTRASTS:
        raise ServiceError("invalid_preference", _l("Unknown contrast setting."))
    if locale is not None and locale not in ("zh_CN", "en"):
        raise ServiceError("invalid_preference", _l("Unknown language."))
    if user is None:
        return
    if text_size:
        user.text_size = text_size
    if contrast:
        user.contrast = contrast
    if locale:
        user.locale = locale


def register_student(*, name: str, mobile: str, password: str, confirm: str) -> User:
    if password != confirm:
        raise ServiceError("password_mismatch", _l("The two passwords are not the same."))
    if not normalise_mobile(mobile):
        raise ServiceError("missing_login", _l("Please enter your mobile number."))
    return create_user(name=name, mobile=mobile, password=password, roles=["student"])
