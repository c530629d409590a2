"""Writing the index: applying the recorded changes, and rebuilding.

These run in the one consumer thread of search's dedicated queue (tasks.py). ``writer.lock`` in the
index folder (an flock, let go by the kernel if the process dies) is the safety net should a second
writer ever start (two workers with --dedicated, a test calling in): only its holder writes, one
that finds it taken leaves the work to the holder, who looks at the table of changes once more
after letting go, so a change committed at that moment is not left behind. No Whoosh ``LockError``
under concurrent edits: Whoosh's own lock is only ever asked for by the holder.

``rebuild`` writes a whole new generation from the database, applies the changes committed while
it ran, and swaps the symlink: searches use the old generation until then.
"""
from __future__ import annotations

import fcntl
import time
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.exc import OperationalError

from ..core.db import unit_of_work
from ..core.errors import is_database_locked
from ..courses.models import Course, Lesson
from ..extensions import db
from ..video.models import Caption
from . import sources
from .index import Store
from .models import SearchChange

BATCH = 500


def store() -> Store:
    return Store(current_app.config["SEARCH_INDEX_DIR"])


@contextmanager
def writer_lock(wait: float = 0.0):
    """Yields True while this process holds the writer's lock; False when another does (after ``wait`` s)."""
    folder = store().root
    folder.mkdir(parents=True, exist_ok=True)
    with open(Path(folder) / "writer.lock", "a+") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.2)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def pending() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchChange)) or 0


def apply_pending(wait: float = 0.0) -> int:
    """Apply every recorded change to the current generation; the number applied (0: none, or not the writer)."""
    if store().outdated():  # documents of an older format: all of them anew (it applies the changes too)
        try:
            rebuild(wait=wait)
        except TimeoutError:
            return 0  # another writer holds the lock: it is the one to do it
    applied = 0
    while True:
        with writer_lock(wait) as mine:
            if not mine:
                return applied
            while batch := _next_batch():
                _apply(store().open(), batch)
                applied += len(batch)
                if not _forget(batch[0].id, batch[-1].id):
                    return applied  # applied, still listed: applied again (harmlessly) next time
        db.session.rollback()
        if not pending():  # looked at after letting go: see the module's docstring
            return applied


def _next_batch(after: int = 0) -> list:
    """The next changes as plain rows (id, kind, ref_id), read in a snapshot taken now, under the lock:
    a transaction still open from before it was taken (``pending()`` while waiting) would show, on
    SQLite, changes another writer has applied and struck off since."""
    db.session.rollback()
    rows = list(db.session.execute(select(SearchChange.id, SearchChange.kind, SearchChange.ref_id)
                                   .where(SearchChange.id > after).order_by(SearchChange.id).limit(BATCH)))
    db.session.rollback()  # a fresh snapshot for the documents read next
    return rows


def _apply(indexes: dict, batch: list) -> None:
    items, cues = _Writer(indexes["items"]), _Writer(indexes["cues"])
    try:
        for kind, ref in dict.fromkeys((row.kind, row.ref_id) for row in batch):
            _APPLY[kind](items, cues, ref)
    except BaseException:
        items.cancel()
        cues.cancel()
        raise
    items.commit()
    cues.commit()
    db.session.rollback()


def _forget(first: int, last: int, tries: int = 3) -> bool:
    """Strike applied changes off the list, holding SQLite's write lock from BEGIN. The list is the
    truth and applying is idempotent, so when the database stays busy the rows are kept (False) and
    the next wake-up, or the minute's look, applies them again instead of the writer failing."""
    for attempt in range(tries):
        try:
            with unit_of_work(locked=True):
                db.session.execute(delete(SearchChange).where(SearchChange.id <= last, SearchChange.id >= first))
            return True
        except OperationalError as err:
            if not is_database_locked(err):
                raise
            current_app.logger.warning("search: database busy, changes %s-%s kept for later (try %s)",
                                       first, last, attempt + 1)
            time.sleep(0.5 * (attempt + 1))
    return False


class _Writer:
    """A Whoosh writer that adds each document once per batch: Whoosh's deletes do not reach documents
    added since the last commit, so a course and then one of its lessons would otherwise add it twice.
    Every document is read from the same state of the database, so the first one added is right."""

    def __init__(self, index, **options):
        self.writer = index.writer(timeout=30, **options)
        self.added: set[str] = set()

    def delete_by_term(self, field: str, value: str) -> None:
        self.writer.delete_by_term(field, value)

    def commit(self) -> None:
        self.writer.commit()

    def cancel(self) -> None:
        self.writer.cancel()


def _add(writer: _Writer, docs) -> None:
    for doc in docs:
        if doc["key"] not in writer.added:
            writer.added.add(doc["key"])
            writer.writer.add_document(**doc)


def _course(items, cues, course_id: int) -> None:
    items.delete_by_term("course_id", str(course_id))
    cues.delete_by_term("course_id", str(course_id))
    course = db.session.get(Course, course_id)
    if course is not None:
        more_items, more_cues = sources.course_docs(course)
        _add(items, more_items)
        _add(cues, more_cues)


def _lesson(items, cues, lesson_id: int) -> None:
    items.delete_by_term("key", f"lesson:{lesson_id}")
    cues.delete_by_term("lesson_id", str(lesson_id))
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is not None:
        more_items, more_cues = sources.lesson_docs(lesson, sources.course_values(lesson.course))
        _add(items, more_items)
        _add(cues, more_cues)


def _caption(items, cues, caption_id: int) -> None:
    cues.delete_by_term("caption_id", str(caption_id))
    caption = db.session.get(Caption, caption_id)
    course = sources.lesson_course(caption.lesson_id) if caption else None
    if course is not None:
        _add(cues, sources.caption_docs(caption, sources.course_values(course)))


_APPLY = {"course": _course, "lesson": _lesson, "caption": _caption}


def rebuild(progress=None, wait: float = 600.0) -> dict:
    """A new generation from the whole database, swapped in; ``progress(done, total)`` per course."""
    with writer_lock(wait) as mine:
        if not mine:
            raise TimeoutError("another process holds the search writer's lock")
        mark = db.session.scalar(select(func.max(SearchChange.id))) or 0
        db.session.rollback()
        target = store()
        generation = target.new_generation()
        indexes = target.open(generation)
        ids = sources.all_course_ids()
        items, cues = _Writer(indexes["items"], limitmb=256), _Writer(indexes["cues"], limitmb=256)
        for n, course_id in enumerate(ids, 1):
            course = db.session.get(Course, course_id)
            if course is not None:
                more_items, more_cues = sources.course_docs(course)
                _add(items, more_items)
                _add(cues, more_cues)
            db.session.expunge_all()
            if progress:
                progress(n, len(ids))
        items.commit()
        cues.commit()
        db.session.rollback()
        # Edits committed while the rebuild read the database: into the new generation before it is shown.
        while batch := _next_batch(mark):
            _apply(indexes, batch)
            mark = batch[-1].id
        target.swap(generation)
        _forget(0, mark)
    return {"generation": generation.name, "courses": len(ids)}
