"""The home page, 「我的学习」 and the course lists ask the database a fixed number of questions,
however many courses a learner has started or a teacher teaches."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from elearn.core.timeutil import utcnow
from elearn.learning.models import LessonProgress, WatchInterval
from tests.clients import bearer, sign_in
from tests.factories import make_ready_course, make_user



def count_queries(db, action) -> int:
    """How many SQL statements ``action()`` sends."""
    seen = []

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", before_cursor_execute)
    return len(seen)


def start_courses(db, learner, teacher, how_many, *, first):
    """``how_many`` courses taught by ``teacher``, every lesson completed by ``learner`` (newest first), so
    「继续学习」 has to look past each of them; ``first`` adds an older unfinished lesson to find at the end."""
    now = utcnow()
    for n in range(how_many):
        course = make_ready_course(db, lessons=2, teachers=[teacher], title=f"课程 {how_many}-{n}")
        for lesson in course.lessons:
            db.session.add(LessonProgress(user_id=learner.id, lesson_id=lesson.id, covered=[[0.0, 60.0]],
                                          covered_seconds=60.0, position=60.0, duration=60.0, completed_at=now,
                                          updated_at=now - timedelta(minutes=n)))
            db.session.add(WatchInterval(user_id=learner.id, lesson_id=lesson.id, start=0.0, end=60.0,
                                         received_at=now, day=now.date()))
    if first:
        unfinished = make_ready_course(db, lessons=1, title="还没学完")
        db.session.add(LessonProgress(user_id=learner.id, lesson_id=unfinished.lessons[0].id, covered=[],
                                      position=20.0, duration=60.0, updated_at=now - timedelta(days=3)))
    db.session.commit()


@pytest.fixture
def clients(app, db):
    learner, teacher = make_user(db, roles=["student"], password=None), make_user(db, roles=["teacher"], password=None)
    return {"learner": sign_in(app.test_client(), learner), "teacher": sign_in(app.test_client(), teacher)}


PAGES = [("learner", "/"), ("learner", "/learning"), ("teacher", "/learning"), ("teacher", "/teaching"),
         ("learner", "/courses")]


def test_pages_need_the_same_number_of_queries_for_more_courses(app, db, clients):
    """Five more started (or taught) courses do not add a single query to any of these pages."""
    learner, teacher = clients["learner"].user, clients["teacher"].user
    start_courses(db, learner, teacher, 2, first=True)

    def counts():
        result = {}
        for who, url in PAGES:
            response = None

            def get():
                nonlocal response
                response = clients[who].get(url)

            result[(who, url)] = count_queries(db, get)
            assert response.status_code == 200, (who, url)
        return result

    few = counts()
    assert "还没学完" in clients["learner"].get("/").get_data(as_text=True)
    start_courses(db, learner, teacher, 5, first=False)
    many = counts()
    assert "课程 5-4" in clients["learner"].get("/learning").get_data(as_text=True)
    assert many == few


def test_the_learning_record_api_needs_the_same_number_of_queries(app, db, clients):
    """GET /api/v1/me/learning does not query once per course or lesson."""
    learner, teacher = clients["learner"].user, clients["teacher"].user
    headers = bearer(db, learner)
    client = app.test_client()
    start_courses(db, learner, teacher, 2, first=True)
    client.get("/api/v1/me/learning", headers=headers)  # the token's first use is noted once
    few = count_queries(db, lambda: client.get("/api/v1/me/learning", headers=headers))
    start_courses(db, learner, teacher, 5, first=False)
    body = {}
    many = count_queries(db, lambda: body.update(client.get("/api/v1/me/learning", headers=headers).get_json()))
    assert len(body["courses_finished"]) == 7 and body["continue_with"]["title"] == "第1课"
    assert len(body["recent_lessons"]) == 10
    assert many == few
