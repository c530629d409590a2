"""What courses tell, and ask, the features above them (video, learning, search...), which never
get imported here: blinker signals for events, registries for questions.

Signals are sent inside the transaction that makes the change; a receiver that touches files or
queues jobs does so through ``core.storage`` / ``core.jobs.enqueue_after_commit``, so nothing happens
unless the change commits.
"""
from __future__ import annotations

from blinker import Namespace
from flask import has_request_context, request

from ..core.registry import Registry
from ..extensions import db
from .models import Lesson

_signals = Namespace()

#: sender: the Lesson about to be deleted (its rows go with ON DELETE CASCADE; files are the receivers').
lesson_deleting = _signals.signal("lesson-deleting")
#: sender: the Course that has just become published.
course_published = _signals.signal("course-published")
#: sender: the Lesson a course package created; ``video`` (a Path or None) and ``captions``
#: (a list of (lang, Path)) are the package's files for it, already checked to exist.
package_lesson_imported = _signals.signal("package-lesson-imported")

#: ``(lesson_id) -> {"video", "pending_video", "captions"}``: what a lesson plays (elearn.video).
lesson_media = Registry("a lesson's media")
#: ``(lesson_ids) -> set of ids``: the lessons learners can watch now (a ready video); one question for
#: a whole course or catalogue page (elearn.video).
lessons_with_video = Registry("lessons with a video learners can watch")
#: ``(lesson) -> {"video": Path | None, "captions": [(lang, Path)]}``: files a course package carries.
lesson_exporters = Registry("a lesson's files for course packages")
#: ``(lesson) -> Markup | None``: panels shown on the lesson edit page (the upload panel, say).
lesson_edit_panels = Registry("panels on the lesson edit page")

#: ``(user, course) -> dict``: what the course page shows of learning (elearn.learning): ``lengths``
#: {lesson_id: text}, ``done`` (ids of the lessons the user completed), ``progress`` ({completed,
#: lessons, percent, finished}, None when nobody is signed in), ``next`` (the lesson the primary
#: button opens), ``started`` (anything watched yet), ``stylesheet`` (a URL for the page's head).
course_page_learning = Registry("the learner's progress on the course page")

NO_MEDIA = {"video": None, "pending_video": None, "captions": []}
NO_LEARNING = {"lengths": {}, "done": frozenset(), "progress": None, "next": None, "started": False,
               "stylesheet": None}


def media_of(lesson_id: int) -> dict:
    """The lesson's media as the registered provider reports them; nothing without one."""
    media = dict(NO_MEDIA)
    for provider in lesson_media:
        media.update(provider(lesson_id) or {})
    return media


def learning_on_page(user, course) -> dict:
    """The course page's progress as the registered provider reports it; none without one."""
    found = dict(NO_LEARNING)
    for provider in course_page_learning:
        found.update(provider(user, course) or {})
    return found


def watchable_lessons(lessons) -> set[int]:
    """The ids of ``lessons`` that learners can watch now; without a video feature, every lesson."""
    ids = {lesson.id for lesson in lessons}
    providers = list(lessons_with_video)
    if not providers:
        return ids
    return set().union(*(set(provider(ids) or ()) for provider in providers)) & ids


def lessons_without_video(course) -> list:
    """The course's lessons, in order, that learners cannot watch yet (none ready, failed, or being prepared)."""
    lessons = course.lessons
    ready = watchable_lessons(lessons)
    return [lesson for lesson in lessons if lesson.id not in ready]


def lesson_counts(course) -> tuple[int, int]:
    """(lessons learners can watch now, all lessons): a lesson whose video failed or is on its way is not ready.

    A page of course cards asks once, not once per card: the first card asks about every lesson the
    request has loaded (the other cards' too), and the answer is kept for the request.
    """
    lessons = course.lessons
    kept = request.environ if has_request_context() else {}  # per request, whatever app context holds it
    asked, ready = kept.setdefault("elearn.watchable_lessons", (set(), set()))
    if any(lesson.id not in asked for lesson in lessons):
        loaded = {obj for obj in db.session.identity_map.values() if isinstance(obj, Lesson)} | set(lessons)
        asked.update(lesson.id for lesson in loaded)
        ready.update(watchable_lessons(loaded))
    return sum(1 for lesson in lessons if lesson.id in ready), len(lessons)


def export_files(lesson) -> dict:
    files = {"video": None, "captions": []}
    for exporter in lesson_exporters:
        found = exporter(lesson) or {}
        files["video"] = found.get("video") or files["video"]
        files["captions"] += list(found.get("captions") or [])
    return files


def edit_panels(lesson) -> list:
    return [panel for panel in (provider(lesson) for provider in lesson_edit_panels) if panel]
