"""Housekeeping of accounts."""
from __future__ import annotations

from huey import crontab

from ..core.jobs import periodic
from ..extensions import db
from . import issued
from .sessions import purge_old_sessions
from .signin import purge_old_attempts


@periodic(crontab(minute="17"))
def purge_login_attempts() -> int:
    """Drop login attempts older than two days: throttling only looks back one window (15 minutes)."""
    removed = purge_old_attempts()
    db.session.commit()
    return removed


@periodic(crontab(minute="47"))
def purge_device_sessions() -> int:
    """Drop device sessions that ended or expired over a week ago (the device list shows only live ones)."""
    removed = purge_old_sessions()
    db.session.commit()
    return removed


@periodic(crontab(minute="*/5"))
def forget_shown_codes() -> int:
    """Clear the plain codes kept for the page that issued them once their time is up."""
    cleared = issued.forget_old_codes()
    db.session.commit()
    return cleared
