"""What the index still has to take in: one row per changed course, lesson or caption.

The row is written in the transaction that makes the change (see changes.py), so a committed
edit is never lost, whatever happens to the queue's wake-up or to a rebuild under way; the writer
deletes the rows it has applied.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import utcnow
from ..extensions import db

#: "course": its every document (status, audience, teachers or title changed; deleted);
#: "lesson": the lesson and its cues; "caption": its cues.
CHANGE_KINDS = ("course", "lesson", "caption")


class SearchChange(db.Model):
    __tablename__ = "search_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    ref_id: Mapped[int]
    #: The course the row belonged to, kept because a deleted row can no longer say.
    course_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
