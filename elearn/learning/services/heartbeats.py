"""The player: what it plays, its heartbeats, progress, completion and where to resume.

Functions flush and never commit; they never read ``request``.

Honest progress (``record_heartbeat``): a player reports the intervals it actually played, with the
viewing the playback endpoint started for it. The server keeps each interval, as credited, with the
time it arrived and its viewing (``WatchInterval``, append-only), and merges them into the coverage
of the user's ``LessonProgress``. What it credits is bounded by the viewing's clock and by the
user's clock over all their viewings of the lesson (``viewings.allowance``); every device's report
updates the same progress row under a lock (the caller takes it: see
``core.db.start_locked_transaction``), so the user's clock counts every device.
"""
from __future__ import annotations

import math

import re
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.util import identity_key

from ...core.errors import ServiceError
from ...core.timeutil import local_day, site_zone, utcnow  # noqa: F401  (site_zone: re-exported)
from ...courses import services as courses
from ...courses.models import Chapter, Course, Lesson
from ...extensions import db
from ...video.models import ASSET_BUSY, ASSET_READY, MediaAsset
from ...video.services import lesson_media
from .. import hooks
from .. import intervals as iv
from ..models import LessonProgress, WatchInterval
from . import viewings as vw

#: How often the player reports while playing.
HEARTBEAT_SECONDS = 10
MAX_INTERVALS = 200
#: How many heartbeat ids a progress row remembers for spotting retries.
RECENT_BEATS = 32
BEAT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: Offer to resume only past the first seconds and before the last ones (5 s, or 5 % of a short video).
RESUME_MARGIN_SECONDS = 5
RESUME_MARGIN_SHARE = 0.05


# ---------------------------------------------------------------- statements of the heartbeat

#: Heartbeats are the busiest request: they run prepared plain statements on the session's
#: connection (no unit of work, no statement building) and hold the write lock briefly.
_PROGRESS = LessonProgress.__table__
_INTERVALS = WatchInterval.__table__
_WRITTEN = ("position", "duration", "covered", "covered_seconds", "watched_seconds", "completed_at", "clock_at",
            "recent_beats", "updated_at")
_READY_DURATION = (select(MediaAsset.duration)
                   .where(MediaAsset.lesson_id == bindparam("lesson_id"), MediaAsset.status == ASSET_READY,
                          MediaAsset.retired_at.is_(None))
                   .order_by(MediaAsset.id.desc()).limit(1))
_LOCK_PROGRESS = (select(_PROGRESS).where(_PROGRESS.c.user_id == bindparam("user_id"),
                                          _PROGRESS.c.lesson_id == bindparam("lesson_id")).with_for_update())
_UPDATE_PROGRESS = (update(_PROGRESS).where(_PROGRESS.c.id == bindparam("progress_id"))
                    .values({name: bindparam(f"new_{name}") for name in _WRITTEN}))
_INSERT_INTERVALS = insert(_INTERVALS)


# ---------------------------------------------------------------- time


# ---------------------------------------------------------------- what the player plays

def lesson_for_progress(lesson_id) -> Lesson:
    """``courses.get_lesson`` with the lesson's chapter and course fetched in one query: heartbeats are
    frequent, and the permission check needs the course."""
    lesson = None
    if isinstance(lesson_id, int) or str(lesson_id).isdigit():
        lesson = db.session.scalar(select(Lesson).where(Lesson.id == int(lesson_id))
                                   .options(joinedload(Lesson.chapter).joinedload(Chapter.course)
                                            .lazyload(Course.teachers)))  # only a teacher's check needs them
    return lesson or courses.get_lesson(lesson_id)  # courses' plain 404 for what does not exist


def ready_duration(lesson_id: int) -> float | None:
    """The duration of the video learners get now, or None if there is none."""
    return db.session.connection().execute(_READY_DURATION, {"lesson_id": lesson_id}).scalar()


def playback(lesson) -> dict:
    """What the player needs: the ready video with its signed URLs (``audio_url`` for sound only), the
    captions that can be shown, and whether a video is still being prepared."""
    media = lesson_media(lesson.id)
    video = media["video"]
    if video is not None and not any(video.get(key) for key in ("hls_url", "audio_url", "mp4_url")):
        video = None  # ready, but with nothing a player could open
    pending = media["pending_video"]  # a failed one is not "being prepared": learners would wait forever
    return {"video": video, "preparing": video is None and pending is not None and pending["status"] in ASSET_BUSY,
            "captions": [c for c in media["captions"] if c.get("url")]}


# ---------------------------------------------------------------- heartbeats

def read_heartbeat(body) -> tuple[float | None, list, str | None, str | None]:
    """Check a heartbeat's JSON body: ``position`` (seconds), ``intervals`` ([[start, end], ...]), an
    optional ``beat`` id, the ``viewing`` id. Shapes that make no sense are refused; numbers out of
    range are clamped later; a viewing id of the right shape that is not the caller's credits nothing."""
    if not isinstance(body, dict):
        raise ServiceError("malformed_json", _l("The request body is not valid JSON."), status=400)
    position = body.get("position")
    if position is not None and not _finite(position):
        raise ServiceError("invalid_position", _l("The position must be a number of seconds."), status=400)
    raw = body.get("intervals", [])
    if not isinstance(raw, list):
        raise ServiceError("invalid_intervals", _l("The intervals must be a list of [start, end] pairs."),
                           status=400)
    if len(raw) > MAX_INTERVALS:
        raise ServiceError("too_many_intervals", _l("Too many intervals in one report (at most %(n)d).",
                                                    n=MAX_INTERVALS), status=413)
    pairs = []
    for item in raw:
        if not (isinstance(item, list) and len(item) == 2 and all(_finite(v) for v in item)):
            raise ServiceError("invalid_intervals", _l("The intervals must be a list of [start, end] pairs."),
                               status=400)
        if item[1] < item[0]:
            # Ends before it starts: nothing was watched in it. It is dropped, not refused, so the rest
            # of the report counts (a rule OpenAPI cannot state is one a client cannot be held to).
            continue
        pairs.append((float(item[0]), float(item[1])))
    beat = body.get("beat")
    if beat is not None and not (isinstance(beat, str) and BEAT_ID.match(beat)):
        raise ServiceError("invalid_beat", _l("The heartbeat id is not valid."), status=400)
    viewing = body.get("viewing")
    if viewing is not None and not (isinstance(viewing, str) and vw.VIEWING_ID.match(viewing)):
        raise ServiceError("invalid_viewing", _l("The viewing id is not valid."), status=400)
    return (float(position) if position is not None else None), pairs, beat, viewing


def _finite(value) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int past a float's range (a 401-digit position)
        return False


def record_heartbeat(user, lesson, position: float | None, reported: list, beat: str | None = None,
                     now: datetime | None = None, duration: float | None = None, viewing: str | None = None) -> dict:
    """Store what a player reports for ``lesson`` in its ``viewing`` (the public id) and return the
    user's state in the lesson.

    ``user`` and ``lesson`` are objects or ids (the view passes ids: its objects expired when the
    read transaction ended). Intervals are cut to the video's length, merged, then cut to what the
    clocks allow (``viewings.allowance``); each kept one is stored with the arrival time. A report
    without a viewing of this user and lesson changes nothing and says why (``reason``). A heartbeat
    whose ``beat`` id came recently is a retry: nothing is stored again.
    """
    user_id, lesson_id = getattr(user, "id", user), getattr(lesson, "id", lesson)
    now = now or utcnow()
    duration = duration or ready_duration(lesson_id)
    if not duration:
        raise ServiceError("no_video", _l("This lesson has no video to watch yet."), status=409)
    cleaned = iv.merge(iv.clamp(reported, duration))
    db.session.flush()  # changes still pending in the session come first
    found = vw.locked_viewing(viewing, user_id, lesson_id) if viewing else None
    if found is None:
        return progress_dict(_progress_row(user_id, lesson_id), duration, credited=0.0, clamped=bool(cleaned),
                             reason=vw.UNKNOWN_VIEWING if viewing else vw.NO_VIEWING)
    progress = _locked_progress(user_id, lesson_id, now)
    if beat and beat in (progress.recent_beats or []):
        return progress_dict(progress, duration, credited=0.0, duplicate=True)
    room, clock = vw.allowance(found, progress.clock_at, now)
    credited = iv.within_budget(cleaned, room)
    seconds = sum(e - s for s, e in credited)
    clamped = iv.total(credited) < iv.total(reported) - 0.001  # cut to the video or to the clock
    if credited:
        day = local_day(now)
        db.session.connection().execute(_INSERT_INTERVALS, [
            {"user_id": user_id, "lesson_id": lesson_id, "start_s": start, "end_s": end, "clamped": clamped,
             "received_at": now, "day": day, "beat": beat, "viewing_id": found.id} for start, end in credited])
        progress.clock_at, covered_now = vw.add_credit(found, clock, credited, duration, now)
        if covered_now:  # attendance's business, told after the commit, once per viewing
            hooks.announce_covered(user_id, lesson_id, found.id)
    _apply(progress, credited, position, duration, now)
    if beat:
        progress.recent_beats = ((progress.recent_beats or []) + [beat])[-RECENT_BEATS:]
    db.session.connection().execute(_UPDATE_PROGRESS, {"progress_id": progress.id,
                                                       **{f"new_{name}": getattr(progress, name) for name in _WRITTEN}})
    _expire_loaded(progress.id)
    return progress_dict(progress, duration, credited=seconds, clamped=clamped)


def _progress_row(user_id: int, lesson_id: int) -> LessonProgress | None:
    return db.session.scalar(select(LessonProgress).where(LessonProgress.user_id == user_id,
                                                          LessonProgress.lesson_id == lesson_id))


def _locked_progress(user_id: int, lesson_id: int, now: datetime) -> LessonProgress:
    """The user's row for the lesson, locked until the commit (created if missing, race-free), as a
    detached copy that ``record_heartbeat`` writes back with one UPDATE."""
    key = {"user_id": user_id, "lesson_id": lesson_id}
    row = db.session.connection().execute(_LOCK_PROGRESS, key).mappings().first()
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.execute(insert(_PROGRESS).values(
                    user_id=user_id, lesson_id=lesson_id, position=0.0, covered=[], covered_seconds=0.0,
                    watched_seconds=0.0, recent_beats=[], started_at=now, updated_at=now))
        except IntegrityError:  # another heartbeat created it a moment ago; wait for its lock below
            pass
        row = db.session.connection().execute(_LOCK_PROGRESS, key).mappings().first()
    return LessonProgress(**row)


def _expire_loaded(progress_id: int) -> None:
    """A copy of the row loaded earlier in this session would be stale now."""
    loaded = db.session.identity_map.get(identity_key(LessonProgress, progress_id))
    if loaded is not None:
        db.session.expire(loaded)


def _apply(progress: LessonProgress, credited: list, position: float | None, duration: float, now: datetime) -> None:
    covered = iv.merge([tuple(pair) for pair in progress.covered or []] + credited)
    progress.covered = [[s, e] for s, e in iv.clamp(covered, duration)]
    progress.covered_seconds = round(iv.total(progress.covered), iv.PRECISION)
    progress.watched_seconds = round((progress.watched_seconds or 0.0) + sum(e - s for s, e in credited),
                                     iv.PRECISION)
    progress.duration = duration
    if position is not None:
        progress.position = round(min(max(position, 0.0), duration), iv.PRECISION)
    ratio = current_app.config["LESSON_COMPLETE_RATIO"]
    if progress.completed_at is None and progress.covered_seconds >= ratio * duration - 1e-6:
        progress.completed_at = now
    progress.updated_at = now


def progress_for(user, lesson_id: int) -> LessonProgress | None:
    if not (user and user.is_authenticated):
        return None
    return _progress_row(user.id, lesson_id)


def progress_dict(progress: LessonProgress | None, duration: float | None, **extra) -> dict:
    """The state the API returns: ``coverage`` is the share of the lesson watched at least once (0..1)."""
    if progress is None:
        body = {"position": 0.0, "coverage": 0.0, "covered_seconds": 0.0, "covered": [], "completed": False,
                "completed_at": None, "watched_seconds": 0.0}
    else:
        length = duration or progress.duration
        body = {"position": progress.position, "covered_seconds": progress.covered_seconds,
                "coverage": round(min(1.0, progress.covered_seconds / length), 4) if length else 0.0,
                "covered": progress.covered or [], "completed": progress.completed,
                "completed_at": progress.completed_at.isoformat() + "Z" if progress.completed_at else None,
                "watched_seconds": progress.watched_seconds}
    body["duration"] = duration
    body["resume_at"] = resume_point(progress, duration)
    body.update(extra)
    return body


def resume_point(progress: LessonProgress | None, duration: float | None) -> float | None:
    """Where to offer to continue from, or None when starting from the beginning is the only sense."""
    if progress is None:
        return None
    length = duration or progress.duration
    margin = min(RESUME_MARGIN_SECONDS, RESUME_MARGIN_SHARE * length) if length else RESUME_MARGIN_SECONDS
    if progress.position < margin or (length and progress.position > length - margin):
        return None
    return progress.position


def watched_between(user_id: int, lesson_id: int, start: datetime, end: datetime) -> float:
    """Seconds of ``lesson`` the user watched in reports that arrived in [start, end) (naive UTC)."""
    rows = db.session.execute(select(WatchInterval.start, WatchInterval.end).where(
        WatchInterval.user_id == user_id, WatchInterval.lesson_id == lesson_id,
        WatchInterval.received_at >= start, WatchInterval.received_at < end)).all()
    return iv.total((row.start, row.end) for row in rows)


def neighbours(lesson) -> tuple:
    """The lessons before and after ``lesson`` in its course (None at either end)."""
    lessons = lesson.course.lessons
    index = lessons.index(lesson)
    return (lessons[index - 1] if index > 0 else None,
            lessons[index + 1] if index + 1 < len(lessons) else None)

