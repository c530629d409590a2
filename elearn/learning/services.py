"""Progress, resume, completion, preferences and the learning record: the work behind the player.

Functions flush and never commit; they never read ``request``.

Honest progress (``record_heartbeat``): a player reports the intervals it actually played. The
server keeps each one, as credited, with the time it arrived (``WatchInterval``, append-only),
and merges them into the coverage of the user's ``LessonProgress``. What it credits is bounded
by the clock: since the user's previous heartbeat for the lesson, at most that much wall-clock
time at the fastest speed (1.5x) plus a little slack for network jitter, summed over every
device, because every device's heartbeat updates the same row under a lock (the caller takes it:
see ``core.db.start_locked_transaction``).
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.util import identity_key

from ..core.errors import ServiceError
from ..core.timeutil import utcnow
from ..courses import services as courses
from ..courses.models import Chapter, Course, Lesson
from ..courses.permissions import can_view_lesson
from ..extensions import db
from ..video.models import ASSET_READY, MediaAsset
from ..video.services import lesson_media
from . import intervals as iv
from .models import (CAPTION_SIZES, MAX_PLAYBACK_RATE, PLAYBACK_RATES, LearningPreference, LessonProgress,
                     WatchInterval)

#: How often the player reports while playing; the first heartbeat of a lesson may credit this much.
HEARTBEAT_SECONDS = 10
FIRST_ALLOWANCE = HEARTBEAT_SECONDS * MAX_PLAYBACK_RATE
#: Network jitter: a heartbeat may arrive this much sooner after the previous one than it was sent.
CLOCK_SLACK_SECONDS = 2.0
MAX_INTERVALS = 200
#: How many heartbeat ids a progress row remembers for spotting retries.
RECENT_BEATS = 32
_BEAT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
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
                   .where(MediaAsset.lesson_id == bindparam("lesson_id"), MediaAsset.status == ASSET_READY)
                   .order_by(MediaAsset.id.desc()).limit(1))
_LOCK_PROGRESS = (select(_PROGRESS).where(_PROGRESS.c.user_id == bindparam("user_id"),
                                          _PROGRESS.c.lesson_id == bindparam("lesson_id")).with_for_update())
_UPDATE_PROGRESS = (update(_PROGRESS).where(_PROGRESS.c.id == bindparam("progress_id"))
                    .values({name: bindparam(f"new_{name}") for name in _WRITTEN}))
_INSERT_INTERVALS = insert(_INTERVALS)


# ---------------------------------------------------------------- time

def site_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def local_day(moment: datetime) -> date:
    """The site's calendar day of a naive-UTC ``moment``."""
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(site_zone()).date()


# ---------------------------------------------------------------- preferences

def get_preferences(user) -> LearningPreference:
    """The user's player settings (defaults, not stored, until they change one)."""
    prefs = db.session.get(LearningPreference, user.id) if user and user.is_authenticated else None
    return prefs or LearningPreference(playback_rate=1.0, captions_on=True, caption_size="medium",
                                       autoplay_next=False)


def preferences_dict(prefs: LearningPreference) -> dict:
    return {"playback_rate": prefs.playback_rate, "captions_on": prefs.captions_on,
            "caption_size": prefs.caption_size, "autoplay_next": prefs.autoplay_next}


def set_preferences(user, **changes) -> LearningPreference:
    """Change some of ``playback_rate``, ``captions_on``, ``caption_size``, ``autoplay_next``."""
    prefs = db.session.get(LearningPreference, user.id)
    if prefs is None:
        prefs = LearningPreference(user_id=user.id, playback_rate=1.0, captions_on=True, caption_size="medium",
                                   autoplay_next=False)
        db.session.add(prefs)
    for name, value in changes.items():
        if value is None:
            continue
        if name == "playback_rate":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or float(value) not in PLAYBACK_RATES:
                raise ServiceError("invalid_speed", _l("Please choose one of the speeds offered."), status=400,
                                   field=name)
            prefs.playback_rate = float(value)
        elif name == "caption_size":
            if value not in CAPTION_SIZES:
                raise ServiceError("invalid_caption_size", _l("Please choose one of the caption sizes offered."),
                                   status=400, field=name)
            prefs.caption_size = value
        elif name in ("captions_on", "autoplay_next"):
            if not isinstance(value, bool):
                raise ServiceError("invalid_choice", _l("Please answer yes or no."), status=400, field=name)
            setattr(prefs, name, value)
        else:
            raise ServiceError("unknown_setting", _l("There is no such setting."), status=400, field=name)
    db.session.flush()
    return prefs


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
    return {"video": video, "preparing": video is None and media["pending_video"] is not None,
            "captions": [c for c in media["captions"] if c.get("url")]}


# ---------------------------------------------------------------- heartbeats

def read_heartbeat(body) -> tuple[float | None, list, str | None]:
    """Check a heartbeat's JSON body: ``position`` (seconds), ``intervals`` ([[start, end], ...]), an
    optional ``beat`` id. Shapes that make no sense are refused; numbers out of range are clamped later."""
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
            raise ServiceError("reversed_interval", _l("An interval ends before it starts."), status=400)
        pairs.append((float(item[0]), float(item[1])))
    beat = body.get("beat")
    if beat is not None and not (isinstance(beat, str) and _BEAT.match(beat)):
        raise ServiceError("invalid_beat", _l("The heartbeat id is not valid."), status=400)
    return (float(position) if position is not None else None), pairs, beat


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def record_heartbeat(user, lesson, position: float | None, reported: list, beat: str | None = None,
                     now: datetime | None = None, duration: float | None = None) -> dict:
    """Store what a player reports for ``lesson`` and return the user's state in it.

    ``user`` and ``lesson`` are objects or ids (the view passes ids: its objects expired when the
    read transaction ended). Intervals are cut to the video's length, merged, then cut to the clock's
    allowance; each kept one is stored with the arrival time. A heartbeat whose ``beat`` id came
    recently is a retry: nothing is stored again.
    """
    user_id, lesson_id = getattr(user, "id", user), getattr(lesson, "id", lesson)
    now = now or utcnow()
    duration = duration or ready_duration(lesson_id)
    if not duration:
        raise ServiceError("no_video", _l("This lesson has no video to watch yet."), status=409)
    cleaned = iv.merge(iv.clamp(reported, duration))
    progress = _locked_progress(user_id, lesson_id, now)
    if beat and beat in (progress.recent_beats or []):
        return progress_dict(progress, duration, credited=0.0, duplicate=True)
    allowance = FIRST_ALLOWANCE if progress.clock_at is None else \
        max(0.0, (now - progress.clock_at).total_seconds()) * MAX_PLAYBACK_RATE
    credited = iv.within_budget(cleaned, allowance + CLOCK_SLACK_SECONDS)
    clamped = iv.total(credited) < iv.total(reported) - 0.001  # cut to the video or to the clock
    connection = db.session.connection()
    if credited:
        day = local_day(now)
        connection.execute(_INSERT_INTERVALS, [
            {"user_id": user_id, "lesson_id": lesson_id, "start_s": start, "end_s": end, "clamped": clamped,
             "received_at": now, "day": day, "beat": beat} for start, end in credited])
    _apply(progress, credited, position, duration, now)
    if credited or progress.clock_at is None:
        progress.clock_at = now
    if beat:
        progress.recent_beats = ((progress.recent_beats or []) + [beat])[-RECENT_BEATS:]
    connection.execute(_UPDATE_PROGRESS, {"progress_id": progress.id,
                                          **{f"new_{name}": getattr(progress, name) for name in _WRITTEN}})
    _expire_loaded(progress.id)
    return progress_dict(progress, duration, credited=sum(e - s for s, e in credited), clamped=clamped)




def _locked_progress(user_id: int, lesson_id: int, now: datetime) -> LessonProgress:
    """The user's row for the lesson, locked until the commit (created if missing, race-free), as a
    detached copy that ``record_heartbeat`` writes back with one UPDATE."""
    db.session.flush()  # changes still pending in the session come first
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
    return db.session.scalar(select(LessonProgress).where(LessonProgress.user_id == user.id,
                                                          LessonProgress.lesson_id == lesson_id))


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


# ---------------------------------------------------------------- courses, home page, continue

def _completed_lesson_ids(user_id: int, lesson_ids) -> set[int]:
    if not lesson_ids:
        return set()
    return set(db.session.scalars(select(LessonProgress.lesson_id).where(
        LessonProgress.user_id == user_id, LessonProgress.lesson_id.in_(list(lesson_ids)),
        LessonProgress.completed_at.is_not(None))))


def course_progress(user, course: Course, completed: set[int] | None = None) -> dict:
    """A course's progress for ``user``: the share of its lessons completed."""
    lessons = course.lessons
    ids = [lesson.id for lesson in lessons]
    done = (completed if completed is not None else _completed_lesson_ids(user.id, ids)) & set(ids)
    total = len(ids)
    return {"course": course, "lessons": total, "completed": len(done),
            "percent": round(100 * len(done) / total) if total else 0, "finished": bool(total) and len(done) == total}


def my_courses(user) -> list[dict]:
    """The courses ``user`` has started, most recently watched first, each with its progress."""
    if not (user and user.is_authenticated):
        return []
    rows = db.session.execute(
        select(Chapter.course_id, func.max(LessonProgress.updated_at).label("last"))
        .join(Lesson, Lesson.id == LessonProgress.lesson_id).join(Chapter, Chapter.id == Lesson.chapter_id)
        .where(LessonProgress.user_id == user.id).group_by(Chapter.course_id)
        .order_by(func.max(LessonProgress.updated_at).desc())).all()
    result = []
    from ..courses.permissions import can_view_course

    completed = set(db.session.scalars(select(LessonProgress.lesson_id).where(
        LessonProgress.user_id == user.id, LessonProgress.completed_at.is_not(None))))
    for row in rows:
        course = db.session.get(Course, row.course_id)
        if course is not None and can_view_course(user, course):
            result.append(dict(course_progress(user, course, completed), last_watched=row.last))
    return result


def continue_target(user) -> dict | None:
    """The lesson the 「继续学习」 button opens: the most recently watched unfinished lesson, or the
    first unfinished lesson after a finished one in the same course. None if there is nothing to continue."""
    if not (user and user.is_authenticated):
        return None
    recent = db.session.scalars(select(LessonProgress).where(LessonProgress.user_id == user.id)
                                .order_by(LessonProgress.updated_at.desc(), LessonProgress.id.desc()).limit(50))
    for progress in recent:
        lesson = db.session.get(Lesson, progress.lesson_id)
        if lesson is None or not can_view_lesson(user, lesson):
            continue
        if not progress.completed:
            return {"lesson": lesson, "resume_at": resume_point(progress, progress.duration)}
        following = _next_unfinished(user, lesson)
        if following is not None:
            return following
    return None


def _next_unfinished(user, lesson) -> dict | None:
    lessons = lesson.course.lessons
    later = lessons[lessons.index(lesson) + 1:]
    done = _completed_lesson_ids(user.id, [item.id for item in later])
    for item in later:
        if item.id not in done:
            progress = progress_for(user, item.id)
            return {"lesson": item, "resume_at": resume_point(progress, progress.duration if progress else None)}
    return None


def home(user) -> dict:
    """The home page: what to continue, the courses started, and the catalogue by category."""
    categories = courses.list_categories()
    visible = courses.visible_courses(user, published_only=True)
    groups = [(c, [course for course in visible if course.category_id == c.id]) for c in categories]
    return {"continue_with": continue_target(user), "my_courses": my_courses(user),
            "groups": [group for group in groups if group[1]]}


def neighbours(lesson) -> tuple:
    lessons = lesson.course.lessons
    index = lessons.index(lesson)
    return (lessons[index - 1] if index > 0 else None,
            lessons[index + 1] if index + 1 < len(lessons) else None)


# ---------------------------------------------------------------- the learning record

def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def minutes_by_period(user_id: int, today: date, weeks: int = 52, months: int = 12) -> dict:
    """Minutes watched per week (Monday first) and per calendar month, oldest first, over the last year."""
    first_week = week_start(today) - timedelta(weeks=weeks - 1)
    first_month = _month_start(today, months - 1)
    since = min(first_week, first_month)
    rows = db.session.execute(select(WatchInterval.day, func.sum(WatchInterval.end - WatchInterval.start))
                              .where(WatchInterval.user_id == user_id, WatchInterval.day >= since)
                              .group_by(WatchInterval.day)).all()
    by_week = {first_week + timedelta(weeks=n): 0.0 for n in range(weeks)}
    by_month = {_month_start(today, back): 0.0 for back in range(months - 1, -1, -1)}
    for day, seconds in rows:
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        if week_start(day) in by_week:
            by_week[week_start(day)] += seconds or 0.0
        if day.replace(day=1) in by_month:
            by_month[day.replace(day=1)] += seconds or 0.0
    return {"weeks": [{"start": key, "minutes": round(value / 60, 1)} for key, value in by_week.items()],
            "months": [{"start": key, "minutes": round(value / 60, 1)} for key, value in by_month.items()]}


def learning_record(user, today: date | None = None) -> dict:
    """「我的学习」: minutes per week and month, lessons completed, courses in progress and finished."""
    today = today or local_day(utcnow())
    periods = minutes_by_period(user.id, today)
    started = my_courses(user)
    completed = db.session.execute(
        select(LessonProgress.lesson_id, LessonProgress.completed_at)
        .where(LessonProgress.user_id == user.id, LessonProgress.completed_at.is_not(None))
        .order_by(LessonProgress.completed_at.desc())).all()
    lessons = [(db.session.get(Lesson, row.lesson_id), row.completed_at) for row in completed[:10]]
    return {
        "weeks": periods["weeks"], "months": periods["months"],
        "minutes_last_year": round(sum(w["minutes"] for w in periods["months"]), 1),
        "lessons_completed": len(completed),
        "recent_lessons": [{"lesson": lesson, "completed_at": at, "completed_on": local_day(at)} for lesson, at in lessons
                           if lesson is not None and can_view_lesson(user, lesson)],
        "courses_in_progress": [c for c in started if not c["finished"]],
        "courses_finished": [c for c in started if c["finished"]],
    }


def course_figures(courses_list) -> list[dict]:
    """Per-course figures for teachers and admins: learners, lessons completed, finishers, minutes."""
    ids = [course.id for course in courses_list]
    if not ids:
        return []
    per_user = db.session.execute(
        select(Chapter.course_id, LessonProgress.user_id, func.count(LessonProgress.completed_at))
        .join(Lesson, Lesson.id == LessonProgress.lesson_id).join(Chapter, Chapter.id == Lesson.chapter_id)
        .where(Chapter.course_id.in_(ids)).group_by(Chapter.course_id, LessonProgress.user_id)).all()
    seconds = dict(db.session.execute(
        select(Chapter.course_id, func.sum(WatchInterval.end - WatchInterval.start))
        .join(Lesson, Lesson.id == WatchInterval.lesson_id).join(Chapter, Chapter.id == Lesson.chapter_id)
        .where(Chapter.course_id.in_(ids)).group_by(Chapter.course_id)).all())
    figures = []
    for course in courses_list:
        total = len(course.lessons)
        mine = [done for course_id, _user, done in per_user if course_id == course.id]
        figures.append({"course": course, "lessons": total, "learners": len(mine),
                        "lessons_completed": sum(mine),
                        "learners_finished": sum(1 for done in mine if total and done >= total),
                        "minutes": round((seconds.get(course.id) or 0.0) / 60, 1)})
    return figures
