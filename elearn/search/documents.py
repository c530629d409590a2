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


#: Cues go into the index as passages of a few consecutive cues: a fifth of the documents (the
#: rebuild's cost is mostly per document and per posting), and words said across two cues are found
#: together. Each passage keeps its cues, so a hit still opens the lesson at the cue's own second.
PASSAGE_CUES = 5
PASSAGE_SECONDS = 30.0


def passages(cues: list) -> list[list[dict]]:
    """Consecutive cues with text, at most PASSAGE_CUES of them within PASSAGE_SECONDS."""
    out: list[list[dict]] = []
    for cue in cues or ():
        if not (cue.get("text") or "").strip():
            continue
        last = out[-1] if out else None
        if last and len(last) < PASSAGE_CUES and float(cue["start"]) - float(last[0]["start"]) < PASSAGE_SECONDS:
            last.append(cue)
        else:
            out.append([cue])
    return out


def cue_docs(caption_id: int, lesson_id: int, course: dict, cues: list) -> list[dict]:
    shared = audience(course)
    return [
        dict(shared, key=f"cue:{caption_id}:{n}", caption_id=str(caption_id), lesson_id=str(lesson_id),
             start=float(group[0]["start"]), text=" ".join(c["text"] for c in group),
             cues=[(float(c["start"]), c["text"]) for c in group])
        for n, group in enumerate(passages(cues))
    ]
