"""tus uploads in progress and what each finished file became."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.timeutil import utcnow
from ..extensions import db

#: Upload states: bytes still arriving; all bytes in and the file handed on; handed on but refused.
UPLOAD_RECEIVING = "receiving"
UPLOAD_COMPLETE = "complete"
UPLOAD_REFUSED = "refused"
UPLOAD_STATES = (UPLOAD_RECEIVING, UPLOAD_COMPLETE, UPLOAD_REFUSED)


class Upload(db.Model):
    """A tus upload: bytes land in MEDIA_DIR/uploads/<id>.part until ``offset == length``.

    ``kind`` names the upload target (``video``, ``caption``, ``handout``...: see targets.py) and
    ``target_id`` the object the file is for (a lesson, say); the target decides what a finished file
    becomes and records that in ``result``. The id is a random URL-safe token, so an upload URL cannot
    be guessed; it is still only answered for the user who created it. ``lock_token``/``locked_until``
    are the per-upload lease a PATCH holds while it writes, so two clients never write at once.
    """

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int | None] = mapped_column(index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    #: Every Upload-Metadata pair, decoded (targets read their own keys).
    meta: Mapped[dict] = mapped_column("metadata", JSON, default=dict)
    #: The Upload-Metadata header exactly as the client sent it (HEAD repeats it).
    raw_metadata: Mapped[str] = mapped_column(Text, default="")
    length: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column("byte_offset", BigInteger, default=0)
    state: Mapped[str] = mapped_column(String(16), default=UPLOAD_RECEIVING, index=True)
    lock_token: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    completed_at: Mapped[datetime | None]
    #: What the finished file became, as the target records it: ``{"asset_id": 7}``, ``{"handout_id": 3}``.
    result: Mapped[dict | None] = mapped_column(JSON)
    #: Why the finished file was refused, as an English msgid translated when shown.
    error: Mapped[str | None] = mapped_column(Text)
    error_params: Mapped[dict | None] = mapped_column(JSON)
    error_code: Mapped[str | None] = mapped_column(String(64))

    @property
    def is_complete(self) -> bool:
        return self.state != UPLOAD_RECEIVING

    def result_id(self, key: str) -> int | None:
        return (self.result or {}).get(key)
