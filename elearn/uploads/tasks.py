"""Housekeeping of uploads: abandoned ones expire, stray bytes are swept up."""
from __future__ import annotations

from huey import crontab

from ..core.jobs import periodic
from ..extensions import db
from . import tus


@periodic(crontab(minute="23"))
def expire_uploads_task() -> int:
    """Hourly: abandoned uploads expire 24 hours after their last byte (the Upload-Expires header)."""
    removed = tus.expire_uploads()
    db.session.commit()
    return removed + tus.remove_orphan_parts()
