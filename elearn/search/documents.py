"""Whoosh documents from plain values (the services read them from the database, the benchmark
makes them up): a course, a lesson and a caption's cues, each with the course's audience fields."""
from __future__ import annotations

from .index import sounds


def audience(course: dict) -> dict:
    return {
        "course_id": str(course["id"]),
        "status": course["status"],
        "visibility": course["visibility"],
        "category": course["category"] or "",
        "teacher_ids": ",".join(str(i) for i, _ in course["teachers"]),
    }


def course_doc(course: dict) -> dict:
    names = " ".join(name for _, name in course["teachers"])
    title = " ".join(filter(None, (course["title"], course.get("subtitle"))))
    return dict(
        audience(course), key=f"course:{course['id']}", kind="course", ref=course["id"], lesson_id="",
        title=title, title_py=title, teachers=names, teachers_py=names, body=course.get("description", ""),
        handouts="", sounds=sounds(title, names),
    )


def lesson_doc(lesson: dict, course: dict) -> dict:
    names = " ".join(name for _, name in course["teachers"])
    return dict(
        audience(course), key=f"lesson:{lesson['id']}", kind="lesson", ref=lesson["id"],
        lesson_id=str(lesson["id"]), title=lesson["title"], title_py=lesson["title"], teachers=names,
        teachers_py=names, body=lesson.get("description", ""), handouts=" ".join(lesson.get("handouts", ())),
        sounds=sounds(lesson["title"]),
    )


def cue_docs(caption_id: int, lesson_id: int, course: dict, cues: list) -> list[dict]:
    shared = audience(course)
    return [
        dict(shared, key=f"cue:{caption_id}:{n}", caption_id=str(caption_id), lesson_id=str(lesson_id),
             start=float(cue["start"]), text=cue["text"])
        for n, cue in enumerate(cues or ()) if (cue.get("text") or "").strip()
    ]
