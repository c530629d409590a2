"""What the browser walk (tests/browser/pages.py) shows the learning pages with."""
from __future__ import annotations

from datetime import timedelta


def learning_for_pages(db, world):
    """The walk's first lesson gets the real transcoded video with captions, and the student has
    watched part of it on two days: the lesson page offers to resume, 「我的学习」 has bars."""
    from elearn.core.timeutil import utcnow
    from elearn.learning.services import record_heartbeat, start_viewing
    from tests.learning.media import attach_ready_video

    lesson = world.course.lessons[0]
    attach_ready_video(db, lesson)
    now = utcnow()
    viewing = start_viewing(world.student, lesson, now=now - timedelta(days=9)).public_id
    record_heartbeat(world.student, lesson, 3, [(0, 3)], now=now - timedelta(days=8), viewing=viewing)
    record_heartbeat(world.student, lesson, 5, [(3, 5)], now=now - timedelta(hours=1), viewing=viewing)
    db.session.commit()
