"""The database side of the index: documents for a course, a lesson, a caption, read fresh."""
from __future__ import annotations

from sqlalchemy import select

from ..courses.models import Chapter, Course, Lesson
from ..extensions import db
from ..video.models import CAPTION_READY, Caption
from . import documents


def course_values(course: Course) -> dict:
    return {
        "id": course.id, "title": course.title, "subtitle": course.subtitle or "",
        "description": course.description_md or "", "status": course.status, "visibility": course.visibility,
        "category": course.category.slug if course.category else "",
        "teachers": [(t.id, t.name) for t in course.teachers],
    }


def lesson_values(lesson: Lesson) -> dict:
    return {"id": lesson.id, "title": lesson.title, "description": lesson.description_md or "",
            "handouts": [h.original_filename.rsplit(".", 1)[0] for h in lesson.handouts]}


def caption_docs(caption: Caption, course: dict) -> list[dict]:
    if caption.status != CAPTION_READY or not caption.cues:
        return []
    return documents.cue_docs(caption.id, caption.lesson_id, course, caption.cues)


def lesson_docs(lesson: Lesson, course: dict) -> tuple[list[dict], list[dict]]:
    captions = db.session.scalars(select(Caption).where(Caption.lesson_id == lesson.id)).all()
    cues = [doc for caption in captions for doc in caption_docs(caption, course)]
    return [documents.lesson_doc(lesson_values(lesson), course)], cues


def course_docs(course: Course) -> tuple[list[dict], list[dict]]:
    values = course_values(course)
    items, cues = [documents.course_doc(values)], []
    for lesson in course.lessons:
        more_items, more_cues = lesson_docs(lesson, values)
        items += more_items
        cues += more_cues
    return items, cues


def all_course_ids() -> list[int]:
    return list(db.session.scalars(select(Course.id).order_by(Course.id)))


def lesson_course(lesson_id: int) -> Course | None:
    return db.session.scalar(select(Course).join(Chapter).join(Lesson).where(Lesson.id == lesson_id))
