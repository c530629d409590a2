"""QR self check-in: a code that changes every 30 s, checked at the moment it is scanned.

The classroom screen shows ``current_code``; the phone that scans it opens the check-in page, where
``scan`` checks the code there and then and hands back a grant that carries the scan time. The grant
has no deadline of its own (DESIGN.md: a code is checked when scanned, and what follows has none),
so a sign-in in WeChat's browser in between changes nothing; ``check_in`` then judges membership and
the window by the scan time. A photo of an old code fails at ``scan``; a second scan, or two phones
of one person, end in the same single record.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer

from ..core.errors import Forbidden, ServiceError
from ..core.timeutil import utcnow
from ..extensions import db
from . import models as m
from .hooks import worded
from .permissions import can_check_in
from .services import mark, record_for, window

#: A shown code changes every ``SLOT_SECONDS``; the one shown just before is still accepted, so a
#: scan a moment before the change works.
SLOT_SECONDS = 30
_EPOCH = datetime(2000, 1, 1)


def _slot(now: datetime) -> int:
    return int((now - _EPOCH).total_seconds() // SLOT_SECONDS)


def _signature(event: m.AttendanceEvent, slot: int) -> str:
    key = (current_app.config["SECRET_KEY"] + event.checkin_secret).encode()
    return hmac.new(key, f"checkin:{event.id}:{slot}".encode(), hashlib.sha256).hexdigest()[:16]


def current_code(event: m.AttendanceEvent, now: datetime | None = None) -> str:
    slot = _slot(now or utcnow())
    return f"{event.id}-{slot}-{_signature(event, slot)}"


def seconds_until_change(now: datetime | None = None) -> float:
    now = now or utcnow()
    return SLOT_SECONDS - (now - _EPOCH).total_seconds() % SLOT_SECONDS


#: What a shown code looks like (the API document states it); one that matches may still be old or forged: 404.
CODE_PATTERN = r"^[0-9]{1,10}-[0-9]{1,12}-[0-9a-f]{16}$"


def _refuse_code():
    return ServiceError("bad_code", _l(
        "This check-in code is not valid any more. Please scan the code on the classroom screen again."), status=404)


def scan(code: str, now: datetime | None = None) -> str:
    """Check a scanned code now; returns the grant for ``check_in``."""
    now = now or utcnow()
    try:
        event_id, slot, signature = str(code).split("-")
        event_id, slot = int(event_id), int(slot)
    except ValueError:
        raise _refuse_code() from None
    if not (0 < event_id < 2**31) or _slot(now) - slot not in (0, 1):
        raise _refuse_code()
    event = db.session.get(m.AttendanceEvent, event_id)
    if event is None or not hmac.compare_digest(signature, _signature(event, slot)):
        raise _refuse_code()
    _check_open(event, now)
    return _grants().dumps({"e": event.id, "t": now.isoformat(timespec="seconds"), "s": event.checkin_secret[:8]})


def _check_open(event: m.AttendanceEvent, at: datetime) -> None:
    if event.cancelled_at is not None:
        raise ServiceError("event_cancelled", _l("This session was cancelled."), status=409)
    opens, closes = window(event)
    if not opens <= at <= closes:
        raise ServiceError("outside_window", worded(event, "checkin_closed", _l(
            "Check-in is open from %(before)d minutes before the session until %(after)d minutes after it.",
            before=event.opens_before_minutes, after=event.closes_after_minutes)), status=409)


def _grants() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="attendance-checkin")


def read_grant(grant: str) -> tuple[m.AttendanceEvent, datetime]:
    try:
        data = _grants().loads(grant)
        event = db.session.get(m.AttendanceEvent, int(data["e"]))
        scanned_at = datetime.fromisoformat(data["t"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise _refuse_code() from None
    # A rescheduled or cancelled event has a new secret: grants from before are void.
    if event is None or not event.checkin_secret.startswith(data.get("s", "-")):
        raise _refuse_code()
    return event, scanned_at


def check_in(grant: str, user, now: datetime | None = None) -> tuple[m.AttendanceRecord, bool]:
    """Check ``user`` in by a grant from ``scan``; returns (record, whether this call marked them)."""
    now = now or utcnow()
    event, scanned_at = read_grant(grant)
    _check_open(event, scanned_at)
    if not can_check_in(user, event):
        raise Forbidden("not_member", worded(event, "checkin_not_listed", _l(
            "You are not on the list for this session, so you cannot check in to it.")))
    record = record_for(event, user.id)
    if record is not None and record.status in m.ATTENDED:
        return record, False
    late = event.late_after_minutes is not None and scanned_at > event.starts_at + timedelta(
        minutes=event.late_after_minutes)
    record = mark(event, user.id, m.LATE if late else m.PRESENT, actor=user, source=m.BY_SELF,
                  made_at=scanned_at, now=now)
    return record, True
