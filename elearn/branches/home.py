"""The reminder on a member's home page: the branch activities they are expected at from now to the
end of tomorrow (the site's calendar day), so that it shows the day before and on the day itself."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import render_template
from markupsafe import Markup
from sqlalchemy import select

from ..attendance import services as attendance
from ..core.permissions import is_signed_in
from ..core.timeutil import from_site_time, local_day, utcnow
from ..extensions import db
from . import models as m
from .activities import activity_name
from .roster import EVENT_KIND, activity_roster


def coming_activities(user, now: datetime | None = None) -> list[m.Activity]:
    """Activities of the user's branches not over yet and starting before tomorrow ends, not
    cancelled, whose expected roster includes the user (a committee meeting is not a member's)."""
    now = now or utcnow()
    until = from_site_time(local_day(now) + timedelta(days=2), time(0))
    branches = select(m.BranchMember.branch_id).where(m.BranchMember.user_id == user.id,
                                                      m.BranchMember.left_at.is_(None))
    found = []
    for activity in db.session.scalars(
            select(m.Activity).where(m.Activity.branch_id.in_(branches), m.Activity.ends_at > now,
                                     m.Activity.starts_at < until).order_by(m.Activity.starts_at)):
        event = attendance.event_for(EVENT_KIND, activity.id)
        if event is not None and event.cancelled_at is None and user.id in activity_roster(event):
            found.append(activity)
    return found


def reminder_panel(user):
    """Home panel: 「支部活动提醒」, or nothing when there is no activity to remind of."""
    if not is_signed_in(user):
        return None
    activities = coming_activities(user)
    if not activities:
        return None
    return Markup(render_template("branches/_home_panel.html", activities=activities, activity_name=activity_name))
