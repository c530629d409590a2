"""One notion of "now" for the whole app (naive UTC datetimes, as stored in the database), and
the site's time zone (``TIMEZONE``) for every time a person reads: the ``localtime`` filter."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_datetime, get_locale

#: Patterns per language: Chinese readers expect 2026年12月1日 16:36, not 2026-12-01 08:36 UTC.
PATTERNS = {
    "zh": {"datetime": "y年M月d日 HH:mm", "seconds": "y年M月d日 HH:mm:ss", "date": "y年M月d日", "time": "HH:mm",
           "weekday": "M月d日 EEE HH:mm"},
    "en": {"datetime": "d MMM y, HH:mm", "seconds": "d MMM y, HH:mm:ss", "date": "d MMM y", "time": "HH:mm",
           "weekday": "EEE d MMM, HH:mm"},
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def site_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def from_site_time(day, clock) -> datetime:
    """A day and a clock time on the site's wall clock, as naive UTC for the database."""
    return datetime.combine(day, clock, tzinfo=site_zone()).astimezone(timezone.utc).replace(tzinfo=None)


def to_local(moment: datetime) -> datetime:
    """A naive-UTC ``moment`` (or an aware one) as an aware datetime in the site's zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(site_zone())


def local_day(moment: datetime) -> date:
    """The site's calendar day of a naive-UTC ``moment``."""
    return to_local(moment).date()


def localtime(moment: datetime | date | None, style: str = "datetime") -> str:
    """``moment`` written for the reader, in the site's zone and the page's language (Jinja ``localtime``).

    ``style``: "datetime", "seconds", "date", "time" or "weekday" (a class session: 「3月2日 周二 09:00」).
    A plain ``date`` is a calendar day already.
    """
    if moment is None:
        return ""
    locale = get_locale()
    pattern = PATTERNS.get(locale.language if locale else "zh", PATTERNS["en"])[style]
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, 12, tzinfo=site_zone())
    return format_datetime(to_local(moment), pattern, rebase=False)


def init_app(app) -> None:
    app.add_template_filter(localtime, "localtime")
