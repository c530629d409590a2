"""The home page (「继续学习」, my courses, catalogue), the lesson page's player and resume offer,
「我的学习」 with its charts, player settings, and the read-only API around them."""
from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from elearn.core.timeutil import utcnow
from elearn.learning import services
from elearn.learning.models import LearningPreference
from tests.clients import csrf_token, sign_in
from tests.factories import make_ready_course, make_user


def watch(user, lesson, intervals, position=None, *, when=None):
    """A report at ``when`` (default now) in a viewing started an hour before, so all of it counts."""
    when = when or utcnow()
    viewing = services.start_viewing(user, lesson, now=when - timedelta(hours=1)).public_id
    return services.record_heartbeat(user, lesson, position, intervals, now=when, viewing=viewing)


@pytest.fixture
def learner(app, db):
    client = sign_in(app.test_client(), make_user(db, roles=["student"], password=None))
    return client


def test_continue_learning_opens_the_most_recent_unfinished_lesson(app, db, learner, request_ctx):
    """The big button goes to the lesson watched last; after finishing it, to the next one in the course."""
    user = learner.user
    first, second = make_ready_course(db, title="书法"), make_ready_course(db, title="太极")
    watch(user, first.lessons[0], [(0, 20)], 20, when=utcnow() - timedelta(days=2))
    watch(user, second.lessons[1], [(0, 42)], 42)
    db.session.commit()
    html = learner.get("/").get_data(as_text=True)
    button = re.search(r'<a class="button primary huge" id="continue-button" href="([^"]+)"', html)
    assert button and button.group(1) == f"/lessons/{second.lessons[1].id}"
    assert "继续学习" in html and "0:42" in html and "我在学的课程" in html
    watch(user, second.lessons[1], [(0, 60)], 60)
    db.session.commit()
    html = learner.get("/").get_data(as_text=True)
    assert f'id="continue-button" href="/lessons/{second.lessons[2].id}"' in html
    assert "已学完 1 / 3 课（33%）" in html


def test_continue_learning_skips_a_course_no_longer_visible(app, db, learner, request_ctx):
    """A lesson the learner may no longer see is not offered."""
    user = learner.user
    course = make_ready_course(db)
    other = make_ready_course(db, title="摄影")
    watch(user, other.lessons[0], [(0, 10)], 10, when=utcnow() - timedelta(days=1))
    watch(user, course.lessons[0], [(0, 10)], 10)
    course.visibility = "classes"
    db.session.commit()
    target = services.continue_target(user)
    assert target["lesson"].id == other.lessons[0].id


def test_home_without_progress_shows_the_catalogue_and_no_button(app, db, learner):
    """A newcomer sees a hint and the catalogue by category; a visitor the public courses and sign-in."""
    make_ready_course(db, title="公开的太极课", visibility="public")
    html = learner.get("/").get_data(as_text=True)
    assert 'id="continue-button"' not in html and "公开的太极课" in html and "太极拳" in html
    anonymous = app.test_client().get("/").get_data(as_text=True)
    assert "公开的太极课" in anonymous and "登录开始学习" in anonymous


def test_the_lesson_page_offers_to_resume(app, db, learner, request_ctx):
    """With a stored position the page offers 「从 0:42 继续播放」 and 「从头播放」; the player gets its URLs."""
    course = make_ready_course(db)
    lesson = course.lessons[0]
    watch(learner.user, lesson, [(0, 42)], 42)
    db.session.commit()
    html = learner.get(f"/lessons/{lesson.id}").get_data(as_text=True)
    assert "从 0:42 继续播放" in html and "从头播放" in html
    config = json.loads(re.search(r"data-config='([^']+)'", html).group(1))
    assert config["resumeAt"] == 42 and config["video"]["hls_url"].endswith("/master.m3u8")
    assert config["video"]["audio_url"].endswith("/audio/index.m3u8") and config["userId"] == learner.user.id
    assert config["progressUrl"] == f"/api/v1/lessons/{lesson.id}/progress"
    assert "js/player.js" in html and "vendor/hls.min.js" in html and " style=" not in html
    fresh = learner.get(f"/lessons/{course.lessons[1].id}").get_data(as_text=True)
    assert "继续播放" not in fresh


def test_a_visitor_plays_a_public_lesson_without_reports(app, db):
    """Signed out, a public lesson still plays; the player is told not to report."""
    course = make_ready_course(db, visibility="public")
    client = app.test_client()
    html = client.get(f"/lessons/{course.lessons[0].id}").get_data(as_text=True)
    config = json.loads(re.search(r"data-config='([^']+)'", html).group(1))
    assert config["userId"] is None and config["progressUrl"] is None and config["video"]["hls_url"]
    body = client.get(f"/api/v1/lessons/{course.lessons[0].id}/playback").get_json()
    assert body["progress"] is None and body["video"]["audio_url"]


def test_playback_gives_fresh_signed_urls_and_the_callers_state(app, db, learner, request_ctx):
    """GET /lessons/{id}/playback: URLs, captions that can be shown, progress and settings."""
    course = make_ready_course(db)
    lesson = course.lessons[0]
    watch(learner.user, lesson, [(0, 30)], 30)
    db.session.commit()
    body = learner.get(f"/api/v1/lessons/{lesson.id}/playback").get_json()
    assert body["video"]["hls_url"].startswith("/media/") and body["progress"]["resume_at"] == 30
    assert body["preferences"] == {"playback_rate": 1.0, "captions_on": True, "caption_size": "medium",
                                   "autoplay_next": False}
    hidden = make_ready_course(db, visibility="classes")
    assert learner.get(f"/api/v1/lessons/{hidden.lessons[0].id}/playback").status_code == 403


def test_player_preferences_are_remembered(app, db, learner):
    """PATCH /me/player-preferences stores speed, captions and autoplay; wrong values are refused."""
    headers = {"X-CSRFToken": csrf_token(learner)}
    response = learner.patch("/api/v1/me/player-preferences", headers=headers,
                             json={"playback_rate": 1.25, "caption_size": "xlarge", "autoplay_next": True})
    assert response.status_code == 200 and response.get_json()["caption_size"] == "xlarge"
    assert learner.get("/api/v1/me/player-preferences").get_json()["playback_rate"] == 1.25
    for bad in ({"playback_rate": 3}, {"caption_size": "huge"}, {"autoplay_next": "maybe"}):
        assert learner.patch("/api/v1/me/player-preferences", headers=headers, json=bad).status_code == 422
    prefs = db.session.get(LearningPreference, learner.user.id)
    assert (prefs.playback_rate, prefs.caption_size, prefs.autoplay_next) == (1.25, "xlarge", True)
    assert app.test_client().get("/api/v1/me/player-preferences").status_code == 401


def test_the_settings_form_on_my_learning(app, db, learner):
    """The plain form saves the same settings; a forged choice is refused with a message."""
    token = csrf_token(learner, "/learning")
    response = learner.post("/learning/settings", data={"csrf_token": token, "playback_rate": "0.75",
                                                        "caption_size": "large", "autoplay_next": "y"})
    assert response.status_code == 302
    prefs = db.session.get(LearningPreference, learner.user.id)
    assert (prefs.playback_rate, prefs.caption_size, prefs.captions_on, prefs.autoplay_next) == (0.75, "large", False,
                                                                                                  True)
    page = learner.post("/learning/settings", data={"csrf_token": token, "playback_rate": "9",
                                                    "caption_size": "large"}, follow_redirects=True)
    assert "请从列表中选择" in page.get_data(as_text=True)
    db.session.refresh(prefs)
    assert prefs.playback_rate == 0.75


def test_minutes_per_week_and_month(app, db, learner, request_ctx):
    """Minutes are counted on the day (site time) the reports arrived, grouped by week and by month."""
    course = make_ready_course(db, lessons=2)
    user = learner.user
    today = services.local_day(utcnow())
    monday = today - timedelta(days=today.weekday())
    watch(user, course.lessons[0], [(0, 60)], when=utcnow())
    watch(user, course.lessons[1], [(0, 30)], when=utcnow() - timedelta(days=7))
    periods = services.minutes_by_period(user.id, today)
    assert len(periods["weeks"]) == 52 and len(periods["months"]) == 12
    assert periods["weeks"][-1] == {"start": monday, "minutes": 1.0}
    assert periods["weeks"][-2] == {"start": monday - timedelta(days=7), "minutes": 0.5}
    assert sum(m["minutes"] for m in periods["months"]) == 1.5
    assert periods["months"][-1]["start"] == date(today.year, today.month, 1)


def test_my_learning_page_and_api(app, db, learner, request_ctx):
    """「我的学习」 draws the charts as SVG with a title, a description and a table; the API has the same data."""
    course = make_ready_course(db, lessons=2, title="太极拳入门")
    watch(learner.user, course.lessons[0], [(0, 60)], 60)
    watch(learner.user, course.lessons[1], [(0, 30)], 30)
    db.session.commit()
    html = learner.get("/learning").get_data(as_text=True)
    assert html.count('<svg class="chart-svg chart-') == 4 and "<title id=\"weeks-title\">" in html and "<desc" in html
    assert "<table>" in html and "太极拳入门" in html and "<td>2</td>" in html  # 1.5 minutes, in whole minutes
    assert "How learners are doing" not in html and "学员学习情况" not in html
    body = learner.get("/api/v1/me/learning").get_json()
    assert len(body["weeks"]) == 52 and body["weeks"][-1]["minutes"] == 1.5
    assert body["lessons_completed"] == 1 and body["courses_in_progress"][0]["completed"] == 1
    assert body["continue_with"]["lesson_id"] == course.lessons[1].id
    assert app.test_client().get("/learning").status_code == 302


def test_teachers_see_the_figures_of_their_courses(app, db, people, request_ctx):
    """A course's teacher and admins get its figures (page and API); students and other teachers do not."""
    teacher = people["teacher"]
    course = make_ready_course(db, lessons=1, teachers=[teacher.user], title="我教的课")
    learner = make_user(db, roles=["student"], password=None)
    watch(learner, course.lessons[0], [(0, 60)], 60)
    db.session.commit()
    html = teacher.get("/learning").get_data(as_text=True)
    assert "我教的课" in html and "学员学习情况" in html
    body = teacher.get(f"/api/v1/courses/{course.id}/learning").get_json()
    assert body == {**body, "learners": 1, "lessons_completed": 1, "learners_finished": 1, "minutes": 1.0}
    assert people["admin"].get(f"/api/v1/courses/{course.id}/learning").status_code == 200
    assert people["student"].get(f"/api/v1/courses/{course.id}/learning").status_code == 403
    assert people["other_teacher"].get(f"/api/v1/courses/{course.id}/learning").status_code == 403


def test_ping_is_a_bare_answer(app, db):
    """The benchmark's baseline: {"ok": true}, nothing else."""
    assert app.test_client().get("/api/v1/ping").get_json() == {"ok": True}


def test_deleting_a_lesson_takes_its_progress_with_it(app, db, learner, request_ctx):
    """Progress rows and intervals go with their lesson (no orphans)."""
    from elearn.courses import services as courses
    from elearn.learning.models import WatchInterval

    course = make_ready_course(db, lessons=2)
    lesson = course.lessons[0]
    watch(learner.user, lesson, [(0, 10)], 10)
    db.session.commit()
    courses.delete_lesson(lesson)
    db.session.commit()
    assert db.session.scalars(select(WatchInterval)).all() == []


def test_the_pages_speak_english_too(app, db, learner, request_ctx):
    """With English chosen, the player, the home page and 「我的学习」 are in English."""
    course = make_ready_course(db)
    watch(learner.user, course.lessons[0], [(0, 42)], 42)
    db.session.commit()
    learner.set_cookie("elearn_lang", "en")
    learner.user.locale = "en"
    db.session.commit()
    lesson = learner.get(f"/lessons/{course.lessons[0].id}").get_data(as_text=True)
    assert "Continue from 0:42" in lesson and "Sound only" in lesson and "继续" not in lesson
    config = json.loads(re.search(r"data-config='([^']+)'", lesson).group(1))
    assert config["text"]["play"] == "Play"
    assert "Continue learning" in learner.get("/").get_data(as_text=True)
    assert "Minutes watched per week" in learner.get("/learning").get_data(as_text=True)
