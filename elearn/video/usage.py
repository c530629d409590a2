"""How much disk the media take, per course and in total, and what is waiting to be removed.

For the admins' storage page and ``GET /api/v1/admin/storage``. Sizes are read from the disk
(``os.scandir`` walks, symlinks not followed), not from the database, so they show what is
really there; the cost is one pass over the files, which is fine at our size.
"""
from __future__ import annotations

from sqlalchemy import select

from ..core import storage
from ..courses.models import Chapter, Course, Handout, Lesson
from ..extensions import db
from .models import Caption, MediaAsset
from .tasks import RETIRED_GRACE

PARTS = ("sources", "renditions", "captions", "handouts")


def disk_usage() -> dict:
    """``courses`` (bytes by part, largest first), ``total_bytes`` under MEDIA_DIR, ``other_bytes``
    (covers, uploads in progress, leftovers), and ``awaiting_removal``: replaced recordings whose
    files go once no signed URL can reach them (``tasks.remove_retired_files``)."""
    courses = {cid: {"id": cid, "title": title, **{part: 0 for part in PARTS}}
               for cid, title in db.session.execute(select(Course.id, Course.title))}
    lessons = dict(db.session.execute(select(Lesson.id, Chapter.course_id).join(Chapter)).all())
    titles = dict(db.session.execute(select(Lesson.id, Lesson.title)).all())
    awaiting = []
    for asset in db.session.scalars(select(MediaAsset).order_by(MediaAsset.id)):
        source_folder, renditions_folder = storage.asset_folders(asset.key)
        source, renditions = storage.tree_size(source_folder), storage.tree_size(renditions_folder)
        course = courses.get(lessons.get(asset.lesson_id))
        if course is not None:
            course["sources"] += source
            course["renditions"] += renditions
        if asset.retired_at is not None:
            awaiting.append({"asset_id": asset.id, "lesson_id": asset.lesson_id,
                             "lesson_title": titles.get(asset.lesson_id, ""),
                             "course_title": course["title"] if course else "",
                             "filename": asset.original_filename, "retired_at": asset.retired_at,
                             "remove_after": asset.retired_at + RETIRED_GRACE, "bytes": source + renditions})
    for lesson_id, *paths in db.session.execute(select(Caption.lesson_id, Caption.source_path, Caption.vtt_path)):
        if (course := courses.get(lessons.get(lesson_id))) is not None:
            course["captions"] += sum(storage.tree_size(path) for path in paths)
    for lesson_id, path in db.session.execute(select(Handout.lesson_id, Handout.stored_path)):
        if (course := courses.get(lessons.get(lesson_id))) is not None:
            course["handouts"] += storage.tree_size(path)
    for course in courses.values():
        course["total"] = sum(course[part] for part in PARTS)
    listed = sorted(courses.values(), key=lambda c: (-c["total"], c["title"], c["id"]))
    total = storage.total_size()
    return {"total_bytes": total, "courses": listed,
            "courses_bytes": sum(c["total"] for c in listed),
            "other_bytes": max(0, total - sum(c["total"] for c in listed)),
            "awaiting_removal": awaiting, "awaiting_removal_bytes": sum(a["bytes"] for a in awaiting)}
