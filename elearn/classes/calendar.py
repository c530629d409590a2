"""A private calendar feed (``.ics``) per person: their coming sessions, for a phone's calendar.

A phone's calendar fetches the feed without signing in, so its address is the credential. It is
``<user id>.<signature>``: the signature is an HMAC, under the app's secret key, of the user id and
a random nonce kept in ``CalendarFeed``. The address can be shown again on the person's page (to
add it to a second phone) while the database alone does not give it away; a new nonce
(regenerate) or no row (revoke) makes every old address stop working at once.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from icalendar import Calendar, Event
from sqlalchemy import ForeignKey, String, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from ..core.ids import parse_id
from ..core.timeutil import to_local, utcnow
from ..extensions import db
from . import models as m

#: How far ahead the feed reaches, and how long a session stays in it after it ended.
AHEAD, BEHIND = timedelta(days=183), timedelta(days=1)


class CalendarFeed(db.Model):
    __tablename__ = "class_calendar_feeds"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def _signature(user_id: int, nonce: str) -> str:
    key = current_app.secret_key.encode() if isinstance(current_app.secret_key, str) else current_app.secret_key
    return hmac.new(key, f"calendar:{user_id}:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def token_of(user_id: int) -> str | None:
    """The person's feed address part, or None when they have none (never made, or revoked)."""
    feed = db.session.get(CalendarFeed, user_id)
    return f"{user_id}.{_signature(user_id, feed.nonce)}" if feed else None


def renew(user_id: int) -> str:
    """A new address (the old one, if any, stops working); returns it."""
    feed = db.session.get(CalendarFeed, user_id)
    if feed is None:
        feed = CalendarFeed(user_id=user_id)
        db.session.add(feed)
    feed.nonce, feed.created_at = secrets.token_hex(16), utcnow()
    db.session.flush()
    return f"{user_id}.{_signature(user_id, feed.nonce)}"


def revoke(user_id: int) -> None:
    feed = db.session.get(CalendarFeed, user_id)
    if feed is not None:
        db.session.delete(feed)
        db.session.flush()


def owner_of(token: str) -> int | None:
    """The user id an address belongs to, or None for a wrong, forged or revoked one."""
    user_part, _dot, signature = token.partition(".")
    user_id = parse_id(user_part) if user_part.isdigit() else None
    if user_id is None or not signature:
        return None
    feed = db.session.get(CalendarFeed, user_id)
    if feed is None or not hmac.compare_digest(signature, _signature(feed.user_id, feed.nonce)):
        return None
    return feed.user_id


def sessions_for(user_id: int, now: datetime | None = None) -> list[m.ClassSession]:
    """Sessions of the classes the person is enrolled in or teaches, from yesterday to half a year on.
    Cancelled ones stay in, marked so, so that a phone that has them takes them out."""
    now = now or utcnow()
    member = select(m.Enrolment.class_id).where(m.Enrolment.user_id == user_id, m.Enrolment.state == m.ENROLLED)
    staff = select(m.ClassStaff.class_id).where(m.ClassStaff.user_id == user_id)
    return list(db.session.scalars(
        select(m.ClassSession).where(or_(m.ClassSession.class_id.in_(member), m.ClassSession.class_id.in_(staff)),
                                     m.ClassSession.ends_at > now - BEHIND, m.ClassSession.starts_at < now + AHEAD)
        .order_by(m.ClassSession.starts_at)))


def feed(user_id: int, host: str, *, product: str, cancelled_word: str) -> bytes:
    """The ``.ics`` text: times in the site's zone (with its VTIMEZONE), one event per session."""
    calendar = Calendar()
    calendar.add("prodid", product)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", product)
    for session in sessions_for(user_id):
        calendar.add_component(_event(session, host, cancelled_word))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _event(session: m.ClassSession, host: str, cancelled_word: str) -> Event:
    event = Event()
    group = session.class_group
    title = f"{group.name} · {session.topic}" if session.topic else group.name
    if session.status == m.CANCELLED:
        title = f"{cancelled_word}: {title}"
        event.add("status", "CANCELLED")
    event.add("uid", f"class-session-{session.id}@{host}")
    event.add("summary", title)
    event.add("dtstart", to_local(session.starts_at))
    event.add("dtend", to_local(session.ends_at))
    event.add("dtstamp", to_local(utcnow()))
    if session.room:
        event.add("location", session.room)
    return event
