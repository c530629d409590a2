from __future__ import annotations

import pytest
from sqlalchemy import select

from elearn.courses import covers, hooks
from elearn.core import storage
from elearn.core.errors import ServiceError
from elearn.courses import handouts, services
from elearn.core.permissions import SYSTEM
from elearn.courses.models import Category, Chapter, Course, Handout, Lesson
from tests.factories import make_course, make_user, pdf_bytes, png_bytes


def titles(course):
    return [(c.title, [lesson.title for lesson in c.lessons]) for c in course.chapters]


def test_categories_are_seeded_with_chinese_and_english_names(db, request_ctx):
    """The migration seeds the managed category list, each with a slug and both names."""
    categories = services.list_categories()
    names = [c.name_zh for c in categories]
    assert names[:11] == ["书法", "绘画", "声乐", "器乐", "舞蹈", "太极拳", "摄影", "智能手机", "养生保健", "文史", "党史学习"]
    assert all(c.slug and c.name_en for c in categories)


def test_creating_a_course_makes_a_draft_taught_by_its_creator(db, request_ctx):
    """A teacher who creates a course is its teacher, and it starts as a draft."""
    teacher = make_user(db, roles=["teacher"], password=None)
    course = services.create_course(teacher, title="  书法  入门 ", category="calligraphy")
    assert course.status == "draft" and course.title == "书法 入门"
    assert course.teachers == [teacher] and course.category.slug == "calligraphy"


def test_bad_course_fields_are_refused(db, request_ctx):
    """Empty titles, unknown categories and visibilities are refused with a field name."""
    teacher = make_user(db, roles=["teacher"], password=None)
    for kwargs, field in (({"title": " ", "category": "dance"}, "title"),
                          ({"title": "x", "category": "no-such"}, "category"),
                          ({"title": "x", "category": "dance", "visibility": "everyone"}, "visibility"),
                          ({"title": "x" * 201, "category": "dance"}, "title")):
        with pytest.raises(ServiceError) as err:
            services.create_course(teacher, **kwargs)
        assert err.value.details["field"] == field


def test_only_teachers_can_be_assigned(db, request_ctx):
    """A student cannot be made a course's teacher."""
    course = make_course(db)
    student = make_user(db, roles=["student"], password=None)
    with pytest.raises(ServiceError) as err:
        services.set_teachers(SYSTEM, course, [student.id])
    assert err.value.code == "not_a_teacher"


def test_first_lesson_without_chapters_creates_chapter_one(db, request_ctx):
    """Adding a lesson to a course with no chapters first creates 第一章."""
    course = make_course(db, lessons=0, chapters=0)
    lesson = services.add_lesson(course, "第一课")
    assert [c.title for c in course.chapters] == ["第一章"]
    assert lesson.chapter.position == 0 and lesson.position == 0


def test_lessons_go_to_the_last_chapter_or_the_chosen_one(db, request_ctx):
    """Without a chapter a lesson goes to the end of the last chapter; with one, to that chapter."""
    course = make_course(db, lessons=0, chapters=2)
    first, last = course.chapters
    services.add_lesson(course, "A")
    services.add_lesson(course, "B", chapter=first)
    assert titles(course) == [("第1章", ["B"]), ("第2章", ["A"])]
    other = make_course(db, lessons=0, chapters=1)
    with pytest.raises(ServiceError) as err:
        services.add_lesson(course, "C", chapter=other.chapters[0])
    assert err.value.code == "chapter_not_in_course"


def test_moving_lessons_within_and_across_chapters(db, request_ctx):
    """Up/down swaps neighbours; past a chapter's end a lesson crosses into the next chapter."""
    course = make_course(db, lessons=0, chapters=2)
    ch1, ch2 = course.chapters
    a, b = services.add_lesson(course, "A", chapter=ch1), services.add_lesson(course, "B", chapter=ch1)
    c = services.add_lesson(course, "C", chapter=ch2)
    services.move_lesson(b, "up")
    assert titles(course) == [("第1章", ["B", "A"]), ("第2章", ["C"])]
    services.move_lesson(a, "down")
    assert titles(course) == [("第1章", ["B"]), ("第2章", ["A", "C"])]
    services.move_lesson(a, "up")
    assert titles(course) == [("第1章", ["B", "A"]), ("第2章", ["C"])]
    for direction, lesson in (("up", b), ("down", c)):
        with pytest.raises(ServiceError) as err:
            services.move_lesson(lesson, direction)
        assert err.value.code == "cannot_move" and err.value.status == 409
    db.session.commit()
    db.session.expire_all()
    stored = db.session.scalars(select(Lesson).where(Lesson.chapter_id == ch1.id).order_by(Lesson.position))
    assert [lesson.title for lesson in stored] == ["B", "A"]


def test_moving_chapters(db, request_ctx):
    """Chapters swap places with up/down; the first cannot go further up."""
    course = make_course(db, lessons=0, chapters=3)
    services.move_chapter(course.chapters[2], "up")
    assert [c.title for c in course.chapters] == ["第1章", "第3章", "第2章"]
    with pytest.raises(ServiceError):
        services.move_chapter(course.chapters[0], "up")
    with pytest.raises(ServiceError) as err:
        services.move_chapter(course.chapters[0], "sideways")
    assert err.value.code == "bad_direction"
    db.session.commit()
    db.session.expire_all()
    positions = db.session.scalars(select(Chapter.title).where(Chapter.course_id == course.id)
                                   .order_by(Chapter.position)).all()
    assert positions == ["第1章", "第3章", "第2章"]


def test_publishing_needs_a_lesson_and_keeps_one(db, request_ctx):
    """An empty course cannot be published, and a published course cannot lose its last lesson."""
    course = make_course(db, lessons=0)
    with pytest.raises(ServiceError) as err:
        services.update_course(course, status="published")
    assert err.value.code == "no_lessons"
    lesson = services.add_lesson(course, "一")
    services.update_course(course, status="published")
    assert course.is_published and course.published_at is not None
    with pytest.raises(ServiceError):
        services.delete_lesson(lesson)
    with pytest.raises(ServiceError):
        services.delete_chapter(lesson.chapter)


def test_deleting_renumbers_and_cascades(db, request_ctx):
    """Deleting a lesson closes the gap; deleting a course removes its chapters and lessons."""
    course = make_course(db, lessons=3)
    first, second, third = course.lessons
    services.delete_lesson(second)
    assert [(lesson.title, lesson.position) for lesson in course.lessons] == [("第1课", 0), ("第3课", 1)]
    course_id = course.id
    services.delete_course(course)
    db.session.commit()
    assert db.session.get(Course, course_id) is None
    assert db.session.scalar(select(Chapter).where(Chapter.course_id == course_id)) is None


def test_get_lesson_raises_not_found(db, request_ctx):
    """A missing or malformed lesson id is a plain 404 ServiceError."""
    for value in (999999, "abc", None, -1, "12x"):
        with pytest.raises(ServiceError) as err:
            services.get_lesson(value)
        assert err.value.status == 404 and err.value.code == "lesson_not_found"


def test_handout_filename_check(db, request_ctx):
    """PDF, pictures and Word files are accepted by name; anything else is refused clearly."""
    assert handouts.check_handout_filename("讲义.PDF") == "application/pdf"
    assert handouts.check_handout_filename("a.docx").endswith("wordprocessingml.document")
    assert handouts.check_handout_filename("photo.jpeg") == "image/jpeg"
    for name in ("virus.exe", "page.html", "pic.svg", "noext", "", None):
        with pytest.raises(ServiceError) as err:
            handouts.check_handout_filename(name)
        assert err.value.code == "handout_type" and err.value.status == 415


def test_add_handout_records_a_file_in_place(app, db, request_ctx):
    """add_handout records a file already under media, judging its type by its own bytes."""
    course = make_course(db)
    lesson = course.lessons[0]
    path = storage.root() / "handouts" / str(lesson.id) / "abc.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf_bytes())
    handout = handouts.add_handout(lesson, "../../第一课 讲义.pdf", f"handouts/{lesson.id}/abc.pdf", 99, "text/html")
    assert handout.original_filename == "第一课 讲义.pdf"
    assert handout.content_type == "application/pdf" and handout.size == 99


def test_add_handout_refuses_renamed_and_escaping_files(app, db, request_ctx):
    """A text file named .pdf, a path outside media, or a missing file is refused."""
    lesson = make_course(db).lessons[0]
    fake = storage.root() / "handouts" / "fake.pdf"
    fake.parent.mkdir(parents=True, exist_ok=True)
    fake.write_text("just text")
    with pytest.raises(ServiceError) as err:
        handouts.add_handout(lesson, "fake.pdf", "handouts/fake.pdf", 9, "application/pdf")
    assert err.value.code == "handout_content"
    for bad in ("../outside.pdf", "/etc/passwd", "handouts/missing.pdf"):
        with pytest.raises(ServiceError):
            handouts.add_handout(lesson, "x.pdf", bad, 1, "application/pdf")
    assert lesson.handouts == []


def test_handout_files_go_with_their_rows_after_commit(app, db, request_ctx):
    """A stored handout's file is removed only once the deletion is committed."""
    lesson = make_course(db).lessons[0]
    handout = handouts.store_handout(lesson, "图.png", png_bytes())
    db.session.commit()
    path = storage.path(handout.stored_path)
    assert path.is_file()
    handouts.delete_handout(handout)
    assert path.is_file()
    db.session.commit()
    assert not path.exists()


def test_files_written_in_a_rolled_back_transaction_are_removed(app, db, request_ctx):
    """A cover written in a transaction that is rolled back does not stay on disk."""
    course = make_course(db)
    covers.set_cover(course, png_bytes())
    path = storage.path(course.cover_path)
    assert path.is_file()
    db.session.rollback()
    assert not path.exists()


def test_cover_must_be_a_real_small_picture(app, db, request_ctx):
    """Covers are PNG/JPEG/WebP by their bytes, at most 5 MB, stored under a random name."""
    course = make_course(db)
    covers.set_cover(course, png_bytes())
    assert course.cover_path.startswith("covers/") and course.cover_path.endswith(".png")
    with pytest.raises(ServiceError) as err:
        covers.set_cover(course, b"GIF89a not allowed as a cover")
    assert err.value.code == "cover_not_image"
    with pytest.raises(ServiceError) as err:
        covers.set_cover(course, b"\x89PNG\r\n\x1a\n" + b"0" * covers.COVER_MAX_BYTES)
    assert err.value.code == "cover_too_large"


def test_lesson_media_comes_from_the_video_package(db, request_ctx):
    """lesson_media reports what elearn.video says, with the three keys the API needs."""
    lesson = make_course(db).lessons[0]
    media = hooks.media_of(lesson.id)
    assert set(media) == {"video", "pending_video", "captions"}
    assert media["video"] is None and media["pending_video"] is None and media["captions"] == []


def test_category_name_follows_the_language(app, db):
    """A category shows its Chinese name by default and its English name to English readers."""
    from flask_babel import refresh

    category = db.session.scalar(select(Category).where(Category.slug == "taichi"))
    with app.test_request_context():
        refresh()  # the db fixture's app context would otherwise keep one language for all
        assert category.name == "太极拳"
    with app.test_request_context(headers={"Cookie": "elearn_lang=en"}):
        refresh()
        assert category.name == "Tai chi"


def test_handout_row_cascades_with_lesson(db, request_ctx):
    """Deleting a lesson removes its handout rows."""
    course = make_course(db, lessons=2)
    lesson = course.lessons[0]
    handouts.store_handout(lesson, "a.png", png_bytes())
    db.session.commit()
    services.delete_lesson(lesson)
    db.session.commit()
    assert db.session.scalar(select(Handout).where(Handout.lesson_id == lesson.id)) is None
