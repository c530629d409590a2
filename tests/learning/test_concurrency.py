"""Heartbeats that arrive at the same moment (two tabs, a retry racing a new beat) lose nothing.

These requests run in real threads with their own database connections and real commits, so
the write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: SELECT ... FOR UPDATE) is what keeps each
one from overwriting the coverage another has just written.
"""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from elearn.extensions import db as _db
from elearn.learning.models import LessonProgress, WatchInterval
from tests.clients import csrf_token, sign_in
from tests.factories import make_ready_course, make_user, started_long_ago

THREADS = 6
BEATS = 8
SEEDED_TABLES = {"categories"}


@pytest.fixture
def committed(app):
    """The database with normal commits (each thread's request needs to see them); emptied afterwards."""
    with app.app_context():
        try:
            yield _db
        finally:
            _db.session.rollback()
            _db.session.remove()
            with _db.engine.begin() as connection:
                for table in reversed(_db.metadata.sorted_tables):
                    if table.name not in SEEDED_TABLES:
                        connection.execute(table.delete())


@pytest.mark.db  # through ``committed``
def test_simultaneous_heartbeats_from_many_tabs_all_count(app, committed):
    """Six tabs of one user send eight reports each, released together: every interval is stored and merged."""
    course = make_ready_course(committed, lessons=1)
    lesson_id = course.lessons[0].id
    user = make_user(committed, roles=["student"], password=None)
    tabs = []
    for _ in range(THREADS):
        client = sign_in(app.test_client(), user)
        client.token = csrf_token(client)
        client.viewing = started_long_ago(committed, user, course.lessons[0])
        tabs.append(client)
    start = threading.Barrier(THREADS)
    statuses = []

    def tab(index, client):
        start.wait()
        for beat in range(BEATS):
            first = (index * BEATS + beat) * 0.5  # 0.1 s played every 0.5 s of the lesson, all different
            response = client.post(f"/api/v1/lessons/{lesson_id}/progress", headers={"X-CSRFToken": client.token},
                                   json={"position": first + 0.1, "intervals": [[first, first + 0.1]],
                                         "viewing": client.viewing})
            statuses.append((response.status_code, response.get_json().get("credited")))

    threads = [threading.Thread(target=tab, args=(i, c)) for i, c in enumerate(tabs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == THREADS * BEATS
    assert all(status == 200 for status, _ in statuses), statuses
    assert all(credited == pytest.approx(0.1) for _, credited in statuses)
    _db.session.rollback()  # a fresh snapshot: the threads have committed since
    rows = _db.session.scalar(select(func.count()).select_from(WatchInterval).where(WatchInterval.lesson_id == lesson_id))
    progress = _db.session.scalar(select(LessonProgress).where(LessonProgress.lesson_id == lesson_id))
    assert rows == THREADS * BEATS
    assert len(progress.covered) == THREADS * BEATS
    assert progress.covered_seconds == pytest.approx(THREADS * BEATS * 0.1)


@pytest.mark.db  # through ``committed``
def test_simultaneous_heartbeats_with_fresh_tokens_touch_and_count(app, committed):
    """Six apps with unused bearer tokens report at once: each token's first-use touch (its own locked
    transaction at the API's edge) and every heartbeat succeed, with nothing lost."""
    from elearn.accounts.models import ApiToken
    from elearn.accounts.services import issue_token

    course = make_ready_course(committed, lessons=1)
    lesson_id = course.lessons[0].id
    user = make_user(committed, roles=["student"], password=None)
    tokens = [issue_token(user, name=f"tv{i}") for i in range(THREADS)]
    committed.session.commit()
    viewings = [started_long_ago(committed, user, course.lessons[0]) for _ in range(THREADS)]
    start = threading.Barrier(THREADS)
    statuses = []

    def device(index, token, viewing):
        client = app.test_client()
        start.wait()
        for beat in range(BEATS):
            first = (index * BEATS + beat) * 0.5
            response = client.post(f"/api/v1/lessons/{lesson_id}/progress", headers={"Authorization": f"Bearer {token}"},
                                   json={"position": first + 0.1, "intervals": [[first, first + 0.1]],
                                         "viewing": viewing})
            statuses.append(response.status_code)

    threads = [threading.Thread(target=device, args=(i, t, viewings[i])) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * (THREADS * BEATS)
    _db.session.rollback()
    rows = _db.session.scalar(select(func.count()).select_from(WatchInterval).where(WatchInterval.lesson_id == lesson_id))
    touched = _db.session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.last_used_at.is_not(None)))
    assert rows == THREADS * BEATS and touched == THREADS
