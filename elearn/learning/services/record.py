"""The home page, 「继续学习」, the learning record and the figures teachers see of their courses.

Functions flush and never commit. Courses and lessons are fetched a few queries at a time, filtered
by ``courses.permissions.visible_clause`` in SQL, never one row per course or lesson: the number of
queries does not grow with the number of courses a learner has started.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from ...core.timeutil import utcnow
from ...courses import services as courses
from ...courses.models import Chapter, Course, Lesson
from ...courses.permissions import visible_clause
from ...extensions import db
from ...video.models import ASSET_READY, MediaAsset
from ..models import LessonProgress, WatchInterval
from .heartbeats import local_day, progress_for, resume_point


# ---------------------------------------------------------------- look-ups

def _completed_lesson_ids(user_id: int, lesson_ids=None) -> set[int]:
    """The lessons the user has completed (among ``lesson_ids`` if given), in one query."""
    query = select(LessonProgress.lesson_id).where(LessonProgress.user_id == user_id,
                                                   LessonProgress.completed_at.is_not(None))
    if lesson_ids is not None:
        query = query.where(LessonProgress.lesson_id.in_(list(lesson_ids)))
    return set(db.session.scalars(query))


def _visible_lessons(user, lesson_ids, *, outline: bool = False) -> dict[int, Lesson]:
    """The lessons among ``lesson_ids`` that ``user`` may see, by id, with their chapter and course
    (and, with ``outline``, every lesson of those courses) loaded in the same few queries."""
    if not lesson_ids:
        return {}
    course_path = contains_eager(Lesson.chapter).contains_eager(Chapter.course)
    if outline:
        course_path = course_path.selectinload(Course.chapters).selectinload(Chapter.lessons)
    query = (select(Lesson).join(Lesson.chapter).join(Chapter.course)
             .where(Lesson.id.in_(list(lesson_ids)), visible_clause(user)).options(course_path))
    return {lesson.id: lesson for lesson in db.session.scalars(query).unique()}


# ---------------------------------------------------------------- courses, home page, continue

def course_progress(user, course: Course, completed: set[int] | None = None) -> dict:
    """A course's progress for ``user``: the share of its lessons completed."""
    ids = [lesson.id for lesson in course.lessons]
    done = (completed if completed is not None else _completed_lesson_ids(user.id, ids)) & set(ids)
    total = len(ids)
    return {"course": course, "lessons": total, "completed": len(done),
            "percent": round(100 * len(done) / total) if total else 0, "finished": bool(total) and len(done) == total}


def my_courses(user) -> list[dict]:
    """The courses ``user`` has started and may still see, most recently watched first, each with its progress."""
    if not (user and user.is_authenticated):
        return []
    rows = db.session.execute(
        select(Chapter.course_id, func.max(LessonProgress.updated_at).label("last"))
        .join(Lesson, Lesson.id == LessonProgress.lesson_id).join(Chapter, Chapter.id == Lesson.chapter_id)
        .where(LessonProgress.user_id == user.id).group_by(Chapter.course_id)
        .order_by(func.max(LessonProgress.updated_at).desc())).all()
    if not rows:
        return []
    found = {course.id: course for course in courses.visible_courses(user, ids=[row.course_id for row in rows])}
    completed = _completed_lesson_ids(user.id)
    return [dict(course_progress(user, found[row.course_id], completed), last_watched=row.last)
            for row in rows if row.course_id in found]


def continue_target(user) -> dict | None:
    """The lesson the 「继续学习」 button opens: the most recently watched unfinished lesson, or the
    first unfinished lesson after a finished one in the same course. None if there is nothing to continue."""
    if not (user and user.is_authenticated):
        return None
    recent = list(db.session.scalars(select(LessonProgress).where(LessonProgress.user_id == user.id)
                                     .order_by(LessonProgress.updated_at.desc(), LessonProgress.id.desc())
                                     .limit(50)))
    lessons = _visible_lessons(user, {progress.lesson_id for progress in recent}, outline=True)
    completed = None
    for progress in recent:
        lesson = lessons.get(progress.lesson_id)
        if lesson is None:
            continue
        if not progress.completed:
            return {"lesson": lesson, "resume_at": resume_point(progress, progress.duration)}
        if completed is None:
            completed = _completed_lesson_ids(user.id)
        following = _next_unfinished(user, lesson, completed)
        if following is not None:
            return following
    return None


def _next_unfinished(user, lesson, completed: set[int]) -> dict | None:
    lessons = lesson.course.lessons
    for item in lessons[lessons.index(lesson) + 1:]:
        if item.id not in completed:
            progress = progress_for(user, item.id)
            return {"lesson": item, "resume_at": resume_point(progress, progress.duration if progress else None)}
    return None


def course_page(user, course) -> dict:
    """A course page's learning (``courses.hooks.course_page_learning``): each lesson's ready video
    length in seconds (``durations``), the lessons completed, the course's progress, and the lesson
    to go on with: the first one not completed that has a video to watch (else the first not completed)."""
    lessons = course.lessons
    ids = [lesson.id for lesson in lessons]
    durations = {}
    if ids:  # oldest first, so the newest ready video of a lesson is the one kept
        durations = dict(db.session.execute(select(MediaAsset.lesson_id, MediaAsset.duration).where(
            MediaAsset.lesson_id.in_(ids), MediaAsset.status == ASSET_READY, MediaAsset.duration.is_not(None))
            .order_by(MediaAsset.id)).all())
    if not (user and user.is_authenticated) or not ids:
        return {"durations": durations, "done": frozenset(), "progress": None, "next": None, "started": False}
    rows = db.session.execute(select(LessonProgress.lesson_id, LessonProgress.completed_at,
                                     LessonProgress.covered_seconds)
                              .where(LessonProgress.user_id == user.id, LessonProgress.lesson_id.in_(ids))).all()
    done = frozenset(row.lesson_id for row in rows if row.completed_at is not None)
    left = [lesson for lesson in lessons if lesson.id not in done]
    following = next((lesson for lesson in left if lesson.id in durations), left[0] if left else None)
    return {"durations": durations, "done": done, "progress": course_progress(user, course, set(done)),
            "next": following, "started": any(row.covered_seconds for row in rows)}


def home(user) -> dict:
    """The home page: what to continue, the courses started, and the catalogue by category."""
    categories = courses.list_categories()
    visible = courses.visible_courses(user, published_only=True)
    groups = [(c, [course for course in visible if course.category_id == c.id]) for c in categories]
    return {"continue_with": continue_target(user), "my_courses": my_courses(user),
            "groups": [group for group in groups if group[1]]}


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
    latest = completed[:10]
    lessons = _visible_lessons(user, [row.lesson_id for row in latest])
    return {
        "weeks": periods["weeks"], "months": periods["months"],
        "minutes_last_year": round(sum(w["minutes"] for w in periods["months"]), 1),
        "lessons_completed": len(completed),
        "recent_lessons": [{"lesson": lessons[row.lesson_id], "completed_at": row.completed_at,
                            "completed_on": local_day(row.completed_at)}
                           for row in latest if row.lesson_id in lessons],
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
