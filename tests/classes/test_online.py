"""Online attendance from watching, end to end: real heartbeats through the API with real intervals,
the signal after their commit, the queued job run as a worker runs it, and the marks it leaves.

The clock is injected where it matters: viewings are started at chosen times (``make_viewing``) and
sessions placed around the real clock; the watching belongs to the viewing's start, so heartbeats
arriving now stand for a backlog sent late. Nothing sleeps."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from elearn.attendance import models as am
from elearn.attendance import online_jobs as online
from elearn.attendance import services as attendance
from elearn.classes import enrolment, schedule, services
from elearn.core import jobs
from elearn.core.timeutil import to_local, utcnow
from elearn.extensions import queue
from elearn.learning.models import Viewing
from tests.clients import signed_in
from tests.factories import DURATION, make_ready_course, make_user, make_viewing
from tests.learning.test_queries import count_queries


@pytest.fixture
def world(app, db):
    now = utcnow()
    term = services.save_term(None, name="2026年冬季学期", starts_on=date.today() - timedelta(days=40),
                              ends_on=date.today() + timedelta(days=40))
    teacher = make_user(db, roles=("teacher",), name="李老师")
    group = services.save_class(None, term=term, name="太极一班", teacher_ids=[teacher.id])
    lesson = make_ready_course(db).lessons[0]
    student = signed_in(app, db, roles=["student"])
    enrolment.enrol(group, student.user.id, now=now - timedelta(days=30))
    db.session.commit()
    queue.flush()  # wake-ups left by other tests are not this test's
    return type("World", (), {"now": now, "group": group, "lesson": lesson, "student": student, "teacher": teacher})


def session_at(world, starts_at, minutes=60):
    """A session of the class linking the lesson, starting at ``starts_at`` (naive UTC, to the minute)."""
    local = to_local(starts_at)
    session = schedule.add_session(world.group, day=local.date(), starts=local.time().replace(second=0, microsecond=0),
                                   minutes=minutes, mode="both", lesson_id=world.lesson.id)
    return schedule.event_of(session)


def watch(db, world, started_at, share=1.0, client=None):
    """A viewing started at ``started_at``, reported through the API in two heartbeats (the first
    half, then the rest up to ``share`` of the lesson); the queued wake-ups are then run as a worker
    runs them. Returns the viewing's row id."""
    client = client or world.student
    db.session.commit()
    public_id = make_viewing(db, client.user, world.lesson, started_at=started_at)
    half, end = DURATION / 2, round(DURATION * share, 3)
    for beat, (start, stop) in enumerate(((0, half), (half, end))):
        response = client.post(f"/api/v1/lessons/{world.lesson.id}/progress", headers={"X-CSRFToken": client.csrf},
                               json={"viewing": public_id, "position": stop, "intervals": [[start, stop]],
                                     "beat": f"{public_id}-{beat}"})
        assert response.status_code == 200 and response.get_json()["credited"] > 0, response.get_json()
    run_queued()
    db.session.expire_all()
    return db.session.scalar(select(Viewing.id).where(Viewing.public_id == public_id))


def run_queued() -> list:
    outcomes = []
    while (task := queue.dequeue()) is not None:
        outcomes.append(queue.execute(task))
    return outcomes


def record_of(event, user_id):
    return attendance.records(event).get(user_id)


def changes_of(event, user_id) -> int:
    return len(attendance.history(event, user_id))


def test_watching_inside_the_window_marks_present_online(db, world):
    event = session_at(world, world.now - timedelta(minutes=30))
    viewing_id = watch(db, world, world.now - timedelta(minutes=20))
    record = record_of(event, world.student.user.id)
    assert (record.status, record.mode, record.source) == (am.PRESENT, am.ONLINE, am.BY_AUTO)
    job = db.session.get(online.OnlineMark, viewing_id)
    assert (job.status, job.marked) == (online.DONE, 1)


def test_watching_within_the_makeup_days_after_marks_made_up(db, world):
    event = session_at(world, world.now - timedelta(days=3))
    watch(db, world, world.now - timedelta(hours=1))
    record = record_of(event, world.student.user.id)
    assert (record.status, record.mode) == (am.MADE_UP, am.ONLINE)


def test_watching_eight_days_after_marks_nothing(db, world):
    event = session_at(world, world.now - timedelta(days=8, hours=2))
    watch(db, world, world.now - timedelta(hours=1))
    assert record_of(event, world.student.user.id) is None


def test_someone_not_in_the_class_or_enrolled_after_the_session_is_not_marked(app, db, world):
    event = session_at(world, world.now - timedelta(minutes=30))
    outsider = signed_in(app, db, roles=["student"])
    latecomer = signed_in(app, db, roles=["student"])
    enrolment.enrol(world.group, latecomer.user.id, now=world.now - timedelta(minutes=25))
    for person in (outsider, latecomer):
        watch(db, world, world.now - timedelta(minutes=20), client=person)
    assert attendance.records(event) == {}


def test_a_viewing_short_of_the_threshold_marks_nothing_and_queues_nothing(db, world):
    event = session_at(world, world.now - timedelta(minutes=30))
    viewing_id = watch(db, world, world.now - timedelta(minutes=20), share=0.79)
    assert record_of(event, world.student.user.id) is None
    assert db.session.get(online.OnlineMark, viewing_id) is None


def test_a_backlog_sent_a_day_late_counts_by_the_viewings_start(db, world):
    """Watched offline inside yesterday's window; the session closed (缺勤 for the unmarked) before the
    heartbeats arrived today: 出勤 all the same."""
    starts = world.now - timedelta(days=1, hours=2)
    event = session_at(world, starts)
    attendance.close(event, now=starts + timedelta(hours=2))
    db.session.commit()
    assert record_of(event, world.student.user.id).status == am.ABSENT
    watch(db, world, starts + timedelta(minutes=5))
    record = record_of(event, world.student.user.id)
    assert (record.status, record.mode) == (am.PRESENT, am.ONLINE)


def test_a_teachers_later_mark_stands(db, world):
    event = session_at(world, world.now - timedelta(minutes=30))
    started = world.now - timedelta(minutes=20)
    marked_at = started + timedelta(minutes=5)
    attendance.mark(event, world.student.user.id, am.ABSENT, actor=world.teacher, made_at=marked_at, now=marked_at)
    db.session.commit()
    viewing_id = watch(db, world, started)
    record = record_of(event, world.student.user.id)
    assert (record.status, record.source) == (am.ABSENT, am.BY_TEACHER)
    # The watching is kept in the history, as a mark that changed nothing, once however often the
    # job runs again (here as the reaper would hand back an attempt whose worker died).
    db.session.get(online.OnlineMark, viewing_id).status = jobs.QUEUED
    db.session.commit()
    assert online.run_online_marks(viewing_id) == online.DONE
    db.session.expire_all()
    assert [(c.new_status, c.source, c.applied) for c in attendance.history(event, world.student.user.id)] == [
        (am.ABSENT, am.BY_TEACHER, True), (am.PRESENT, am.BY_AUTO, False)]


def test_the_job_run_twice_leaves_one_history_row(db, world):
    event = session_at(world, world.now - timedelta(minutes=30))
    viewing_id = watch(db, world, world.now - timedelta(minutes=20))
    user_id = world.student.user.id
    assert changes_of(event, user_id) == 1
    # A second wake-up finds the job done; a retried attempt (its worker died before recording the
    # outcome, the reaper handed it back) marks again, and the mark counts once.
    assert online.run_online_marks(viewing_id) == "not claimed"
    db.session.get(online.OnlineMark, viewing_id).status = jobs.QUEUED
    db.session.commit()
    assert online.run_online_marks(viewing_id) == online.DONE
    db.session.expire_all()
    assert changes_of(event, user_id) == 1
    # A second viewing crossing the threshold adds nothing either: the record already counts.
    watch(db, world, world.now - timedelta(minutes=10))
    assert changes_of(event, user_id) == 1
    assert db.session.scalar(select(func.count()).select_from(am.AttendanceChange)) == 1


def test_the_threshold_is_a_setting(app, db, world):
    event = session_at(world, world.now - timedelta(minutes=30))
    app.config["ATTENDANCE_ONLINE_COVERAGE"] = 0.5
    try:
        watch(db, world, world.now - timedelta(minutes=20), share=0.6)
    finally:
        app.config["ATTENDANCE_ONLINE_COVERAGE"] = 0.8
    assert record_of(event, world.student.user.id).status == am.PRESENT


def test_the_heartbeat_that_crosses_the_threshold_sends_no_more_sql_than_any_other(db, world):
    """The crossing is found from the viewing row the heartbeat locks and updates anyway; the
    wake-up goes to the queue after the commit. Attendance is never read on the heartbeat path."""
    session_at(world, world.now - timedelta(minutes=30))
    db.session.commit()
    public_id = make_viewing(db, world.student.user, world.lesson, started_at=world.now - timedelta(minutes=20))

    def beat(n, start, stop):
        return lambda: world.student.post(
            f"/api/v1/lessons/{world.lesson.id}/progress", headers={"X-CSRFToken": world.student.csrf},
            json={"viewing": public_id, "position": stop, "intervals": [[start, stop]], "beat": f"n{n}"})

    beat(0, 0, 30)()  # makes the progress row
    below = count_queries(db, beat(1, 30, 40))  # 66 %: not yet
    crossing = count_queries(db, beat(2, 40, 60))  # 100 %: crosses
    assert crossing == below
    assert [str(t.args) for t in queue.pending()] == [str((online.KIND, db.session.scalar(
        select(Viewing.id).where(Viewing.public_id == public_id))))]


def test_a_lost_wake_up_is_sent_again_by_the_sweep(db, world):
    """The queue lost the wake-up before any worker made the job's row: the sweep finds the crossed
    viewing without one (once the wake-up had time to arrive) and the job marks as usual."""
    event = session_at(world, world.now - timedelta(minutes=30))
    db.session.commit()
    public_id = make_viewing(db, world.student.user, world.lesson, started_at=world.now - timedelta(minutes=20))
    response = world.student.post(f"/api/v1/lessons/{world.lesson.id}/progress",
                                  headers={"X-CSRFToken": world.student.csrf},
                                  json={"viewing": public_id, "position": 60, "intervals": [[0, 60]]})
    assert response.get_json()["coverage"] == 1.0
    queue.flush()  # lost
    viewing_id = db.session.scalar(select(Viewing.id).where(Viewing.public_id == public_id))
    assert online.forgotten() == []  # too soon: the wake-up may still be on its way
    assert online.forgotten(now=utcnow() + timedelta(minutes=6)) == [viewing_id]
    assert online.forgotten(now=utcnow() + timedelta(days=3)) == []
    for found in online.forgotten(now=utcnow() + timedelta(minutes=6)):
        assert online.run_online_marks(found) == online.DONE
    db.session.expire_all()
    assert record_of(event, world.student.user.id).status == am.PRESENT
    assert online.forgotten(now=utcnow() + timedelta(minutes=6)) == []
