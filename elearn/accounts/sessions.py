"""Device sessions: one row per device a person is signed in on, kept on the server.

Flask-Login's session and remember-me cookie carry only a random key; the row it hashes to says who
is signed in, since when, from where and on what. Signing out, ending a device from /account and
revoking everything (a password change, an admin's reset, disabling) end rows, so a captured cookie
is worth nothing afterwards. TV sets paired with a phone will be rows of the same table (``kind``).

Plain functions: they flush, never commit, and never read ``request`` (``current_session_id`` reads
what the loader left on ``g`` for this request).
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import joinedload

from ..core.errors import NotFound
from ..core.timeutil import utcnow
from ..extensions import db
from .models import ApiToken, User, UserSession

#: Last-seen time (and an idle session's expiry) is written at most this often, not on every request.
SESSION_TOUCH_EVERY = timedelta(minutes=1)
#: Ended and expired rows are kept this long (the list of devices no longer shows them), then purged.
PURGE_AFTER = timedelta(days=7)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _expiry(remember: bool, now: datetime) -> datetime:
    cfg = current_app.config
    if remember:
        return now + timedelta(days=cfg["REMEMBER_DAYS"])
    return now + timedelta(hours=cfg["SESSION_IDLE_HOURS"])


def start_session(user: User, *, user_agent: str, ip: str, remember: bool, kind: str = "browser") -> UserSession:
    """A new device session for ``user``; its raw key is put on ``user.session_key`` for login_user."""
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    row = UserSession(user_id=user.id, key_hash=_hash(raw), kind=kind, user_agent=(user_agent or "")[:255],
                      ip=(ip or "")[:64], remember=remember, created_at=now, last_seen_at=now,
                      expires_at=_expiry(remember, now))
    db.session.add(row)
    db.session.flush()
    user.session_key = raw
    return row


def _live(now: datetime):
    return (UserSession.ended_at.is_(None), UserSession.expires_at > now)


def load_session_user(raw: str) -> User | None:
    """Flask-Login's loader: the user of a live session row, or None (signed out). Writes nothing;
    the row's id is left on ``g`` so ``touch_if_due`` and the device list know this device."""
    if not raw or len(raw) > 200:
        return None
    now = utcnow()
    # One query for the row, its person and the person's roles (not a second one for the roles, as
    # the relationship's own selectin loading would): this runs on every signed-in request.
    found = db.session.execute(
        select(User, UserSession.id, UserSession.last_seen_at).join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.key_hash == _hash(raw), *_live(now)).options(joinedload(User.role_rows))
    ).unique().first()
    if found is None or found.User.is_disabled:
        return None
    user, g.user_session_id = found.User, found.id
    g.user_session_due = now - found.last_seen_at > SESSION_TOUCH_EVERY
    user.session_key = raw
    return user


def current_session_id() -> int | None:
    """The id of the session row this request was signed in with (None for a bearer token or a visitor)."""
    return g.get("user_session_id")


def touch_if_due() -> bool:
    """Record that this request's device was seen, if the last record is older than a minute. The caller
    runs it in a locked unit of work of its own."""
    if not g.get("user_session_due"):
        return False
    now = utcnow()
    row = db.session.get(UserSession, g.user_session_id)
    if row is None:
        return False
    row.last_seen_at = now
    if not row.remember:  # remember-me lasts from sign-in, as its cookie does; the rest is an idle limit
        row.expires_at = _expiry(False, now)
    g.user_session_due = False
    return True


def end_session(row: UserSession) -> None:
    if row.ended_at is None:
        row.ended_at = utcnow()


def end_current_session() -> None:
    """Sign-out: the row this request came with ends, so its cookie opens nothing any more."""
    session_id = current_session_id()
    row = db.session.get(UserSession, session_id) if session_id else None
    if row is not None:
        end_session(row)


def live_sessions(user: User) -> list[UserSession]:
    """The person's signed-in devices, the most recently used first."""
    return list(db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id, *_live(utcnow()))
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
    ))


def get_session(session_id: int) -> UserSession:
    """A live session row by id (an ended or expired one is gone for the person: 404)."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.ended_at is not None or row.expires_at <= utcnow():
        raise NotFound("session_not_found", _l("This device is no longer signed in."))
    return row


def end_all_sessions(user: User, *, keep_session: int | None = None, keep_token: int | None = None) -> None:
    """End every device session and revoke every API token of ``user``, except the session or token
    (by id) that is making this change. The one function for a password change, an admin's reset and
    disabling an account."""
    now = utcnow()
    db.session.execute(
        update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None),
                                  UserSession.id != (keep_session or 0)).values(ended_at=now),
        execution_options={"synchronize_session": "fetch"},
    )
    db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None),
                               ApiToken.id != (keep_token or 0)).values(revoked_at=now),
        execution_options={"synchronize_session": "fetch"},
    )


def end_other_sessions(user: User, keep_session: int | None) -> int:
    """"Sign out all other devices": every device session but this one (API tokens stay)."""
    result = db.session.execute(
        update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None),
                                  UserSession.id != (keep_session or 0)).values(ended_at=utcnow()),
        execution_options={"synchronize_session": "fetch"},
    )
    return result.rowcount or 0


def purge_old_sessions(now: datetime | None = None) -> int:
    """Drop rows that ended or expired more than a week ago."""
    cutoff = (now or utcnow()) - PURGE_AFTER
    result = db.session.execute(delete(UserSession).where(
        or_(UserSession.ended_at < cutoff, UserSession.expires_at < cutoff)))
    return result.rowcount or 0


# ---------------------------------------------------------------- the device in plain words

# A handful of patterns, checked in order: enough to tell a person's own devices apart, which is all
# the list is for. A full User-Agent parser (and its database of thousands of agents) would add little.
_DEVICES = (
    (re.compile(r"SmartTV|SMART-TV|Tizen|Web0S|HbbTV|\bTV\b", re.I), _l("TV")),
    (re.compile(r"iPad"), _l("iPad")),
    (re.compile(r"iPhone"), _l("iPhone")),
    (re.compile(r"Android.*Mobile|Android.*MicroMessenger"), _l("Android phone")),
    (re.compile(r"Android"), _l("Android tablet")),
    (re.compile(r"Windows"), _l("Windows computer")),
    (re.compile(r"Macintosh|Mac OS X"), _l("Mac computer")),
    (re.compile(r"CrOS"), _l("Chromebook")),
    (re.compile(r"Linux"), _l("Linux computer")),
)
_APPS = (
    (re.compile(r"MicroMessenger"), _l("WeChat")),
    (re.compile(r"QQBrowser"), _l("QQ Browser")),
    (re.compile(r"\bQQ/"), _l("QQ")),
    (re.compile(r"HuaweiBrowser|HUAWEI.*Browser"), _l("Huawei Browser")),
    (re.compile(r"MiuiBrowser|XiaoMi"), _l("Xiaomi Browser")),
    (re.compile(r"UCBrowser"), _l("UC Browser")),
    (re.compile(r"Edg(e|A|iOS)?/"), _l("Edge")),
    (re.compile(r"Firefox|FxiOS"), _l("Firefox")),
    (re.compile(r"Chrome|CriOS"), _l("Chrome")),
    (re.compile(r"Safari"), _l("Safari")),
)


def describe_device(user_agent: str | None) -> str:
    """The device in plain words, in the reader's language: 「安卓手机 · 微信」, "Windows computer · Edge"."""
    agent = user_agent or ""
    device = next((str(label) for pattern, label in _DEVICES if pattern.search(agent)), None)
    app = next((str(label) for pattern, label in _APPS if pattern.search(agent)), None)
    if device and app:
        return f"{device} · {app}"
    return device or app or str(_l("Unknown device"))
