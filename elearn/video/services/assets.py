"""A lesson's recordings: a finished upload or a package's file becomes a media asset, is probed,
and is queued for transcoding after the commit; 「重试」; letting go of a deleted lesson's media.

Functions flush and never commit. Files go through ``core.storage``; the transcode job is woken
through ``core.jobs`` once the commit has made the asset ``queued``.
"""
from __future__ import annotations

import re
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...core import jobs, storage
from ...core.errors import NotFound, ServiceError, stored_message
from ...core.timeutil import utcnow
from ...extensions import db
from ...uploads import tus
from .. import probe
from ..models import (ASSET_FAILED, ASSET_PROBING, ASSET_PROCESSING, ASSET_QUEUED, ASSET_READY, Caption,
                      MediaAsset)

TRANSCODE = "transcode"
_SAFE_EXT = re.compile(r"^[a-z0-9]{1,5}$")


def safe_extension(filename: str | None) -> str:
    """The file's extension if it is short and plain (``mp4``), else ``bin``: only used as a hint on disk."""
    suffix = Path(str(filename or "")).suffix.lower().lstrip(".")
    return suffix if _SAFE_EXT.match(suffix) else "bin"


# ---------------------------------------------------------------- look-ups

def get_asset(asset_id) -> MediaAsset:
    """The asset, or the plain 404 the pages and the API answer."""
    asset = db.session.get(MediaAsset, asset_id)
    if asset is None:
        raise NotFound("asset_not_found", _l("This video does not exist or has been removed."))
    return asset


def get_caption(caption_id) -> Caption:
    caption = db.session.get(Caption, caption_id)
    if caption is None:
        raise NotFound("caption_not_found", _l("These captions do not exist or have been removed."))
    return caption


# ---------------------------------------------------------------- video assets

def new_asset(lesson, filename: str, size: int, user_id: int | None) -> MediaAsset:
    asset = MediaAsset(lesson_id=lesson.id, status=ASSET_PROBING, original_filename=filename or "",
                       size=size, created_by_id=user_id)
    db.session.add(asset)
    db.session.flush()
    asset.source_path = storage.source_file(asset.key, safe_extension(filename))
    return asset


def probe_and_queue(asset: MediaAsset) -> None:
    """ffprobe the source; a real audio or video stream of at least 1 s is queued, anything else fails."""
    info = None
    try:
        info = probe.probe(storage.path(asset.source_path), ffprobe=current_app.config["FFPROBE"])
        probe.check_acceptable(info)
    except ServiceError as err:
        asset.probe = info.to_dict() if info is not None else None
        asset.status = ASSET_FAILED
        asset.error_code = err.code
        asset.error, asset.error_params = stored_message(err.message)
        asset.error_detail = f"probe refused the file: {err.code}\n{getattr(err, 'detail', '')}".strip()
        return
    asset.probe = info.to_dict()
    asset.duration = info.duration
    asset.kind = "video" if info.has_video else "audio"
    asset.status = ASSET_QUEUED
    asset.queued_at = utcnow()
    jobs.enqueue_after_commit(TRANSCODE, asset.id)


def retry_asset(asset: MediaAsset) -> None:
    """The teacher's 「重试」: a failed asset gets a fresh set of attempts (a second press changes nothing)."""
    if asset.status in (ASSET_QUEUED, ASSET_PROCESSING):
        return
    if not retryable(asset):
        raise ServiceError("not_retryable", _l("This recording cannot be tried again. Please upload it again."),
                           status=409)
    asset.status = ASSET_QUEUED
    asset.attempts = 0
    asset.progress = 0.0
    asset.eta_seconds = None
    asset.error = asset.error_params = asset.error_code = None
    asset.queued_at = utcnow()
    jobs.enqueue_after_commit(TRANSCODE, asset.id)


#: Failures worth another try: transcoding trouble, not a file that is no recording at all.
RETRYABLE = {"transcode_failed"}


def retryable(asset: MediaAsset) -> bool:
    return asset.status == ASSET_FAILED and bool(asset.source_path) and asset.error_code in RETRYABLE


def delete_asset_files(asset: MediaAsset) -> None:
    for folder in storage.asset_folders(asset.key):
        storage.remove_after_commit(folder)


def remove_asset(asset: MediaAsset) -> None:
    """The teacher removes a video (served, failed or on its way): its row now, its files after the commit.

    A worker still preparing it finds the row gone and drops what it made (tasks.run_transcode).
    """
    delete_asset_files(asset)
    db.session.delete(asset)
    db.session.flush()


def import_video_file(lesson, path) -> MediaAsset:
    """Course package import: copy ``path`` into media, probe it, and leave the asset queued or failed."""
    source = Path(path)
    asset = new_asset(lesson, source.name, source.stat().st_size, None)
    storage.copy_into_place(source, asset.source_path)
    probe_and_queue(asset)
    db.session.flush()
    return asset


def forget_lesson_media(lesson_id: int) -> None:
    """The lesson is being deleted: its rows go with it (ON DELETE CASCADE), its files after the commit,
    and its video and caption uploads with their bytes."""
    for key in db.session.scalars(select(MediaAsset.key).where(MediaAsset.lesson_id == lesson_id)):
        for folder in storage.asset_folders(key):
            storage.remove_after_commit(folder)
    for caption in db.session.scalars(select(Caption).where(Caption.lesson_id == lesson_id)):
        for relative in (caption.source_path, caption.vtt_path):
            storage.remove_after_commit(relative)
    for kind in ("video", "caption"):
        tus.forget(kind, lesson_id)


def export_files(lesson) -> dict:
    """What a course package carries of a lesson's media: the source of its served video (else of the
    newest one still on its way) and the newest caption per language."""
    assets = db.session.scalars(select(MediaAsset).where(MediaAsset.lesson_id == lesson.id)
                                .order_by(MediaAsset.id.desc())).all()
    usable = [a for a in assets if a.source_path and a.status != ASSET_FAILED]
    chosen = next((a for a in usable if a.status == ASSET_READY), usable[0] if usable else None)
    captions, seen = [], set()
    for caption in db.session.scalars(select(Caption).where(Caption.lesson_id == lesson.id)
                                      .order_by(Caption.id.desc())):
        if caption.lang in seen or caption.status == "failed" or not caption.source_path:
            continue
        seen.add(caption.lang)
        captions.append((caption.lang, storage.path(caption.source_path)))
    video = storage.path(chosen.source_path) if chosen else None
    return {"video": video if video and video.is_file() else None,
            "captions": [(lang, path) for lang, path in reversed(captions) if path.is_file()]}
