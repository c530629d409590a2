"""Who may see a lesson's media while it is processed, and change its captions: the lesson's editors.

Who may upload is each upload target's rule (uploads.py).
"""
from __future__ import annotations

from ..courses.models import Lesson
from ..courses.permissions import can_edit_lesson
from ..extensions import db


def _lesson_editor(user, lesson_id: int) -> bool:
    lesson = db.session.get(Lesson, lesson_id)
    return lesson is not None and can_edit_lesson(user, lesson)


def can_view_asset(user, asset) -> bool:
    """An asset's processing state (errors included) is for the people who edit its lesson."""
    return _lesson_editor(user, asset.lesson_id)


def can_edit_caption(user, caption) -> bool:
    """A lesson's captions are changed by the people who edit the lesson."""
    return _lesson_editor(user, caption.lesson_id)


def can_remove_asset(user, asset) -> bool:
    """A lesson's video is removed by the people who edit the lesson."""
    return _lesson_editor(user, asset.lesson_id)
