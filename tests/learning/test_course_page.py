"""The course page shows the learner's progress: a ✓ and the length of each lesson, the next
unfinished lesson as the primary button, and the course's completion (courses.hooks.course_page_learning)."""
from __future__ import annotations

import re
from datetime import timedelta

from elearn.core.timeutil import utcnow
from elearn.learning import services
from tests.clients import sign_in
from tests.factories import make_asset, make_ready_course, make_user


def finish(user, lesson, seconds=60.0):
    viewing = services.start_viewing(user, lesson, now=utcnow() - timedelta(hours=1)).public_id
    return services.record_heartbeat(user, lesson, seconds, [(0, seconds)], viewing=viewing)


def primary_button(html):
    """The course page's primary button: where it goes and what it says (tags and line breaks dropped)."""
    found = re.search(r'<a class="button primary big[^"]*" id="course-next" href="([^"]+)">(.*?)</a>', html, re.S)
    assert found, html
    return found.group(1), re.sub(r"\s*\n\s*", "", re.sub(r"<[^>]+>", "", found.group(2))).strip()


def lesson_items(html):
    return re.findall(r"<li( class=\"done\")?>\s*<a href=\"/lessons/(\d+)\">[^<]*</a>(.*?)</li>", html, re.S)


def test_a_newcomer_sees_the_lengths_and_the_first_lesson(app, db, request_ctx):
    """Each lesson's length in plain words; no ✓, no completion bar; 「开始学第一课」."""
    course = make_ready_course(db, lessons=3)
    make_asset(db, course.lessons[2], "ready", duration=45.0, size=1)  # replaced by a shorter video
    client = sign_in(app.test_client(), make_user(db, roles=["student"], password=None))
    html = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert primary_button(html) == (f"/lessons/{course.lessons[0].id}", "开始学第一课")
    items = lesson_items(html)
    assert [item[1] for item in items] == [str(lesson.id) for lesson in course.lessons]
    assert ["约 1 分钟" in item[2] for item in items] == [True, True, False] and "45 秒" in items[2][2]
    assert "✓" not in html and 'id="course-completion"' not in html


def test_after_two_lessons_the_page_shows_ticks_completion_and_the_next_lesson(app, db, request_ctx):
    """Lessons 1 and 2 done: each has a ✓ with 「已学完」, the bar says 2 of 5, and the button goes on
    with 「继续学习：第3课 …」 (not 「开始学第一课」)."""
    course = make_ready_course(db, lessons=5)
    user = make_user(db, roles=["student"], password=None)
    finish(user, course.lessons[0])
    finish(user, course.lessons[1])
    services.record_heartbeat(user, course.lessons[3], 10, [(0, 10)],
                              viewing=services.start_viewing(user, course.lessons[3],
                                                             now=utcnow() - timedelta(minutes=1)).public_id)
    db.session.commit()
    html = sign_in(app.test_client(), user).get(f"/courses/{course.id}").get_data(as_text=True)
    third = course.lessons[2]
    assert third.title == "第3课"  # the factory's title already says which lesson: not said twice
    assert primary_button(html) == (f"/lessons/{third.id}", "继续学习：第3课")
    third.title = "起势与呼吸"
    db.session.commit()
    html = sign_in(app.test_client(), user).get(f"/courses/{course.id}").get_data(as_text=True)
    assert primary_button(html) == (f"/lessons/{third.id}", "继续学习：第3课 起势与呼吸")
    ticks = [bool(item[0]) for item in lesson_items(html)]
    assert ticks == [True, True, False, False, False]
    assert all("✓" in item[2] and "已学完" in item[2] for item in lesson_items(html)[:2])
    assert "已学完 2 / 5 课（40%）" in html
    assert re.search(r'<progress class="course-progress" id="course-completion" max="5" value="2">40%</progress>', html)


def test_a_lesson_without_a_video_is_not_the_next_one(app, db, request_ctx):
    """Lesson 2 cannot be watched yet: the button offers lesson 3."""
    from tests.factories import make_course

    course = make_course(db, status="published", visibility="signed_in", lessons=3)
    make_asset(db, course.lessons[0], "ready", duration=60.0, size=1)
    make_asset(db, course.lessons[2], "ready", duration=60.0, size=1)
    user = make_user(db, roles=["student"], password=None)
    finish(user, course.lessons[0])
    db.session.commit()
    html = sign_in(app.test_client(), user).get(f"/courses/{course.id}").get_data(as_text=True)
    assert primary_button(html)[0] == f"/lessons/{course.lessons[2].id}"


def test_a_finished_course_says_so_and_offers_to_watch_again(app, db, request_ctx):
    course = make_ready_course(db, lessons=2)
    user = make_user(db, roles=["student"], password=None)
    for lesson in course.lessons:
        finish(user, lesson)
    db.session.commit()
    html = sign_in(app.test_client(), user).get(f"/courses/{course.id}").get_data(as_text=True)
    assert primary_button(html) == (f"/lessons/{course.lessons[0].id}", "从第一课重新学")
    assert "已学完全部 2 课" in html


def test_a_visitor_sees_lengths_but_no_progress(app, db):
    course = make_ready_course(db, lessons=2, visibility="public")
    html = app.test_client().get(f"/courses/{course.id}").get_data(as_text=True)
    assert "约 1 分钟" in html and 'id="course-completion"' not in html
    assert primary_button(html)[1] == "开始学第一课"
