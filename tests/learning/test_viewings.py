"""Credit is bounded by the viewing the playback endpoint starts: no viewing, no credit; a viewing's
credit never exceeds 1.5x the time since it started plus one slack; the user's clock over all
their viewings still caps concurrent devices. The clock is injected (``now=``), never slept."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from elearn.core.timeutil import utcnow
from elearn.learning import services
from elearn.learning.models import LessonProgress, Viewing, WatchInterval
from tests.clients import csrf_token
from tests.factories import DURATION, make_ready_course, make_user, started_long_ago

SLACK = services.CLOCK_SLACK_SECONDS


def report(client, lesson_id, body):
    return client.post(f"/api/v1/lessons/{lesson_id}/progress", json=body,
                       headers={"X-CSRFToken": csrf_token(client, "/")})


def credited_total(db, user_id) -> float:
    return db.session.scalar(select(func.coalesce(func.sum(WatchInterval.end - WatchInterval.start), 0.0))
                             .where(WatchInterval.user_id == user_id))


@pytest.fixture
def learner(db, request_ctx):
    return make_user(db, roles=["student"], password=None)


# ---------------------------------------------------------------- through the API

def test_playback_starts_a_viewing_for_a_learner_and_none_for_a_visitor(app, db, people):
    """GET playback answers a viewing id, a row with the server's start time; a visitor gets null."""
    course = make_ready_course(db, visibility="public")
    lesson = course.lessons[0]
    before = utcnow()
    body = people["student"].get(f"/api/v1/lessons/{lesson.id}/playback").get_json()
    row = db.session.scalar(select(Viewing).where(Viewing.public_id == body["viewing"]))
    assert row.user_id == people["student"].user.id and row.lesson_id == lesson.id
    assert before - timedelta(seconds=1) <= row.started_at <= utcnow() and row.credited_seconds == 0
    again = people["student"].get(f"/api/v1/lessons/{lesson.id}/playback").get_json()
    assert again["viewing"] != body["viewing"]  # each playing its own
    assert people["anonymous"].get(f"/api/v1/lessons/{lesson.id}/playback").get_json()["viewing"] is None


def test_renewing_links_keeps_the_playings_viewing_and_starts_no_other(app, db, people):
    """A player renewing its links sends its viewing: the same one comes back and no row is added.
    Another person's viewing, or one of another lesson, is not taken over: a new one starts."""
    course = make_ready_course(db, visibility="public")
    first, second = course.lessons[0], course.lessons[1]
    student, other = people["student"], people["admin"]
    mine = student.get(f"/api/v1/lessons/{first.id}/playback").get_json()["viewing"]
    count = lambda: db.session.scalar(select(func.count()).select_from(Viewing))  # noqa: E731
    before = count()
    renewed = student.get(f"/api/v1/lessons/{first.id}/playback?viewing={mine}").get_json()["viewing"]
    assert renewed == mine and count() == before
    assert other.get(f"/api/v1/lessons/{first.id}/playback?viewing={mine}").get_json()["viewing"] != mine
    assert student.get(f"/api/v1/lessons/{second.id}/playback?viewing={mine}").get_json()["viewing"] != mine
    odd = student.get(f"/api/v1/lessons/{first.id}/playback?viewing=%00%3Cb%3E&other=1")
    assert odd.status_code == 200 and odd.get_json()["viewing"] not in (None, mine)
    assert student.get(f"/api/v1/lessons/{first.id}/playback?viewing={'x' * 65}").status_code == 422


def test_a_report_without_a_viewing_of_ones_own_credits_and_stores_nothing(app, db, people):
    """No viewing, another person's viewing, or a viewing of another lesson: 200, credited 0, a reason,
    no interval and no progress row."""
    course = make_ready_course(db)
    first, second = course.lessons[0], course.lessons[1]
    student, other = people["student"], people["admin"]
    theirs = started_long_ago(db, other.user, first)
    elsewhere = started_long_ago(db, student.user, second)
    for viewing, reason in ((None, "no_viewing"), (theirs, "unknown_viewing"), (elsewhere, "unknown_viewing"),
                            ("A" * 22, "unknown_viewing")):
        body = {"position": 12, "intervals": [[0, 12]]}
        if viewing:
            body["viewing"] = viewing
        response = report(student, first.id, body)
        assert response.status_code == 200, response.get_json()
        answer = response.get_json()
        assert (answer["credited"], answer["reason"], answer["covered_seconds"]) == (0, reason, 0), viewing
    assert db.session.scalar(select(func.count()).select_from(WatchInterval)) == 0
    assert db.session.scalar(select(func.count()).select_from(LessonProgress).where(
        LessonProgress.lesson_id == first.id, LessonProgress.user_id == student.user.id)) == 0


def test_one_request_right_after_playback_does_not_complete_a_short_lesson(app, db, people):
    """The 12 s lesson of the demo: the viewing has just started, so one report gets the slack at most."""
    course = make_ready_course(db, duration=12.0, lessons=1)
    lesson = course.lessons[0]
    student = people["student"]
    viewing = student.get(f"/api/v1/lessons/{lesson.id}/playback").get_json()["viewing"]
    answer = report(student, lesson.id, {"position": 12, "intervals": [[0, 12]], "viewing": viewing}).get_json()
    assert answer["credited"] <= SLACK + 0.5 and answer["completed"] is False and answer["clamped"] is True


# ---------------------------------------------------------------- the bound, with an injected clock

def test_rapid_back_to_back_beats_gain_nothing_beyond_the_bound(app, db, learner):
    """23 beats in 0.32 s, 10 new seconds each: the viewing credits 1.5 x 0.32 s + one slack, no more."""
    lesson = make_ready_course(db, lessons=1).lessons[0]
    t0 = utcnow()
    viewing = services.start_viewing(learner, lesson, now=t0).public_id
    for n in range(23):
        at = t0 + timedelta(seconds=0.32 * (n + 1) / 23)
        services.record_heartbeat(learner, lesson, None, [(n * 10 % 60, n * 10 % 60 + 10)], beat=f"b{n}", now=at,
                                  viewing=viewing)
    assert credited_total(db, learner.id) <= 1.5 * 0.32 + SLACK + 1e-6
    assert services.progress_for(learner, lesson.id).completed is False


def test_many_viewings_at_once_share_the_users_clock(app, db, learner):
    """23 viewings started together, one beat each: the user's clock, over all of them, still gives
    1.5x the time passed plus one slack, not a slack per viewing."""
    lesson = make_ready_course(db, lessons=1).lessons[0]
    t0 = utcnow()
    viewings = [services.start_viewing(learner, lesson, now=t0).public_id for _ in range(23)]
    for n, viewing in enumerate(viewings):
        services.record_heartbeat(learner, lesson, None, [(0, 60)], now=t0 + timedelta(seconds=0.32), viewing=viewing)
    assert credited_total(db, learner.id) <= 1.5 * 0.32 + SLACK + 1e-6


def test_paced_watching_completes_at_every_speed_despite_jitter(app, db, learner):
    """Beats every 10 s that arrive up to 1 s early or late, at 1x and at 1.5x: all of it is credited
    and the lesson completes (the bound is cumulative, so jitter only moves credit between beats)."""
    for rate in (1.0, 1.5):
        lesson = make_ready_course(db, lessons=1).lessons[0]
        t0 = utcnow()
        viewing = services.start_viewing(learner, lesson, now=t0).public_id
        played, beat, state = 0.0, 0, None
        while played < DURATION:
            beat += 1
            end = min(DURATION, played + 10 * rate)
            jitter = (-1, 1, 0.5, -0.5)[beat % 4]
            state = services.record_heartbeat(learner, lesson, end, [(played, end)], beat=f"r{rate}-{beat}",
                                              now=t0 + timedelta(seconds=10 * beat + jitter), viewing=viewing)
            played = end
        assert state["completed"] is True and state["covered_seconds"] == pytest.approx(DURATION, abs=1.5), rate


def test_a_backlog_sent_later_is_credited_by_its_own_viewing(app, db, learner):
    """A minute watched offline, sent two hours later in one report, after another viewing was used in
    between: all credited, stored against its viewing, which keeps its own start."""
    lesson = make_ready_course(db, lessons=1).lessons[0]
    t0 = utcnow() - timedelta(hours=3)
    offline = services.start_viewing(learner, lesson, now=t0).public_id
    later = services.start_viewing(learner, lesson, now=t0 + timedelta(hours=1)).public_id
    services.record_heartbeat(learner, lesson, 20, [(0, 20)], now=t0 + timedelta(hours=1, seconds=20), viewing=later)
    state = services.record_heartbeat(learner, lesson, 60, [(0, 60)], now=t0 + timedelta(hours=2), viewing=offline)
    assert state["credited"] == 60 and state["completed"] is True
    seen = {item["id"]: item for item in services.viewings_of(learner, lesson)}
    assert seen[offline]["started_at"] == t0 and seen[offline]["covered_seconds"] == 60
    assert seen[later]["covered_seconds"] == 20 and seen[later]["started_at"] == t0 + timedelta(hours=1)
    assert [item["id"] for item in services.viewings_of(learner, lesson)] == [offline, later]


def test_two_devices_each_with_its_own_viewing(app, db, learner):
    """A phone then a television, each with its viewing: both fully credited. Both at once at 1x:
    together never more than the user's clock (1.5x the time, one slack)."""
    lesson = make_ready_course(db, lessons=1).lessons[0]
    t0 = utcnow()
    phone = services.start_viewing(learner, lesson, now=t0).public_id
    services.record_heartbeat(learner, lesson, 30, [(0, 30)], now=t0 + timedelta(seconds=30), viewing=phone)
    tv = services.start_viewing(learner, lesson, now=t0 + timedelta(seconds=40)).public_id
    state = services.record_heartbeat(learner, lesson, 60, [(30, 60)], now=t0 + timedelta(seconds=70), viewing=tv)
    assert state["credited"] == 30 and state["completed"] is True

    other = make_ready_course(db, lessons=1).lessons[0]
    t1 = utcnow()
    phone = services.start_viewing(learner, other, now=t1).public_id
    tv = services.start_viewing(learner, other, now=t1).public_id
    before = credited_total(db, learner.id)
    for n in range(1, 5):  # 40 s of wall clock, 10 s played on each device every 10 s
        at = t1 + timedelta(seconds=10 * n)
        services.record_heartbeat(learner, other, None, [(10 * (n - 1), 10 * n)], now=at, viewing=phone)
        services.record_heartbeat(learner, other, None, [(20 + 10 * n, 30 + 10 * n)], now=at, viewing=tv)
    assert credited_total(db, learner.id) - before <= 1.5 * 40 + SLACK + 1e-6
    assert all(v["credited_seconds"] <= 1.5 * 40 + SLACK for v in services.viewings_of(learner, other))
