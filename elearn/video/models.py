"""Media assets (a lesson's video or audio) and captions (tus uploads are elearn.uploads').

An asset moves ``probing → queued → processing → ready | failed``. ``queued`` is the hand-off
to the transcoding queue (issue 4): ``services.queue_asset`` is where that starts. The lease
and attempt columns are there for the worker that claims an asset; nothing here moves an
asset past ``queued``.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.storage import new_key
from ..core.timeutil import utcnow
from ..extensions import db

#: Asset statuses. ``probing`` lasts while ffprobe reads a finished upload; ``queued`` waits
#: for a transcoding worker; ``processing`` is held by one (under a lease); ``ready`` is served.
ASSET_PROBING = "probing"
ASSET_QUEUED = "queued"
ASSET_PROCESSING = "processing"
ASSET_READY = "ready"
ASSET_FAILED = "failed"
ASSET_STATUSES = (ASSET_PROBING, ASSET_QUEUED, ASSET_PROCESSING, ASSET_READY, ASSET_FAILED)
#: Still changing by itself: learners are told the video is being prepared.
ASSET_BUSY = (ASSET_PROBING, ASSET_QUEUED, ASSET_PROCESSING)
#: Not yet served and not given up on by the teacher: what ``pending_video`` shows.
ASSET_PENDING = (ASSET_PROBING, ASSET_QUEUED, ASSET_PROCESSING, ASSET_FAILED)

ASSET_KINDS = ("video", "audio")

#: Caption statuses: ``uploaded`` waits for conversion to WebVTT, ``ready`` is served.
CAPTION_UPLOADED = "uploaded"
CAPTION_READY = "ready"
CAPTION_FAILED = "failed"
CAPTION_STATUSES = (CAPTION_UPLOADED, CAPTION_READY, CAPTION_FAILED)



class MediaAsset(db.Model):
    """One video or audio file given to a lesson; a lesson keeps several while one replaces another."""

    __tablename__ = "media_assets"
    __table_args__ = (Index("ix_media_assets_lesson_status", "lesson_id", "status"),)

    #: A 32-bit Integer (PostgreSQL's INTEGER), and reused on SQLite after a delete: never put it in a URL
    #: or a folder name, use ``key``.
    id: Mapped[int] = mapped_column(primary_key=True)
    #: 32 random hex digits, never reused: the folder name on disk (sources/<key>/, hls/<key>/) and what
    #: a signed URL names, so a URL saved for a deleted asset opens nothing made later.
    key: Mapped[str] = mapped_column(String(32), unique=True, default=new_key)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="video")
    status: Mapped[str] = mapped_column(String(16), default=ASSET_PROBING, index=True)
    #: The uploader's file name, for display only; never used on disk.
    original_filename: Mapped[str] = mapped_column(String(255), default="")
    #: Relative to MEDIA_DIR: sources/<key>/source.<ext>.
    source_path: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    #: ffprobe's summary: duration, width, height, has_audio, has_video, rotation, codecs...
    probe: Mapped[dict | None] = mapped_column(JSON)
    duration: Mapped[float | None] = mapped_column(Float)
    #: A plain message for the teacher, stored as its English msgid (and the values it names) and
    #: translated into the reader's language when shown.
    error: Mapped[str | None] = mapped_column(Text)
    error_params: Mapped[dict | None] = mapped_column(JSON)
    error_code: Mapped[str | None] = mapped_column(String(64))
    #: Technical detail (ffprobe/ffmpeg output) for admins.
    error_detail: Mapped[str | None] = mapped_column(Text)
    #: Transcoding progress in percent and the estimated seconds left (filled by issue 4's worker).
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    eta_seconds: Mapped[int | None]
    #: Bumped by every worker that claims the asset: a stale worker's writes carry an older number.
    attempt: Mapped[int] = mapped_column(default=0)
    #: Attempts that count towards the retry cap (a teacher's "retry" resets it).
    attempts: Mapped[int] = mapped_column(default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None] = mapped_column(index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    queued_at: Mapped[datetime | None]
    ready_at: Mapped[datetime | None]
    #: What the transcoder made (renditions with bandwidth/resolution, poster, download) under hls/<key>/.
    renditions: Mapped[dict | None] = mapped_column(JSON)
    #: Set when a newer asset of the lesson became ready: its files go once no signed URL can reach them.
    retired_at: Mapped[datetime | None] = mapped_column(index=True)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<MediaAsset {self.id} lesson={self.lesson_id} {self.status}>"


class Caption(db.Model):
    """A caption file for a lesson in one language; converted to WebVTT before it is served."""

    __tablename__ = "captions"

    #: A 32-bit Integer, reused on SQLite after a delete: never in a URL or on disk (see MediaAsset.id).
    id: Mapped[int] = mapped_column(primary_key=True)
    #: 32 random hex digits, never reused: the folder captions/<key>/ and what its signed URL names.
    key: Mapped[str] = mapped_column(String(32), unique=True, default=new_key)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    lang: Mapped[str] = mapped_column(String(16), default="zh")
    #: A name the teacher gave this track; empty means the language's own name.
    label: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default=CAPTION_UPLOADED)
    original_filename: Mapped[str] = mapped_column(String(255), default="")
    #: Relative to MEDIA_DIR: captions/<key>/<random>.<srt|vtt> as uploaded.
    source_path: Mapped[str | None] = mapped_column(String(255))
    #: Relative to MEDIA_DIR: the converted WebVTT, once ready.
    vtt_path: Mapped[str | None] = mapped_column(String(255))
    encoding: Mapped[str | None] = mapped_column(String(32))
    #: The converted cues, ``[{"start": s, "end": s, "text": ...}]``, kept for search; None until ready.
    cues: Mapped[list | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    error_params: Mapped[dict | None] = mapped_column(JSON)
    error_detail: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
