"""Announcements (通知) of a class, and who has read each.

A notice is addressed when it is written: one receipt per member enrolled then. So "12 of 30 have
read it" stays true of the people it went to, and someone who joins later is not counted as not
having read a notice that was never theirs.

A teacher's notice keeps the text they typed. A notice the schedule writes (a session moved or
cancelled) keeps English msgids and their values instead, and is worded again in each reader's
language and time zone when shown (``notices.words``).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.timeutil import utcnow
from ..extensions import db

MESSAGE, MOVED, CANCELLED = "message", "moved", "cancelled"
KINDS = (MESSAGE, MOVED, CANCELLED)


class Notice(db.Model):
    __tablename__ = "class_notices"
    __table_args__ = (Index("ix_class_notices_class_created", "class_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("class_groups.id", ondelete="CASCADE"))
    #: None: written by the site itself (a session change).
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(12), default=MESSAGE)
    #: A teacher's text, or (other kinds) the English msgid of the words.
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    #: The values the msgids name (other kinds only); times as ISO naive UTC.
    params: Mapped[dict | None] = mapped_column(JSON)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("class_sessions.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    class_group: Mapped["ClassGroup"] = relationship(lazy="joined")  # noqa: F821
    author: Mapped["User | None"] = relationship()  # noqa: F821


class NoticeReceipt(db.Model):
    """The notice went to this person; ``read_at`` once they pressed 「知道了」."""

    __tablename__ = "class_notice_receipts"
    __table_args__ = (Index("ix_class_notice_receipts_user", "user_id", "read_at"),)

    notice_id: Mapped[int] = mapped_column(ForeignKey("class_notices.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    read_at: Mapped[datetime | None]

    notice: Mapped[Notice] = relationship(lazy="joined")
    user: Mapped["User"] = relationship()  # noqa: F821
