"""The authoring and learner pages do what they say, and bad input gets a clear answer."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from werkzeug.http import parse_options_header
from sqlalchemy import func, select

from elearn.core import storage
from elearn.courses import handouts, services
from elearn.courses.models import Course
from tests.clients import csrf_token, sign_in
from tests.factories import make_course, make_user, pdf_bytes, png_bytes


@pytest.fixture
def teacher(app, db):
    return sign_in(app.test_client(), make_user(db, roles=["teacher"], password=None))


def course_form(client, **overrides):
    data = {"title": "太极拳二十四式", "subtitle": "慢慢学", "category": str(_category_id("taichi")),
            "description_md": "## 简介", "visibility": "public", "csrf_token": csrf_token(client, "/teaching/courses/new")}
    data.update(overrides)
    return data


def _category_id(slug):
    return services.get_category(slug).id


def _count_courses(db):
    return db.session.scalar(select(func.count(Course.id)))


def test_creating_a_course_with_a_cover(teacher, db, app):
    """The new-course form makes a draft taught by the teacher, with the cover stored under a random name."""
    data = course_form(teacher, cover=(io.BytesIO(png_bytes()), "../../我的 封面.png"))
    response = teacher.post("/teaching/courses/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    course = db.session.scalar(select(Course).order_by(Course.id.desc()))
    assert course.title == "太极拳二十四式" and course.status == "draft" and course.has_teacher(teacher.user)
    assert re.fullmatch(r"covers/[0-9a-f]{32}\.png", course.cover_path)
    cover = teacher.get(f"/courses/{course.id}/cover")
    assert cover.status_code == 200 and cover.mimetype == "image/png" and cover.data == png_bytes()


@pytest.mark.parametrize("name,data,message", [
    ("fake.png", b"this is text, not a picture", "封面必须是图片"),
    ("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * (5 * 1024 * 1024 + 10), "图片太大了")])
def test_a_bad_cover_refuses_the_whole_form(teacher, db, name, data, message):
    """A cover that is not a picture, or too large, is refused with a message and no course is created."""
    before = _count_courses(db)
    response = teacher.post("/teaching/courses/new", data=course_form(teacher, cover=(io.BytesIO(data), name)),
                            content_type="multipart/form-data")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert _count_courses(db) == before


def test_only_admins_see_and_set_teachers(app, db, teacher):
    """The teachers checkboxes are on the admin's form only; a teacher cannot add co-teachers by posting them."""
    other = make_user(db, roles=["teacher"], password=None)
    assert 'name="teachers"' not in teacher.get("/teaching/courses/new").get_data(as_text=True)
    teacher.post("/teaching/courses/new", data=course_form(teacher, teachers=[str(other.id)]))
    course = db.session.scalar(select(Course).order_by(Course.id.desc()))
    assert [t.id for t in course.teachers] == [teacher.user.id]
    admin = sign_in(app.test_client(), make_user(db, roles=["admin"], password=None))
    page = admin.get(f"/teaching/courses/{course.id}/edit").get_data(as_text=True)
    assert 'name="teachers"' in page
    data = course_form(admin, teachers=[str(other.id)])
    assert admin.post(f"/teaching/courses/{course.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert [t.id for t in course.teachers] == [other.id]


def test_description_is_sanitised_on_the_course_page(teacher, db):
    """Script tags, event handlers and javascript: links in a description never reach the page."""
    evil = ('## 简介\n\n<script>alert("x")</script>\n\n<img src=x onerror="alert(1)">\n\n'
            '[点我](javascript:alert(1)) <a href="javascript:alert(2)">这里</a>')
    teacher.post("/teaching/courses/new", data=course_form(teacher, description_md=evil))
    course = db.session.scalar(select(Course).order_by(Course.id.desc()))
    html = teacher.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "<h2>简介</h2>" in html
    assert 'alert("x")' not in html and "onerror" not in html and 'href="javascript' not in html


def test_publishing_an_empty_course_from_the_page(teacher, db):
    """The publish button on an empty course explains that a lesson is needed, and leaves it a draft."""
    course = make_course(db, teachers=[teacher.user], lessons=0)
    token = csrf_token(teacher, f"/teaching/courses/{course.id}")
    response = teacher.post(f"/teaching/courses/{course.id}/status", data={"status": "published", "csrf_token": token},
                            follow_redirects=True)
    assert "请先添加至少一课，再发布课程。" in response.get_data(as_text=True)
    db.session.expire_all()
    assert course.status == "draft"


def test_outline_buttons_add_and_move(teacher, db):
    """Chapters and lessons are added with forms and moved with big up/down buttons (no drag, no JS)."""
    course = make_course(db, teachers=[teacher.user], lessons=0, chapters=0)
    token = csrf_token(teacher, f"/teaching/courses/{course.id}")
    teacher.post(f"/teaching/courses/{course.id}/chapters", data={"chapter-title": "第一章", "csrf_token": token})
    chapter = course.chapters[0] if course.chapters else None
    db.session.expire_all()
    chapter = course.chapters[0]
    for title in ("甲", "乙"):
        response = teacher.post(f"/teaching/chapters/{chapter.id}/lessons",
                                data={"lesson-title": title, "csrf_token": token})
        assert response.status_code == 302 and "/teaching/lessons/" in response.headers["Location"]
    page = teacher.get(f"/teaching/courses/{course.id}").get_data(as_text=True)
    assert page.count("上移") == 3 and "<script" not in page.split("<main")[1].split("</main>")[0]
    db.session.expire_all()
    second = course.chapters[0].lessons[1]
    response = teacher.post(f"/teaching/lessons/{second.id}/move/up", data={"csrf_token": token})
    assert response.headers["Location"].endswith(f"#lesson-{second.id}")
    db.session.expire_all()
    assert [lesson.title for lesson in course.chapters[0].lessons] == ["乙", "甲"]
    edge = teacher.post(f"/teaching/lessons/{second.id}/move/up", data={"csrf_token": token}, follow_redirects=True)
    assert "这一课已经是第一课了。" in edge.get_data(as_text=True)


def test_deleting_asks_on_a_page_first(teacher, db):
    """Delete links lead to a confirmation page; only its button deletes."""
    course = make_course(db, teachers=[teacher.user], lessons=2)
    lesson = course.lessons[0]
    page = teacher.get(f"/teaching/lessons/{lesson.id}/delete")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "是的，删除这一课" in html and "confirm(" not in html
    db.session.expire_all()
    assert len(course.lessons) == 2
    teacher.post(f"/teaching/lessons/{lesson.id}/delete", data={"csrf_token": csrf_token(teacher, "/")})
    db.session.expire_all()
    assert [lesson.title for lesson in course.lessons] == ["第2课"]
    chapter, course_id = course.chapters[0], course.id
    teacher.post(f"/teaching/chapters/{chapter.id}/delete", data={"csrf_token": csrf_token(teacher, "/")})
    db.session.expire_all()
    assert course.chapters == []
    teacher.post(f"/teaching/courses/{course_id}/delete", data={"csrf_token": csrf_token(teacher, "/")})
    db.session.expire_all()
    assert db.session.get(Course, course_id) is None


def test_lesson_edit_page_has_media_panel_and_handouts(teacher, db):
    """The lesson page for teachers has the video panel, the handout list and a delete link per handout."""
    course = make_course(db, teachers=[teacher.user])
    lesson = course.lessons[0]
    handouts.store_handout(lesson, "讲义.pdf", pdf_bytes())
    db.session.commit()
    html = teacher.get(f"/teaching/lessons/{lesson.id}/edit").get_data(as_text=True)
    assert 'id="media"' in html and "讲义.pdf" in html
    assert f"/teaching/handouts/{lesson.handouts[0].id}/delete" in html


@pytest.mark.parametrize("name,data,message", [
    ("程序.exe", b"MZ\x90\x00", "讲义只能是 PDF 文件"),
    ("假的.pdf", b"plain text pretending", "这个文件的内容和它的类型不符"),
])
def test_bad_handouts_are_refused(teacher, db, name, data, message):
    """Handouts of the wrong kind, or renamed to look right, are refused with a clear message."""
    lesson = make_course(db, teachers=[teacher.user]).lessons[0]
    before = {p for p in storage.root().rglob("*") if p.is_file()}
    response = teacher.post(f"/teaching/lessons/{lesson.id}/handouts", follow_redirects=True,
                            data={"file": (io.BytesIO(data), name), "csrf_token": csrf_token(teacher, "/")},
                            content_type="multipart/form-data")
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert lesson.handouts == []
    assert {p for p in storage.root().rglob("*") if p.is_file()} == before  # no file left either


def test_handout_download_headers(app, db, teacher):
    """Handouts download with their own type and a safe, encoded file name; Word files as attachments."""
    course = make_course(db, teachers=[teacher.user], status="published", visibility="signed_in")
    lesson = course.lessons[0]
    pdf = handouts.store_handout(lesson, '讲义"; x=.pdf', pdf_bytes())
    docx = handouts.store_handout(lesson, "练习.docx", b"PK\x03\x04" + b"\x00" * 40)
    db.session.commit()
    student = sign_in(app.test_client(), make_user(db, roles=["student"], password=None))
    response = student.get(f"/handouts/{pdf.id}")
    assert response.status_code == 200 and response.mimetype == "application/pdf" and response.data == pdf_bytes()
    kind, params = parse_options_header(response.headers["Content-Disposition"])
    assert kind == "inline" and params["filename"] == "讲义; x=.pdf"  # the quote cannot end the parameter
    assert set(params) == {"filename"}
    word = student.get(f"/handouts/{docx.id}")
    assert word.headers["Content-Disposition"].startswith("attachment")
    assert word.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_learner_pages_show_the_course(app, db):
    """The catalogue groups by category; the course and lesson pages show contents, handouts and no player yet."""
    teacher = make_user(db, roles=["teacher"], password=None)
    course = make_course(db, teachers=[teacher], status="published", lessons=2, category="smartphone",
                         title="智能手机入门")
    handouts.store_handout(course.lessons[0], "讲义.pdf", pdf_bytes())
    db.session.commit()
    client = app.test_client()
    catalogue = client.get("/courses?category=smartphone").get_data(as_text=True)
    assert "智能手机入门" in catalogue and "课程：智能手机" in catalogue
    assert "智能手机入门" not in client.get("/courses?category=dance").get_data(as_text=True)
    assert client.get("/courses?category=nonsense").status_code == 404
    page = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "第1课" in page and "第2课" in page and teacher.name in page and "开始学第一课" in page
    lesson = client.get(f"/lessons/{course.lessons[0].id}").get_data(as_text=True)
    assert "讲义.pdf" in lesson and "这一课暂时没有视频。" in lesson and "下一课：第2课" in lesson


def test_missing_course_is_a_friendly_404(app, db):
    """An unknown course id shows the 404 page, not an error."""
    response = app.test_client().get("/courses/999999")
    assert response.status_code == 404 and "这门课程不存在" in response.get_data(as_text=True)


def test_pages_have_no_inline_scripts_or_styles(teacher, db):
    """Course pages keep to the strict CSP: no inline script or style attributes."""
    course = make_course(db, teachers=[teacher.user], status="published")
    lesson = course.lessons[0]
    for url in ("/courses", f"/courses/{course.id}", f"/lessons/{lesson.id}", "/teaching",
                f"/teaching/courses/{course.id}", f"/teaching/courses/{course.id}/edit", "/teaching/courses/new"):
        html = teacher.get(url).get_data(as_text=True)
        assert " style=" not in html and "onclick" not in html, url
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
    assert Path(teacher.application.static_folder, "css", "courses.css").is_file()
