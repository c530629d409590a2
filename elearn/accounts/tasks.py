"""Housekeeping of accounts."""
from __future__ import annotations

from huey import crontab

from ..core.jobs import periodic
from ..extensions import db
from .signin import purge_old_attempts


@periodic(crontab(minute="17"))
def purge_login_attempts() -> int:
    """Drop login attempts older than two days: throttling only looks back one window (15 minutes)."""
    removed = purge_old_attempts()
    db.session.commit()
    return removed
