"""POST/GET /api/v1/lessons/{id}/progress: honest, clamped, refused when it makes no sense."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from elearn.core.timeutil import utcnow
from elearn.learning import services
from elearn.learning.models import LessonProgress, WatchInterval
from tests.clients import csrf_token
from tests.factories import DURATION, make_ready_course, make_viewing, started_long_ago


def csrf_headers(client) -> dict:
    return {"X-CSRFToken": csrf_token(client, "/")}


def heartbeat(client, lesson_id, body, headers=None, **kwargs):
    return client.post(f"/api/v1/lessons/{lesson_id}/progress", json=body, headers=headers or {}, **kwargs)


@pytest.fixture
def student(app, db, people):
    client = people["student"]
    client.headers = csrf_headers(client)
    return client


def stored(db, user, lesson):
    return db.session.execute(select(WatchInterval.start, WatchInterval.end).where(
        WatchInterval.user_id == user.id, WatchInterval.lesson_id == lesson.id).order_by(WatchInterval.id)).all()


def test_a_heartbeat_is_stored_and_read_back(student, course, db):
    """A report's intervals are kept with their arrival time; GET returns the same state as the POST."""
    lesson = course.lessons[0]
    viewing = started_long_ago(db, student.user, lesson)
    before = utcnow()
    response = heartbeat(student, lesson.id, {"position": 9.5, "intervals": [[0, 9.5]], "viewing": viewing},
                         student.headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["position"] == 9.5 and body["completed"] is False
    assert body["coverage"] == pytest.approx(9.5 / DURATION, abs=1e-4)
    rows = db.session.scalars(select(WatchInterval).where(WatchInterval.lesson_id == lesson.id)).all()
    assert [(r.start, r.end) for r in rows] == [(0, 9.5)] and rows[0].received_at >= before - timedelta(seconds=1)
    again = student.get(f"/api/v1/lessons/{lesson.id}/progress").get_json()
    assert {k: again[k] for k in ("position", "coverage", "completed")} == \
        {k: body[k] for k in ("position", "coverage", "completed")}


def test_negative_overlapping_and_too_long_intervals_are_clamped(student, course, db):
    """Negative starts count from 0, ends stop at the duration, overlaps are merged: coverage <= duration."""
    lesson = course.lessons[0]
    viewing = make_viewing(db, student.user, lesson, started_at=utcnow() - timedelta(seconds=20))
    body = heartbeat(student, lesson.id, {"position": 999, "intervals": [[-5, 10], [5, 20], [50, 500], [600, 700]],
                                          "viewing": viewing}, student.headers).get_json()
    assert stored(db, student.user, lesson) == [(0, 20), (50, DURATION)]
    assert body["covered_seconds"] == 30 and body["position"] == DURATION and body["clamped"] is True
    # The whole video again a moment later: the viewing's clock (20 s ago, at 1.5x, plus the slack)
    # leaves only a couple of seconds.
    body = heartbeat(student, lesson.id, {"intervals": [[0, 60], [0, 60]], "viewing": viewing},
                     student.headers).get_json()
    assert body["covered_seconds"] <= 30 + services.CLOCK_SLACK_SECONDS + 0.5 and body["clamped"] is True
    assert body["coverage"] <= 1.0


def test_a_reversed_interval_credits_nothing_and_the_rest_counts(student, course, db):
    """An interval that ends before it starts was not watched: it is dropped, the report's other
    intervals are credited as usual."""
    lesson = course.lessons[0]
    viewing = started_long_ago(db, student.user, lesson)
    response = heartbeat(student, lesson.id, {"intervals": [[10, 5], [20, 25]], "viewing": viewing}, student.headers)
    assert response.status_code == 200
    assert stored(db, student.user, lesson) == [(20, 25)] and response.get_json()["covered_seconds"] == 5


@pytest.mark.parametrize("payload, code, status", [
    ({"intervals": [[0, "10"]]}, "invalid_intervals", 400),
    ({"intervals": [[0, 1, 2]]}, "invalid_intervals", 400),
    ({"intervals": [[True, 3]]}, "invalid_intervals", 400),
    ({"intervals": "0-10"}, "invalid_intervals", 400),
    ({"intervals": [[i, i + 0.5] for i in range(1000)]}, "too_many_intervals", 413),
    ({"position": "half way"}, "invalid_position", 400),
    ({"position": 3, "beat": "has spaces!"}, "invalid_beat", 400),
    ({"position": 3, "viewing": "short"}, "invalid_viewing", 400),
    ({"position": 3, "viewing": 123456789012345678}, "invalid_viewing", 400),
    ([[0, 10]], "malformed_json", 400),
])
def test_nonsense_is_refused_and_nothing_is_stored(student, course, db, payload, code, status):
    """Reversed, malformed, non-numeric or thousands of intervals: a clear 4xx and not a row written."""
    lesson = course.lessons[0]
    response = heartbeat(student, lesson.id, payload, student.headers)
    assert response.status_code == status and response.get_json()["code"] == code
    assert response.get_json()["message"]
    assert stored(db, student.user, lesson) == []
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 0


def test_not_a_number_and_broken_json_are_refused(student, course, db):
    """NaN and a body that is not JSON at all are refused too."""
    lesson = course.lessons[0]
    for data in ('{"intervals": [[0, NaN]]}', '{"intervals": [[0, 1]'):
        response = student.post(f"/api/v1/lessons/{lesson.id}/progress", data=data, headers=dict(
            student.headers, **{"Content-Type": "application/json"}))
        assert response.status_code == 400, data
    assert stored(db, student.user, lesson) == []


def test_who_may_report(app, db, people):
    """Only signed-in users who may see the lesson: 401 signed out, 403 for a hidden course, 404 unknown."""
    hidden = make_ready_course(db, visibility="classes", title="只给班级")
    shown = make_ready_course(db, visibility="public", title="公开课")
    body = {"position": 1, "intervals": [[0, 1]]}
    assert heartbeat(people["anonymous"], shown.lessons[0].id, body).status_code == 401
    student = people["student"]
    headers = csrf_headers(student)
    assert heartbeat(student, hidden.lessons[0].id, body, headers).status_code == 403
    assert student.get(f"/api/v1/lessons/{hidden.lessons[0].id}/progress").status_code == 403
    assert heartbeat(student, 999999, body, headers).status_code == 404
    assert heartbeat(people["teacher"], shown.lessons[0].id, body, csrf_headers(people["teacher"])).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(WatchInterval).where(
        WatchInterval.lesson_id == hidden.lessons[0].id)) == 0


def test_after_logout_the_heartbeat_is_refused(app, db, user_factory):
    """A page left open after signing out cannot report any more (401), not even by beacon."""
    from tests.clients import csrf_token, login

    course = make_ready_course(db)
    user = user_factory()
    client = app.test_client()
    login(client, user)
    token = csrf_token(client)
    client.post("/logout", data={"csrf_token": token})
    beacon = json.dumps({"intervals": [[0, 5]], "position": 5, "csrf_token": token})
    response = client.post(f"/api/v1/lessons/{course.lessons[0].id}/progress", data=beacon,
                           headers={"Content-Type": "text/plain;charset=UTF-8"})
    assert response.status_code == 401
    assert db.session.scalar(select(func.count()).select_from(WatchInterval)) == 0


def test_a_lesson_without_a_video_is_refused(student, db):
    """Nothing to watch, nothing to report: 409 with a plain message."""
    from tests.factories import make_course

    course = make_course(db, status="published", visibility="signed_in")
    response = heartbeat(student, course.lessons[0].id, {"position": 1, "intervals": [[0, 1]]}, student.headers)
    assert response.status_code == 409 and response.get_json()["code"] == "no_video"


def test_a_session_report_needs_the_csrf_token_in_a_header_or_in_the_beacon_body(people, course, db):
    """Without a token: 400 csrf_failed. A sendBeacon body (text/plain JSON) carries it instead of a header."""
    student = people["student"]
    lesson = course.lessons[0]
    body = {"position": 4, "intervals": [[0, 4]], "viewing": started_long_ago(db, student.user, lesson)}
    refused = heartbeat(student, lesson.id, body)
    assert refused.status_code == 400 and refused.get_json()["code"] == "csrf_failed"
    wrong = dict(body, csrf_token="forged")
    assert student.post(f"/api/v1/lessons/{lesson.id}/progress", data=json.dumps(wrong),
                        headers={"Content-Type": "text/plain;charset=UTF-8"}).status_code == 400
    token = csrf_headers(student)["X-CSRFToken"]
    beacon = student.post(f"/api/v1/lessons/{lesson.id}/progress", data=json.dumps(dict(body, csrf_token=token)),
                          headers={"Content-Type": "text/plain;charset=UTF-8"})
    assert beacon.status_code == 200 and beacon.get_json()["position"] == 4
    assert stored(db, student.user, lesson) == [(0, 4)]


def test_a_bearer_token_needs_no_csrf_token(app, db, course):
    """TV boxes and apps report with a bearer token."""
    from tests.clients import bearer
    from tests.factories import make_user

    user = make_user(db, roles=["student"], password=None)
    viewing = started_long_ago(db, user, course.lessons[0])
    response = heartbeat(app.test_client(), course.lessons[0].id, {"position": 3, "intervals": [[0, 3]],
                                                                   "viewing": viewing}, bearer(db, user))
    assert response.status_code == 200 and response.get_json()["covered_seconds"] == 3


def test_a_retried_report_is_not_counted_twice(student, course, db):
    """The same beat id sent again (its answer was lost) stores nothing more."""
    lesson = course.lessons[0]
    body = {"beat": "k3x9-retry_1", "position": 8, "intervals": [[0, 8]],
            "viewing": started_long_ago(db, student.user, lesson)}
    first = heartbeat(student, lesson.id, body, student.headers).get_json()
    second = heartbeat(student, lesson.id, body, student.headers).get_json()
    assert first["credited"] == 8 and second["duplicate"] is True and second["credited"] == 0
    assert stored(db, student.user, lesson) == [(0, 8)]
    assert second["watched_seconds"] == 8


def test_completion_at_ninety_percent_and_course_progress(student, course, db):
    """A lesson is complete at 90 % unique coverage; re-watching one part does not complete it."""
    first, second = course.lessons[0], course.lessons[1]
    viewing = started_long_ago(db, student.user, first)
    for _ in range(3):
        body = heartbeat(student, first.id, {"intervals": [[0, 53.9]], "viewing": viewing}, student.headers).get_json()
    assert body["completed"] is False and body["watched_seconds"] == pytest.approx(3 * 53.9)
    body = heartbeat(student, first.id, {"intervals": [[53.9, 54]], "viewing": viewing}, student.headers).get_json()
    assert body["completed"] is True and body["coverage"] == 0.9
    heartbeat(student, second.id, {"intervals": [[0, 60]], "viewing": started_long_ago(db, student.user, second)},
              student.headers)
    with student.application.test_request_context():
        progress = services.course_progress(student.user, course)
    assert (progress["completed"], progress["lessons"], progress["percent"]) == (2, 3, 67)


def test_the_completion_share_is_configurable(student, course, db, app):
    """LESSON_COMPLETE_RATIO decides when a lesson counts as complete."""
    lesson = course.lessons[0]
    viewing = started_long_ago(db, student.user, lesson)
    app.config["LESSON_COMPLETE_RATIO"] = 0.5
    try:
        body = heartbeat(student, lesson.id, {"intervals": [[0, 30]], "viewing": viewing}, student.headers).get_json()
    finally:
        app.config["LESSON_COMPLETE_RATIO"] = 0.9
    assert body["completed"] is True


def test_get_without_any_report_is_the_start(student, course):
    """Before the first report the state is position 0, nothing covered."""
    body = student.get(f"/api/v1/lessons/{course.lessons[0].id}/progress").get_json()
    assert body == {**body, "position": 0.0, "coverage": 0.0, "completed": False, "resume_at": None,
                    "duration": DURATION}


def test_watched_between_answers_for_a_time_window(app, db, course, request_ctx):
    """Attendance can ask how much of a lesson was watched between two times (by arrival time)."""
    from tests.factories import make_user

    user = make_user(db, roles=["student"], password=None)
    lesson = course.lessons[0]
    nine = utcnow().replace(hour=1, minute=0, second=0, microsecond=0)  # 9:00 in Beijing
    viewing = services.start_viewing(user, lesson, now=nine - timedelta(hours=1)).public_id
    services.record_heartbeat(user, lesson, 30, [(0, 30)], now=nine + timedelta(minutes=5), viewing=viewing)
    services.record_heartbeat(user, lesson, 45, [(20, 45)], now=nine + timedelta(hours=3), viewing=viewing)
    assert services.watched_between(user.id, lesson.id, nine, nine + timedelta(hours=2)) == 30
    assert services.watched_between(user.id, lesson.id, nine, nine + timedelta(hours=4)) == 45
