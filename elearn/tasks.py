"""Housekeeping tasks that belong to no single feature."""
from __future__ import annotations

from huey import crontab

from .core.jobs import periodic
from .extensions import db
from .video import tasks as video_tasks  # noqa: F401  (registers the transcoding tasks)


@periodic(crontab(minute="17"))
def purge_login_attempts() -> int:
    """Drop login attempts older than two days: throttling only looks back 30 minutes."""
    from .accounts.services import purge_old_attempts

    removed = purge_old_attempts()
    db.session.commit()
    return removed
