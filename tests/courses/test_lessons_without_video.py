"""Lessons without a video learners can watch (none uploaded, failed, still being prepared): the course
card and the course page do not count them as ready, and the teacher is told which ones before and
after publishing (on the page, no pop-up); publishing stays possible."""
from __future__ import annotations

import re

from tests.clients import csrf_token
from tests.factories import make_asset, make_course


def mixed_course(db, teacher, status="published"):
    """第1课 ready, 第2课 failed, 第3课 being prepared, 第4课 with nothing."""
    course = make_course(db, teachers=[teacher], status=status, visibility="public", lessons=4, title="八段锦")
    first, second, third, _ = course.lessons
    make_asset(db, first, "ready", duration=60, size=1)
    make_asset(db, second, "failed")
    make_asset(db, third, "processing")
    return course


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_card_and_course_page_count_only_lessons_learners_can_watch(db, people):
    course = mixed_course(db, people["teacher"].user)
    catalogue = text(people["student"].get("/courses").get_data(as_text=True))
    assert "共 4 课，现在可以看 1 课" in catalogue
    page = text(people["student"].get(f"/courses/{course.id}").get_data(as_text=True))
    assert "共 4 课，现在可以看 1 课" in page


def test_a_course_whose_lessons_are_all_ready_says_just_how_many(db, people):
    course = make_course(db, teachers=[people["teacher"].user], status="published", lessons=2, title="太极")
    for lesson in course.lessons:
        make_asset(db, lesson, "ready", duration=60, size=1)
    catalogue = text(people["student"].get("/courses").get_data(as_text=True))
    assert "2 课" in catalogue and "现在可以看" not in catalogue


def test_the_course_page_names_the_lessons_without_video_before_publishing(db, people):
    """Next to 「发布课程」 the teacher reads which lessons have no video yet, each a link to its media panel."""
    course = mixed_course(db, people["teacher"].user, status="draft")
    html = people["teacher"].get(f"/teaching/courses/{course.id}").get_data(as_text=True)
    warning = html[html.index('id="without-video"'):]
    warning = warning[:warning.index("</div>")]
    for lesson in course.lessons[1:]:
        assert f'/teaching/lessons/{lesson.id}/edit#media">{lesson.title}</a>' in warning
    assert f"/teaching/lessons/{course.lessons[0].id}/edit" not in warning
    assert 'aria-describedby="without-video"' in html
    assert "课程照样可以发布" in warning


def test_publishing_still_works_and_says_which_lessons_have_no_video(db, people):
    teacher = people["teacher"]
    course = mixed_course(db, teacher.user, status="draft")
    response = teacher.post(f"/teaching/courses/{course.id}/status", follow_redirects=True,
                            data={"status": "published", "csrf_token": csrf_token(teacher, "/")})
    page = text(response.get_data(as_text=True))
    db.session.refresh(course)
    assert course.status == "published"
    assert "这些课还没有可以播放的视频，学员暂时看不了：“第2课”、“第3课”、“第4课”。" in page


def test_a_course_with_every_video_ready_has_no_warning(db, people):
    teacher = people["teacher"]
    course = make_course(db, teachers=[teacher.user], lessons=1)
    make_asset(db, course.lessons[0], "ready", duration=60, size=1)
    html = teacher.get(f"/teaching/courses/{course.id}").get_data(as_text=True)
    assert 'id="without-video"' not in html
    response = teacher.post(f"/teaching/courses/{course.id}/status", follow_redirects=True,
                            data={"status": "published", "csrf_token": csrf_token(teacher, "/")})
    assert "学员暂时看不了" not in response.get_data(as_text=True)
