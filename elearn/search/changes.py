"""Every change to what search shows is written down in the transaction that makes it.

An ORM listener, not a call in each service: courses, lessons, handouts and captions change from
pages, the API, imports and the command line, and a forgotten call would be a silent stale index.
The lower features are not edited and do not know search exists; this listens on the session.

After the commit the writer is woken (tasks.wake_writer); the rows stay until it has applied them.
"""
from __future__ import annotations

from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from ..core.transaction import after_commit, after_rollback
from ..extensions import db
from ..courses.models import Chapter, Course, Handout, Lesson
from ..video.models import Caption
from .models import SearchChange


def _changes(session: Session) -> set[tuple[str, int, int | None]]:
    found = set()
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, Course) and obj.id is not None:
            found.add(("course", obj.id, obj.id))
        elif isinstance(obj, Chapter) and obj.course_id is not None:
            found.add(("course", obj.course_id, obj.course_id))  # a deleted chapter takes lessons with it
        elif isinstance(obj, Lesson) and obj.id is not None:
            found.add(("lesson", obj.id, _course_of(session, obj)))
        elif isinstance(obj, Handout) and obj.lesson_id is not None:
            found.add(("lesson", obj.lesson_id, None))
        elif isinstance(obj, Caption) and obj.id is not None:
            found.add(("caption", obj.id, None))
    return found


def _course_of(session, lesson) -> int | None:
    chapter = session.get(Chapter, lesson.chapter_id) if lesson.chapter_id else None
    return chapter.course_id if chapter else None


def _after_flush(session: Session, _context) -> None:
    found = _changes(session)
    if not found:
        return
    session.connection().execute(
        insert(SearchChange), [{"kind": k, "ref_id": r, "course_id": c} for k, r, c in sorted(found, key=str)]
    )
    if not session.info.get("search_wake"):  # one wake-up per transaction, however many flushes
        session.info["search_wake"] = True
        after_commit(_wake)
        after_rollback(lambda: db.session.info.pop("search_wake", None))


def _wake() -> None:
    from . import tasks  # noqa: PLC0415 - same feature; tasks declares the queue's task

    db.session.info.pop("search_wake", None)
    tasks.wake_writer()


def listen() -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
