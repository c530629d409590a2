"""Factories for learning tests: published courses whose lessons have a ready video of known length."""
from __future__ import annotations

import pytest

from tests.courses.conftest import make_course, people, request_ctx  # noqa: F401  (fixtures)

DURATION = 60.0


def ready_video(db, lesson, duration=DURATION, kind="video"):
    """A ready asset for ``lesson`` (its rendition files are not needed by the progress logic)."""
    from elearn.core.timeutil import utcnow
    from elearn.video.models import MediaAsset

    asset = MediaAsset(lesson_id=lesson.id, status="ready", kind=kind, duration=duration, size=1,
                       original_filename="课.mp4", ready_at=utcnow(), progress=100.0,
                       renditions={"master": "master.m3u8", "audio": {"name": "audio"}, "download": "download.mp4",
                                   "poster": "poster.jpg"})
    db.session.add(asset)
    db.session.commit()
    return asset


def ready_course(db, *, lessons=3, visibility="signed_in", teachers=(), duration=DURATION, title="太极拳入门"):
    """A published course whose every lesson has a ready video ``duration`` seconds long."""
    course = make_course(db, teachers=list(teachers), status="published", visibility=visibility, lessons=lessons,
                         title=title)
    for lesson in course.lessons:
        ready_video(db, lesson, duration)
    return course


@pytest.fixture
def course(db):
    return ready_course(db)


def csrf_headers(client) -> dict:
    from tests.conftest import csrf_token

    return {"X-CSRFToken": csrf_token(client, "/")}


def heartbeat(client, lesson_id, body, headers=None, **kwargs):
    return client.post(f"/api/v1/lessons/{lesson_id}/progress", json=body, headers=headers or {}, **kwargs)


def started_long_ago(db, user, lesson, hours=1):
    """As if the user's previous heartbeat for the lesson came ``hours`` ago (the clock then allows a lot)."""
    from datetime import timedelta

    from sqlalchemy import select

    from elearn.core.timeutil import utcnow
    from elearn.learning.models import LessonProgress

    progress = db.session.scalar(select(LessonProgress).where(LessonProgress.user_id == user.id,
                                                              LessonProgress.lesson_id == lesson.id))
    if progress is None:
        progress = LessonProgress(user_id=user.id, lesson_id=lesson.id, covered=[])
        db.session.add(progress)
    progress.clock_at = utcnow() - timedelta(hours=hours)
    db.session.commit()
    return progress
