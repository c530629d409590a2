"""Course packages: export then import gives the same course; a broken package leaves nothing behind."""
from __future__ import annotations

import shutil
import subprocess
import tomllib

import pytest
from sqlalchemy import func, select

from elearn.courses import covers, hooks
from elearn.core import storage
from elearn.courses import handouts, package_export, packages, services
from elearn.courses.models import Course, Handout, Lesson
from tests.factories import make_course, make_user, pdf_bytes, png_bytes

TRICKY = 'Line with "quotes", a back\\slash, a tab\there and """ three quotes\n\n- 列表\n- 第二项\n'


def snapshot(course) -> dict:
    """Everything a package carries, with file contents, for comparing two courses."""
    from elearn.video.models import Caption

    def captions(lesson):
        rows = services.db.session.scalars(select(Caption).where(Caption.lesson_id == lesson.id)).all()
        return sorted((c.lang, storage.path(c.source_path).read_bytes()) for c in rows)

    cover = storage.path(course.cover_path).read_bytes() if course.cover_path else None
    return {
        "title": course.title, "subtitle": course.subtitle, "category": course.category.slug,
        "description": course.description_md, "visibility": course.visibility, "status": course.status,
        "cover": cover,
        "chapters": [(chapter.title, [
            (lesson.title, lesson.description_md,
             [(h.original_filename, h.content_type, storage.path(h.stored_path).read_bytes())
              for h in lesson.handouts],
             captions(lesson))
            for lesson in chapter.lessons]) for chapter in course.chapters],
    }


def rich_course(db):
    teacher = make_user(db, roles=["teacher"], password=None)
    course = services.create_course(teacher, title="书法 \"基础\"", subtitle="楷书\\行书", category="calligraphy",
                                    description_md=TRICKY, visibility="signed_in")
    covers.set_cover(course, png_bytes(8, 6))
    first = services.add_chapter(course, "第一章 笔画")
    second = services.add_chapter(course, "第二章 结构")
    one = services.add_lesson(course, "横", "写**横**", chapter=first)
    services.add_lesson(course, "竖", "", chapter=first)
    services.add_lesson(course, "结构", TRICKY, chapter=second)
    handouts.store_handout(one, "横的写法.pdf", pdf_bytes("横"))
    handouts.store_handout(one, "范字.png", png_bytes())
    handouts.store_handout(one, "范字.png", png_bytes(5, 5))  # the same name twice: both kept, names too
    srt = b"1\n00:00:00,000 --> 00:00:01,000\n\xe6\xa8\xaa\n"
    tmp = storage.root() / "tmp-caption.srt"
    tmp.write_bytes(srt)
    from elearn.video.services import add_caption

    add_caption(one, tmp, "横.srt", "zh", None, move=True)
    services.set_status(course, "published")
    db.session.commit()
    return course, teacher


def test_export_then_import_gives_an_equal_course(app, db, tmp_path, request_ctx):
    """A course exported to a package and imported again has the same fields, outline and files."""
    course, teacher = rich_course(db)
    folder = package_export.export_course(course, tmp_path)
    assert folder == tmp_path / package_export.course_slug(course)
    data = tomllib.loads((folder / "course.toml").read_text(encoding="utf-8"))
    assert data["description"] == course.description_md and data["category"] == "calligraphy"
    result = packages.import_package(folder, teachers=[teacher])
    db.session.commit()
    assert result.course.id != course.id
    assert snapshot(result.course) == snapshot(course)
    assert result.course.teachers == [teacher] and result.course.slug == package_export.course_slug(course)


def test_export_refuses_to_overwrite(app, db, tmp_path, request_ctx):
    """Exporting twice into the same place is refused instead of mixing two packages."""
    course = make_course(db)
    package_export.export_course(course, tmp_path)
    with pytest.raises(services.ServiceError) as err:
        package_export.export_course(course, tmp_path)
    assert err.value.code == "export_exists"
    assert [p.name for p in tmp_path.iterdir()] == [package_export.course_slug(course)]  # no temporary folder left


def test_slug_comes_from_the_title_in_pinyin(db, request_ctx):
    """A course without a slug is exported under the pinyin of its title."""
    course = make_course(db, title="智能手机 入门")
    assert package_export.course_slug(course) == "zhi-neng-shou-ji-ru-men"


def write_package(folder, toml: str, files: dict | None = None):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "course.toml").write_text(toml, encoding="utf-8")
    for name, data in (files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


GOOD = '''title = "好课"
category = "dance"
status = "published"
cover = "cover.png"
[[chapters]]
title = "一"
[[chapters.lessons]]
title = "第一课"
handouts = ["a.pdf"]
[[chapters.lessons]]
title = "第二课"
handouts = ["b.png"]
'''
GOOD_FILES = {"cover.png": png_bytes(), "a.pdf": pdf_bytes(), "b.png": png_bytes()}

BROKEN = [
    ("missing file", GOOD.replace('"b.png"', '"missing.png"'), "chapters[0].lessons[1].handouts[0]"),
    ("bad toml", GOOD.replace('title = "好课"', 'title = "好课'), "course.toml"),
    ("unknown category", GOOD.replace('"dance"', '"knitting"'), "category"),
    ("unknown field", GOOD.replace("[[chapters.lessons]]\ntitle = \"第二课\"",
                                   "[[chapters.lessons]]\ntitel = \"第二课\""), "chapters[0].lessons[1].titel"),
    ("escape", GOOD.replace('"b.png"', '"../outside.png"'), "chapters[0].lessons[1].handouts[0]"),
    ("renamed text", GOOD.replace('"b.png"', '"fake.pdf"'), "chapters[0].lessons[1].handouts[0]"),
    ("bad visibility", GOOD.replace('category = "dance"', 'category = "dance"\nvisibility = "friends"'),
     "visibility"),
    ("published without lessons", 'title = "空"\ncategory = "dance"\nstatus = "published"\n', "status"),
    ("empty title", GOOD.replace('title = "一"', 'title = "  "'), "chapters[0].title"),
]


def _state(db, media_root):
    counts = tuple(db.session.scalar(select(func.count(m.id))) for m in (Course, Lesson, Handout))
    return counts, sorted(p for p in media_root.rglob("*") if p.is_file())


@pytest.mark.parametrize("case,toml,field", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_packages_leave_nothing_behind(app, db, tmp_path, case, toml, field):
    """Each broken package is refused by `flask courses import` naming the bad field, and nothing stays."""
    folder = write_package(tmp_path / "pkg", toml, dict(GOOD_FILES, **{"fake.pdf": b"not a pdf"}))
    (tmp_path / "outside.png").write_bytes(png_bytes())
    with app.test_request_context():
        before = _state(db, storage.root())
    result = app.test_cli_runner().invoke(args=["courses", "import", str(folder)])
    assert result.exit_code != 0
    assert f"{field}:" in result.output, result.output
    with app.test_request_context():
        assert _state(db, storage.root()) == before


def test_rolling_back_an_import_removes_its_files(app, db, tmp_path):
    """An import whose transaction is rolled back (any late failure) takes its copied files with it."""
    folder = write_package(tmp_path / "pkg", GOOD, GOOD_FILES)
    with app.test_request_context():
        before = _state(db, storage.root())
        packages.import_package(folder)
        assert _state(db, storage.root()) != before
        db.session.rollback()
        assert _state(db, storage.root()) == before


def test_import_cli_imports_a_folder_of_packages(app, db, tmp_path):
    """`flask courses import` takes a folder of packages; each one is imported whole."""
    write_package(tmp_path / "one", GOOD, GOOD_FILES)
    write_package(tmp_path / "two", GOOD.replace("好课", "另一门"), GOOD_FILES)
    teacher = make_user(db, roles=["teacher"], password=None)
    result = app.test_cli_runner().invoke(args=["courses", "import", str(tmp_path), "--teacher", teacher.mobile])
    assert result.exit_code == 0, result.output
    titles = db.session.scalars(select(Course.title).order_by(Course.id.desc()).limit(2)).all()
    assert sorted(titles) == ["另一门", "好课"]
    course = db.session.scalar(select(Course).where(Course.title == "好课"))
    assert course.status == "published" and course.teachers == [teacher] and course.slug == "one"


def test_export_cli(app, db, tmp_path):
    """`flask courses export ID PATH` writes PATH/<slug>/course.toml; an unknown id is a clear error."""
    course = make_course(db, title="Tai Chi")
    result = app.test_cli_runner().invoke(args=["courses", "export", str(course.id), str(tmp_path)])
    assert result.exit_code == 0 and (tmp_path / "tai-chi" / "course.toml").is_file()
    missing = app.test_cli_runner().invoke(args=["courses", "export", "999999", str(tmp_path)])
    assert missing.exit_code != 0 and "这门课程不存在" in missing.output


def test_awkward_text_survives_export_and_import(db, tmp_path, request_ctx):
    """Titles and descriptions with quotes, backslashes, control characters, leading newlines and
    emoji come back from an exported package exactly as they were."""
    texts = ["plain", 'a "quote"', "back\\slash", "tab\tand\rreturn", TRICKY, '"""', 'ends with "',
             "\n\nleading newlines", "control \x01 \x7f", "中文 «» 🙂"]
    course = make_course(db, title="Awkward", lessons=len(texts))
    for lesson, text in zip(course.lessons, texts):
        lesson.description_md = text
    db.session.commit()
    folder = package_export.export_course(course, tmp_path)
    plan = tomllib.loads((folder / "course.toml").read_text(encoding="utf-8"))
    assert [lesson["description"] for lesson in plan["chapters"][0]["lessons"]] == texts


def test_package_video_goes_to_the_video_package(app, db, tmp_path, request_ctx):
    """A lesson video in a package is handed to elearn.video (probed and queued)."""
    clip = tmp_path / "clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=10:duration=1.5",
                    "-f", "lavfi", "-i", "sine=duration=1.5", "-shortest", "-pix_fmt", "yuv420p", str(clip)],
                   check=True)
    folder = write_package(tmp_path / "pkg", GOOD.replace('handouts = ["a.pdf"]', 'video = "v/clip.mp4"'),
                           GOOD_FILES)
    (folder / "v").mkdir()
    shutil.copy(clip, folder / "v" / "clip.mp4")
    result = packages.import_package(folder)
    db.session.commit()
    lesson = result.course.lessons[0]
    pending = hooks.media_of(lesson.id)["pending_video"]
    assert result.notes == [] and pending["status"] == "queued" and pending["duration"] >= 1
