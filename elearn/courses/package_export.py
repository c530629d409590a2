"""Course packages out: ``<slug>/course.toml`` with the course's cover, and each lesson's video,
handouts and captions copied beside it (the format packages.py reads back).

The folder is written under a temporary name and moved into place, so a half-written package is
never found. The TOML is written by tomli-w, never by hand.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import tomli_w
from flask_babel import lazy_gettext as _l
from pypinyin import lazy_pinyin

from ..core import storage
from ..core.errors import ServiceError
from . import handouts, hooks
from .models import Course
from .packages import FORMAT, SLUG_RE


def course_slug(course: Course) -> str:
    """The package's folder name: the course's slug, else its title in pinyin (智能手机入门 → zhi-neng-shou-ji-ru-men)."""
    if course.slug and SLUG_RE.match(course.slug):
        return course.slug
    words = re.sub(r"[^a-z0-9]+", "-", "-".join(lazy_pinyin(course.title)).lower()).strip("-")
    return words[:64].rstrip("-") or f"course-{course.id}"


def export_course(course: Course, parent: Path) -> Path:
    """Write ``parent/<slug>/`` for ``course``; refuses to overwrite an existing folder."""
    parent = Path(parent)
    target = parent / course_slug(course)
    if target.exists():
        raise ServiceError("export_exists", _l("The folder %(path)s already exists. Choose another place or "
                                               "remove it first.", path=str(target)), status=409)
    parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=parent))
    try:
        text = "# elearn course package\n" + tomli_w.dumps(_course_table(course, work), multiline_strings=True)
        (work / "course.toml").write_text(text, encoding="utf-8")
        os.replace(work, target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return target


def _course_table(course: Course, work: Path) -> dict:
    table = {"format": FORMAT, "slug": course_slug(course), "title": course.title, "subtitle": course.subtitle,
             "category": course.category.slug, "visibility": course.visibility, "status": course.status}
    if course.cover_path:
        cover = storage.path(course.cover_path)
        if cover.is_file():
            shutil.copyfile(cover, work / f"cover{cover.suffix}")
            table["cover"] = f"cover{cover.suffix}"
    table["description"] = course.description_md
    table["chapters"] = [
        {"title": chapter.title,
         "lessons": [_lesson_table(lesson, work, f"lessons/{c:02d}-{n:02d}")
                     for n, lesson in enumerate(chapter.lessons, 1)]}
        for c, chapter in enumerate(course.chapters, 1)]
    return table


def _lesson_table(lesson, work: Path, folder: str) -> dict:
    """The lesson's entry, its files copied under ``folder`` with names unique in it."""
    names: set[str] = set()

    def place(source: Path, name: str) -> str:
        stem, suffix = Path(name).stem, Path(name).suffix
        candidate, k = name, 1
        while candidate.lower() in names:
            k += 1
            candidate = f"{stem}-{k}{suffix}"
        names.add(candidate.lower())
        (work / folder).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, work / folder / candidate)
        return f"{folder}/{candidate}"

    table = {"title": lesson.title, "description": lesson.description_md}
    media = hooks.export_files(lesson)
    if media.get("video"):
        video = Path(media["video"])
        table["video"] = place(video, "video" + video.suffix.lower())
    listed = []
    for handout in lesson.handouts:
        source = storage.path(handout.stored_path)
        if not source.is_file():
            continue
        name = handouts.safe_display_name(handout.original_filename)
        placed = place(source, name)
        # Two handouts may share a name; the file is renamed, the name shown stays as it was.
        listed.append(placed if placed.rsplit("/", 1)[-1] == name else {"file": placed, "name": name})
    if listed:
        table["handouts"] = listed
    captions = [{"file": place(Path(path), f"{lang}{Path(path).suffix.lower()}"), "lang": lang}
                for lang, path in media.get("captions", [])]
    if captions:
        table["captions"] = captions
    return table
