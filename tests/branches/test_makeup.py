"""补学 for branch activities: the linked recording is open to the branch's members (and to nobody else
through the link), officers choose it on the activity form, and watching it through the real heartbeat
API after missing the activity marks 补学 by the job, from the progress records the heartbeats leave."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from elearn.core.permissions import SYSTEM
from elearn.attendance import models as am
from elearn.attendance import services as attendance
from elearn.attendance.online_jobs import OnlineMark
from elearn.branches import activities, services
from elearn.branches import models as m
from elearn.core.errors import ServiceError
from elearn.core.timeutil import to_local, utcnow
from elearn.learning.models import Viewing
from tests.clients import csrf_token, sign_in
from tests.factories import DURATION, make_course, make_ready_course, make_user, make_viewing


class World:
    pass


@pytest.fixture
def world(db):
    """A branch whose secretary (a teacher of the course) and two members (one who attends, one who will
    miss) are expected at a 主题党日 held three days ago, linking a lesson of a course shown only to
    chosen classes (none)."""
    w = World()

    def make(role, name):
        return make_user(db, roles=[role], name=name, fast_hash=True)

    w.secretary, w.member, w.present = make("teacher", "王书记"), make("student", "张党员"), make("student", "李党员")
    w.outsider, w.teacher = make("student", "钱同学"), make("teacher", "赵老师")
    w.course = make_ready_course(db, lessons=2, visibility="classes", title="党史学习", teachers=[w.secretary])
    w.lesson = w.course.lessons[0]
    w.branch = services.save_branch(None, name="太极一班党支部")
    joined = utcnow() - timedelta(days=60)
    services.add_member(w.branch, w.secretary, officer_role=m.SECRETARY, now=joined, actor=SYSTEM)
    for person in (w.member, w.present):
        services.add_member(w.branch, person, now=joined, actor=SYSTEM)
    w.held_at = utcnow() - timedelta(days=3)
    w.activity = activities.create_activity(
        w.branch, kind=m.THEME_DAY, topic="重温入党誓词", starts_at=w.held_at, ends_at=w.held_at + timedelta(hours=1),
        actor=w.secretary, lesson_id=w.lesson.id)
    w.event = activities.event_of(w.activity)
    db.session.commit()
    return w


def as_(app, person):
    client = sign_in(app.test_client(), person)
    client.csrf = csrf_token(client)
    return client


# ---------------------------------------------------------------- who may watch the linked lesson

def test_the_linked_lesson_is_for_the_branchs_members_only(app, db, world):
    url = f"/lessons/{world.lesson.id}"
    for person, status in ((world.member, 200), (world.secretary, 200), (world.outsider, 403), (world.teacher, 403)):
        assert as_(app, person).get(url).status_code == status, person.name
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    member = as_(app, world.member)
    page = member.get(url).get_data(as_text=True)
    assert f"/courses/{world.course.id}\"" not in page  # the course stays closed: no way there
    assert member.get(f"/courses/{world.course.id}").status_code == 403
    assert member.get(f"/lessons/{world.course.lessons[1].id}").status_code == 403  # only the linked one
    services.remove_member(db.session.get(m.BranchMember, _member_id(db, world, world.member)))
    db.session.commit()
    assert member.get(url).status_code == 403  # a member who left no longer


def _member_id(db, world, person) -> int:
    return db.session.scalar(select(m.BranchMember.id).filter_by(branch_id=world.branch.id, user_id=person.id))


def test_the_activity_page_offers_the_recording_to_members(app, db, world):
    page = as_(app, world.member).get(f"/branches/activities/{world.activity.id}").get_data(as_text=True)
    assert f"/lessons/{world.lesson.id}\"" in page and "补学" in page, page[page.find("<main"):]


# ---------------------------------------------------------------- choosing it

def test_an_officer_links_a_lesson_they_can_see_and_nothing_else(app, db, world):
    open_course = make_ready_course(db, lessons=1, title="书法入门")
    hidden = make_ready_course(db, lessons=1, visibility="classes", title="内部课程")
    draft = make_course(db, title="未发布的课", lessons=1, teachers=[world.secretary])
    officer = as_(app, world.secretary)
    url = f"/branches/{world.branch.id}/activities/new"
    form_page = officer.get(url).get_data(as_text=True)
    assert "书法入门 · 第1课" in form_page and "党史学习 · 第2课" in form_page
    assert "内部课程" not in form_page and "未发布的课" not in form_page
    day = to_local(utcnow() + timedelta(days=5)).date().isoformat()
    form = {"csrf_token": officer.csrf, "kind": "lecture", "topic": "学习党章", "day": day, "starts": "09:30",
            "minutes": "60", "group": "0", "lesson": str(open_course.lessons[0].id)}
    assert officer.post(url, data=form).status_code == 302
    made = db.session.scalar(select(m.Activity).filter_by(topic="学习党章"))
    event = activities.event_of(made)
    assert (made.lesson_id, event.lesson_id, event.makeup_days) == (open_course.lessons[0].id,) * 2 + (30,)
    refused = officer.post(url, data={**form, "topic": "不该有", "lesson": str(draft.lessons[0].id)})
    assert refused.status_code == 400
    assert db.session.scalar(select(m.Activity).filter_by(topic="不该有")) is None
    # The service refuses too (the API's way in), with words that tell nothing about the lesson.
    for lesson_id in (draft.lessons[0].id, hidden.lessons[0].id, 999_999):
        with pytest.raises(ServiceError) as refusal:
            activities.create_activity(world.branch, kind=m.LECTURE, topic="不该有", actor=world.secretary,
                                       starts_at=utcnow(), ends_at=utcnow() + timedelta(hours=1), lesson_id=lesson_id)
        assert (refusal.value.status, refusal.value.code) == (422, "bad_lesson")
        db.session.rollback()


# ---------------------------------------------------------------- 补学 from real progress records

def watch(app, db, person, lesson, job_runner, share=1.0):
    """``person`` watches ``lesson`` through the heartbeat API (two reports) in a viewing started 20
    minutes ago (the clocks allow what it reports), then the woken jobs run."""
    client = as_(app, person)
    public_id = make_viewing(db, person, lesson, started_at=utcnow() - timedelta(minutes=20))
    half, end = DURATION / 2, round(DURATION * share, 3)
    for beat, (start, stop) in enumerate(((0, half), (half, end))):
        answer = client.post(f"/api/v1/lessons/{lesson.id}/progress", headers={"X-CSRFToken": client.csrf},
                             json={"viewing": public_id, "position": stop, "intervals": [[start, stop]],
                                   "beat": f"{public_id}-{beat}"})
        assert answer.status_code == 200 and answer.get_json()["credited"] > 0, answer.get_json()
    outcomes = job_runner.run()
    db.session.expire_all()
    return db.session.scalar(select(Viewing).where(Viewing.public_id == public_id)), outcomes


def test_a_member_who_missed_the_activity_makes_it_up_by_watching_the_recording(app, db, world, job_runner):
    attendance.mark(world.event, world.present.id, am.PRESENT, actor=world.secretary,
                    made_at=world.held_at + timedelta(minutes=5), now=world.held_at + timedelta(minutes=5))
    assert attendance.close(world.event, now=world.held_at + timedelta(hours=2)) == 2  # the member, the secretary
    db.session.commit()
    assert attendance.records(world.event)[world.member.id].status == am.ABSENT

    viewing, outcomes = watch(app, db, world.member, world.lesson, job_runner, share=0.79)
    assert outcomes == [] and attendance.records(world.event)[world.member.id].status == am.ABSENT  # not enough

    viewing, outcomes = watch(app, db, world.member, world.lesson, job_runner)
    assert viewing.covered_at is not None and outcomes == ["done"]
    record = attendance.records(world.event)[world.member.id]
    assert (record.status, record.mode, record.source) == (am.MADE_UP, am.ONLINE, am.BY_AUTO)
    assert db.session.get(OnlineMark, viewing.id).marked == 1

    watch(app, db, world.present, world.lesson, job_runner)
    assert attendance.records(world.event)[world.present.id].status == am.PRESENT  # attended: stays 出勤
    assert len(attendance.history(world.event, world.present.id)) == 1  # and watching added no history


def test_someone_outside_the_branch_watching_marks_nothing(app, db, world, job_runner):
    world.course.visibility = "signed_in"  # so that the outsider may watch at all
    db.session.commit()
    viewing, outcomes = watch(app, db, world.outsider, world.lesson, job_runner)
    assert outcomes == ["done"] and db.session.get(OnlineMark, viewing.id).marked == 0
    assert world.outsider.id not in attendance.records(world.event)


def test_a_committee_meeting_is_not_made_up_by_a_member_who_was_not_expected(app, db, world, job_runner):
    committee = activities.create_activity(
        world.branch, kind=m.COMMITTEE, topic="研究发展党员", starts_at=world.held_at,
        ends_at=world.held_at + timedelta(hours=1), actor=world.secretary, lesson_id=world.lesson.id)
    db.session.commit()
    watch(app, db, world.member, world.lesson, job_runner)
    assert attendance.records(activities.event_of(committee)) == {}
    assert attendance.records(world.event)[world.member.id].status == am.MADE_UP


def test_watching_after_the_makeup_days_marks_nothing(app, db, world, job_runner):
    world.event.makeup_days = 2  # the activity was three days ago
    db.session.commit()
    watch(app, db, world.member, world.lesson, job_runner)
    assert world.member.id not in attendance.records(world.event)
