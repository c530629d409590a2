"""Viewings: the clock that bounds what a player's reports are credited.

The playback endpoint starts a viewing (``start_viewing``): a row with a random public id and the
server's time. Every report the player sends carries that id, and is credited at most the smaller
of two rooms (``allowance``):

- the viewing's own: 1.5 x (now - its start) + one clock slack, minus what it has been credited
  already. It is cumulative, so back-to-back reports gain nothing beyond the bound (the slack is
  granted once per viewing, not per report), and a backlog sent later (the player was offline) is
  credited by its own viewing's clock, whenever it arrives;
- the user's, over all their viewings of the lesson (two devices at once are still one person):
  ``LessonProgress.clock_at`` is a clock that every credit moves on by credited / 1.5, never from
  before the viewing's start; the room is 1.5 x (now - that clock) + the slack. The slack is an
  overdraft spent once, not a gift per report.

Reports without a viewing of this user and lesson are answered (200, see ``NO_CREDIT``) but credit
nothing: the player's offline queue then drops them as answered instead of retrying forever.
Functions flush and never commit; heartbeats run them under the write lock (the progress row's).
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, func, select, update

from ...core.timeutil import utcnow
from ...extensions import db
from .. import intervals as iv
from ..models import MAX_PLAYBACK_RATE, Viewing, WatchInterval

#: Network jitter and the time the playback request took: granted once per viewing.
CLOCK_SLACK_SECONDS = 2.0
#: What a viewing's public id looks like (``secrets.token_urlsafe(16)`` makes 22 of these characters).
VIEWING_ID = re.compile(r"^[A-Za-z0-9_-]{16,32}$")
#: ``reason`` in the answer to a report that credited nothing because of its viewing.
NO_VIEWING, UNKNOWN_VIEWING = "no_viewing", "unknown_viewing"
NO_CREDIT = (NO_VIEWING, UNKNOWN_VIEWING)

_VIEWINGS = Viewing.__table__
#: The viewing, locked before the progress row (every heartbeat takes them in this order).
_LOCK_VIEWING = (select(_VIEWINGS.c.id, _VIEWINGS.c.started_at, _VIEWINGS.c.credited_seconds, _VIEWINGS.c.covered)
                 .where(_VIEWINGS.c.public_id == bindparam("public_id"), _VIEWINGS.c.user_id == bindparam("user_id"),
                        _VIEWINGS.c.lesson_id == bindparam("lesson_id")).with_for_update())
_ADD_CREDIT = (update(_VIEWINGS).where(_VIEWINGS.c.id == bindparam("viewing_id"))
               .values(credited_seconds=_VIEWINGS.c.credited_seconds + bindparam("seconds"),
                       covered=bindparam("covered", type_=_VIEWINGS.c.covered.type),
                       covered_at=func.coalesce(_VIEWINGS.c.covered_at,
                                                bindparam("covered_at", type_=_VIEWINGS.c.covered_at.type))))


def start_viewing(user, lesson, now: datetime | None = None, going_on: str | None = None) -> Viewing:
    """A new viewing of ``lesson`` by ``user`` (objects or ids), started by the server's clock; or, when
    ``going_on`` is the public id of this user's viewing of this lesson (a player renewing its links
    mid-playing), that viewing: renewals do not leave a trail of viewings nothing ever reports in."""
    if going_on and VIEWING_ID.match(going_on):
        kept = db.session.scalar(select(Viewing).where(
            Viewing.public_id == going_on, Viewing.user_id == getattr(user, "id", user),
            Viewing.lesson_id == getattr(lesson, "id", lesson)))
        if kept is not None:
            return kept
    viewing = Viewing(public_id=secrets.token_urlsafe(16), user_id=getattr(user, "id", user),
                      lesson_id=getattr(lesson, "id", lesson), started_at=now or utcnow(), credited_seconds=0.0)
    db.session.add(viewing)
    db.session.flush()
    return viewing


def locked_viewing(public_id: str, user_id: int, lesson_id: int):
    """The row (id, started_at, credited_seconds) of this user's viewing of this lesson, or None."""
    return db.session.connection().execute(
        _LOCK_VIEWING, {"public_id": public_id, "user_id": user_id, "lesson_id": lesson_id}).first()


def allowance(viewing, clock_at: datetime | None, now: datetime) -> tuple[float, datetime]:
    """Seconds a report of ``viewing`` may be credited at ``now``, and the user's clock it counts from."""
    rate = MAX_PLAYBACK_RATE
    since_start = max(0.0, (now - viewing.started_at).total_seconds())
    viewing_room = rate * since_start + CLOCK_SLACK_SECONDS - (viewing.credited_seconds or 0.0)
    clock = max(clock_at, viewing.started_at) if clock_at else viewing.started_at
    user_room = rate * (now - clock).total_seconds() + CLOCK_SLACK_SECONDS
    return max(0.0, min(viewing_room, user_room)), clock


def add_credit(viewing, clock: datetime, credited: list, duration: float, now: datetime) -> tuple[datetime, bool]:
    """Count the ``credited`` intervals against the viewing, in the same UPDATE as ever; returns the
    user's clock moved on by them, and whether the viewing's unique coverage of the lesson has just
    reached ``ATTENDANCE_ONLINE_COVERAGE`` (before and after compared here, so no query is added)."""
    seconds = sum(e - s for s, e in credited)
    before = [tuple(pair) for pair in viewing.covered or []]
    after = iv.clamp(iv.merge(before + list(credited)), duration)
    threshold = current_app.config["ATTENDANCE_ONLINE_COVERAGE"] * duration - 1e-6
    crossed = iv.total(before) < threshold <= iv.total(after)
    db.session.connection().execute(_ADD_CREDIT, {"viewing_id": viewing.id, "seconds": seconds,
                                                  "covered": [[s, e] for s, e in after],
                                                  "covered_at": now if crossed else None})
    return clock + timedelta(seconds=seconds / MAX_PLAYBACK_RATE), crossed


def viewings_of(user, lesson) -> list[dict]:
    """The user's viewings of the lesson, oldest first: each one's public ``id``, ``started_at`` (naive
    UTC, the server's clock), ``covered_seconds`` (what it credited, each second once) and
    ``credited_seconds`` (re-watching included). Attendance attributes watching by the start."""
    user_id, lesson_id = getattr(user, "id", user), getattr(lesson, "id", lesson)
    viewings = db.session.scalars(select(Viewing).where(Viewing.user_id == user_id, Viewing.lesson_id == lesson_id)
                                  .order_by(Viewing.started_at, Viewing.id)).all()
    pieces: dict[int, list] = {viewing.id: [] for viewing in viewings}
    if viewings:
        rows = db.session.execute(select(WatchInterval.viewing_id, WatchInterval.start, WatchInterval.end).where(
            WatchInterval.user_id == user_id, WatchInterval.lesson_id == lesson_id,
            WatchInterval.viewing_id.in_(list(pieces)))).all()
        for row in rows:
            pieces[row.viewing_id].append((row.start, row.end))
    return [{"id": viewing.public_id, "started_at": viewing.started_at,
             "covered_seconds": round(iv.total(pieces[viewing.id]), iv.PRECISION),
             "credited_seconds": viewing.credited_seconds} for viewing in viewings]
