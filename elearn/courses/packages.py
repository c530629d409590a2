"""Course packages: a folder ``<slug>/course.toml`` plus the lesson files it names.

Districts share courses this way. Import checks the whole package before touching the
database or the media folder, so a bad package leaves nothing behind; export writes into a
temporary folder and moves it into place.

    format = 1
    slug = "smartphone-basics"
    title = "智能手机入门"
    subtitle = "..."
    category = "smartphone"            # a category slug
    visibility = "public"              # public | signed_in | classes
    status = "published"               # draft | published
    cover = "cover.png"                # optional: JPEG, PNG or WebP
    description = \"\"\"Markdown\"\"\"

    [[chapters]]
    title = "第一章"

    [[chapters.lessons]]
    title = "..."
    description = "Markdown"
    video = "lessons/01/video.mp4"     # optional
    handouts = ["lessons/01/讲义.pdf"]   # PDF, pictures, Word; or { file = "...", name = "shown name" }
    captions = [{ file = "lessons/01/zh.srt", lang = "zh" }]
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from ..core.errors import ServiceError
from . import covers, handouts, hooks, services
from .models import STATUSES, VISIBILITIES, Course
from .permissions import SYSTEM

FORMAT = 1
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
CAPTION_SUFFIXES = {".srt", ".vtt"}
COURSE_KEYS = {"format", "slug", "title", "subtitle", "category", "visibility", "status", "cover", "description",
               "chapters"}
CHAPTER_KEYS = {"title", "lessons"}
LESSON_KEYS = {"title", "description", "video", "handouts", "captions"}
CAPTION_KEYS = {"file", "lang"}
HANDOUT_KEYS = {"file", "name"}


class PackageError(ServiceError):
    """A package that cannot be imported; ``field`` names the place in course.toml."""

    status = 400

    def __init__(self, field_name: str, message):
        super().__init__("bad_package", message, field=field_name)
        self.field = field_name

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


@dataclass
class LessonPlan:
    title: str
    description: str
    video: Path | None
    handouts: list[tuple[Path, str]] = field(default_factory=list)
    captions: list[tuple[Path, str]] = field(default_factory=list)


@dataclass
class CoursePlan:
    folder: Path
    slug: str
    title: str
    subtitle: str
    category: object
    visibility: str
    status: str
    description: str
    cover: bytes | None
    chapters: list[tuple[str, list[LessonPlan]]]


@dataclass
class ImportResult:
    course: Course
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- reading

def find_packages(path: Path) -> list[Path]:
    """``path`` itself if it holds course.toml (or is one), else each sub-folder that does."""
    path = Path(path)
    if path.is_file() and path.name == "course.toml":
        return [path.parent]
    if (path / "course.toml").is_file():
        return [path]
    if path.is_dir():
        return sorted(p.parent for p in path.glob("*/course.toml"))
    return []


def read_package(folder: Path) -> CoursePlan:
    """Parse and check everything in ``folder``; raises PackageError naming the bad field."""
    folder = Path(folder).resolve()
    try:
        data = tomllib.loads((folder / "course.toml").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackageError("course.toml", _l("The file course.toml is missing.")) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise PackageError("course.toml", _l("course.toml is not valid TOML: %(error)s", error=str(err))) from None
    _no_unknown(data, COURSE_KEYS, "")
    if data.get("format", FORMAT) != FORMAT:
        raise PackageError("format", _l("This package format is not supported (expected format = 1)."))
    slug = data.get("slug", folder.name)
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        raise PackageError("slug", _l("The slug may only use small letters, digits and dashes (at most 64)."))
    title = _text(data, "title", "title", required=True)
    try:
        category = services.get_category(_text(data, "category", "category", required=True))
    except ServiceError:
        raise PackageError("category", _l("Unknown category “%(value)s”.", value=data["category"])) from None
    visibility = _choice(data, "visibility", VISIBILITIES, "signed_in")
    status = _choice(data, "status", STATUSES, "draft")
    cover = None
    if "cover" in data:
        cover_path = _file(folder, data["cover"], "cover")
        cover = cover_path.read_bytes()
        if handouts.sniff_type(cover[:16]) not in ("image/png", "image/jpeg", "image/webp"):
            raise PackageError("cover", _l("The cover must be a picture (JPEG, PNG or WebP)."))
    chapters = _chapters(folder, data.get("chapters", []))
    if status == "published" and not any(lessons for _, lessons in chapters):
        raise PackageError("status", _l("Add at least one lesson before publishing the course."))
    return CoursePlan(folder=folder, slug=slug, title=title, subtitle=_text(data, "subtitle", "subtitle"),
                      category=category, visibility=visibility, status=status,
                      description=_text(data, "description", "description"), cover=cover, chapters=chapters)


def _chapters(folder: Path, raw) -> list[tuple[str, list[LessonPlan]]]:
    if not isinstance(raw, list):
        raise PackageError("chapters", _l("This must be a list of [[chapters]] tables."))
    chapters = []
    for i, chapter in enumerate(raw):
        where = f"chapters[{i}]"
        if not isinstance(chapter, dict):
            raise PackageError(where, _l("This must be a [[chapters]] table."))
        _no_unknown(chapter, CHAPTER_KEYS, where)
        title = _text(chapter, "title", f"{where}.title", required=True)
        lessons_raw = chapter.get("lessons", [])
        if not isinstance(lessons_raw, list):
            raise PackageError(f"{where}.lessons", _l("This must be a list of [[chapters.lessons]] tables."))
        lessons = [_lesson(folder, lesson, f"{where}.lessons[{j}]") for j, lesson in enumerate(lessons_raw)]
        chapters.append((title, lessons))
    return chapters


def _lesson(folder: Path, raw, where: str) -> LessonPlan:
    if not isinstance(raw, dict):
        raise PackageError(where, _l("This must be a [[chapters.lessons]] table."))
    _no_unknown(raw, LESSON_KEYS, where)
    plan = LessonPlan(title=_text(raw, "title", f"{where}.title", required=True),
                      description=_text(raw, "description", f"{where}.description"),
                      video=_file(folder, raw["video"], f"{where}.video") if "video" in raw else None)
    for k, item in enumerate(_list(raw, "handouts", where)):
        spot = f"{where}.handouts[{k}]"
        if isinstance(item, dict):
            _no_unknown(item, HANDOUT_KEYS, spot)
            path = _file(folder, item.get("file"), f"{spot}.file")
            name = _text(item, "name", f"{spot}.name") or path.name
        else:
            path = _file(folder, item, spot)
            name = path.name
        try:
            handouts.check_handout_content(path, name)
        except ServiceError as err:
            raise PackageError(spot, err.message) from None
        plan.handouts.append((path, name))
    for k, caption in enumerate(_list(raw, "captions", where)):
        spot = f"{where}.captions[{k}]"
        if isinstance(caption, str):
            caption = {"file": caption}
        if not isinstance(caption, dict):
            raise PackageError(spot, _l("This must be a table such as { file = \"zh.srt\", lang = \"zh\" }."))
        _no_unknown(caption, CAPTION_KEYS, spot)
        path = _file(folder, caption.get("file"), f"{spot}.file")
        if path.suffix.lower() not in CAPTION_SUFFIXES:
            raise PackageError(f"{spot}.file", _l("Captions must be .srt or .vtt files."))
        lang = caption.get("lang", "zh")
        if not isinstance(lang, str) or not re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})?", lang):
            raise PackageError(f"{spot}.lang", _l("The language must be a code such as zh or en."))
        plan.captions.append((path, lang))
    return plan


def _no_unknown(table: dict, allowed: set[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            name = f"{where}.{key}" if where else key
            raise PackageError(name, _l("Unknown field “%(name)s” (check the spelling).", name=name))


def _text(table: dict, key: str, where: str, *, required=False) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise PackageError(where, _l("This must be text in quotes."))
    if required and not value.strip():
        raise PackageError(where, _l("This is required."))
    if key == "title" and len(value.strip()) > services.TITLE_MAX:
        raise PackageError(where, _l("The title is too long (at most 200 characters)."))
    return value.strip()


def _choice(table: dict, key: str, choices, default: str) -> str:
    value = table.get(key, default)
    if value not in choices:
        raise PackageError(key, _l("Must be one of: %(choices)s.", choices=", ".join(choices)))
    return value


def _list(table: dict, key: str, where: str) -> list:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise PackageError(f"{where}.{key}", _l("This must be a list in square brackets."))
    return value


def _file(folder: Path, name, where: str) -> Path:
    """A file inside the package folder; refuses absolute paths and ../ escapes."""
    if not isinstance(name, str) or not name.strip():
        raise PackageError(where, _l("This must be a file name relative to the package folder."))
    path = (folder / name).resolve()
    if Path(name).is_absolute() or not path.is_relative_to(folder):
        raise PackageError(where, _l("The file must be inside the package folder."))
    if not path.is_file():
        raise PackageError(where, _l("The file “%(name)s” does not exist in the package.", name=name))
    if path.stat().st_size > current_app.config["MAX_UPLOAD_BYTES"]:
        raise PackageError(where, _l("The file “%(name)s” is too large.", name=name))
    return path


# ---------------------------------------------------------------- import

def import_package(folder: Path, *, teachers=(), actor=SYSTEM) -> ImportResult:
    """Create the course a package describes, as ``actor`` (the command line: ``SYSTEM``). Flushes,
    never commits: the caller commits, or rolls back on any error (the files copied so far are then
    removed again)."""
    plan = read_package(folder)
    course = services.create_course(actor, title=plan.title, subtitle=plan.subtitle, category=plan.category,
                                    description_md=plan.description, visibility=plan.visibility,
                                    teachers=list(teachers))
    course.slug = plan.slug
    if plan.cover:
        covers.set_cover(course, plan.cover)
    result = ImportResult(course)
    for chapter_title, lessons in plan.chapters:
        chapter = services.add_chapter(course, chapter_title)
        for item in lessons:
            lesson = services.add_lesson(course, item.title, item.description, chapter=chapter)
            for path, name in item.handouts:
                handouts.store_handout(lesson, name, path.read_bytes())
            _lesson_media(result, lesson, item)
    if plan.status == "published":
        services.set_status(course, "published")
    return result


def _lesson_media(result: ImportResult, lesson, item: LessonPlan) -> None:
    """The lesson's video and captions go to whichever feature takes them (elearn.video)."""
    if item.video is None and not item.captions:
        return
    if not hooks.package_lesson_imported.has_receivers_for(lesson):
        if item.video is not None:
            result.notes.append(str(_l("Lesson “%(title)s”: the video was not imported (video processing is not "
                                       "available in this installation).", title=lesson.title)))
        for path, _lang in item.captions:
            result.notes.append(str(_l("Lesson “%(title)s”: captions %(file)s were not imported (not available "
                                       "in this installation).", title=lesson.title, file=path.name)))
        return
    hooks.package_lesson_imported.send(lesson, video=item.video, captions=list(item.captions))
