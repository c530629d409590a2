"""One notion of "now" for the whole app: naive UTC datetimes, as stored in the database."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def site_zone():
    """The site's time zone (``TIMEZONE``), where days, weeks and class times are counted."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def from_site_time(day, clock) -> datetime:
    """A day and a clock time on the site's wall clock, as naive UTC for the database."""
    return datetime.combine(day, clock, tzinfo=site_zone()).astimezone(timezone.utc).replace(tzinfo=None)


def to_site_time(moment: datetime) -> datetime:
    """A naive UTC time from the database, on the site's wall clock (aware)."""
    return moment.replace(tzinfo=timezone.utc).astimezone(site_zone())
