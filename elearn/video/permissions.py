"""Who may upload to a lesson, continue an upload, and see a lesson's media while it is processed."""
from __future__ import annotations

from ..core.permissions import is_admin, is_teacher


def can_start_uploads(user) -> bool:
    """Only teachers and admins upload at all; which lessons is decided per lesson."""
    return is_teacher(user) or is_admin(user)


def can_upload_to_lesson(user, lesson) -> bool:
    from ..courses.permissions import can_edit_lesson

    return can_edit_lesson(user, lesson)


def can_continue_upload(user, upload) -> bool:
    """The creator, while they may still edit the lesson (a teacher taken off a course stops here)."""
    if not (user and user.is_authenticated) or upload.user_id != user.id:
        return False
    if upload.lesson_id is None:
        return True
    from ..courses.models import Lesson
    from ..extensions import db

    lesson = db.session.get(Lesson, upload.lesson_id)
    return lesson is not None and can_upload_to_lesson(user, lesson)


def can_view_asset(user, asset) -> bool:
    """An asset's processing state (errors included) is for the people who edit its lesson."""
    from ..courses.models import Lesson
    from ..extensions import db

    lesson = db.session.get(Lesson, asset.lesson_id)
    return lesson is not None and can_upload_to_lesson(user, lesson)


def can_edit_caption(user, caption) -> bool:
    """A lesson's captions are changed by the people who edit the lesson."""
    from ..courses.models import Lesson
    from ..extensions import db

    lesson = db.session.get(Lesson, caption.lesson_id)
    return lesson is not None and can_upload_to_lesson(user, lesson)
