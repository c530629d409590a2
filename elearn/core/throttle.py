"""A small rate limit for public pages that are not sign-in (sign-in has its own, in accounts.signin):
at most ``limit`` requests per ``window`` for one key (an address), counted in the database so that
the limit holds across gunicorn workers and machines.

``hit`` records the request or refuses it with a 429 whose ``retry_after`` says when the oldest
counted request leaves the window (the error pages turn that into a Retry-After header). Refused
requests are not counted, so knocking while refused does not lengthen the wait. Plain functions
that flush, never commit: call them inside the view's unit of work (``locked=True`` on SQLite, so
two workers cannot both read "one left").
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask_babel import ngettext
from huey import crontab
from sqlalchemy import delete, func, select

from ..extensions import db
from .errors import ServiceError
from .jobs import periodic
from .models import ThrottleHit
from .timeutil import utcnow


def hit(bucket: str, key: str, *, limit: int, window: timedelta, now: datetime | None = None) -> None:
    """Count one request of ``key`` in ``bucket``, or raise a 429 when it has had ``limit`` already."""
    now = now or utcnow()
    since = now - window
    key = (key or "unknown")[:64]
    # Rows that left the window count for nothing: drop this key's, so the table stays small.
    db.session.execute(delete(ThrottleHit).where(ThrottleHit.bucket == bucket, ThrottleHit.key == key,
                                                 ThrottleHit.created_at <= since))
    count, oldest = db.session.execute(
        select(func.count(), func.min(ThrottleHit.created_at))
        .where(ThrottleHit.bucket == bucket, ThrottleHit.key == key, ThrottleHit.created_at > since)).one()
    if count >= limit:
        wait = max(1, math.ceil((oldest + window - now).total_seconds()))
        raise ServiceError("too_many_requests", ngettext(
            "Too many look-ups from this network. Please wait %(num)d second and try again.",
            "Too many look-ups from this network. Please wait %(num)d seconds and try again.", wait),
            status=429, retry_after=wait)
    db.session.add(ThrottleHit(bucket=bucket[:32], key=key, created_at=now))
    db.session.flush()


def purge(older_than: timedelta = timedelta(days=1)) -> int:
    """Drop every row older than any window in use (keys that never came back)."""
    result = db.session.execute(delete(ThrottleHit).where(ThrottleHit.created_at < utcnow() - older_than))
    return result.rowcount or 0


@periodic(crontab(minute="23"))
def purge_throttle_hits() -> int:
    """Hourly: the rows of addresses that did not come back (each key's own are dropped as it returns)."""
    removed = purge()
    db.session.commit()
    return removed
