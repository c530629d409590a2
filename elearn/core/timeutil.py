"""One notion of "now" for the whole app: naive UTC datetimes, as stored in the database."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def site_time(moment: datetime) -> datetime:
    """A stored (naive UTC) time in the site's time zone (``TIMEZONE``), for showing to people."""
    return moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
