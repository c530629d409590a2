"""Media assets, captions and finished uploads: the work behind the tus endpoints and the lesson API.

Functions flush and never commit. Files are moved into place before the commit and moved back
(or removed) if the transaction rolls back; files that belong to removed rows go after the
commit. Work for the transcoding queue is started only after the commit (``queue_asset``).

Contracts for other packages:

* ``lesson_media(lesson_id)``: what the lesson API and pages show (see its docstring).
* ``import_video_file(lesson, path)``, ``import_caption_file(lesson, path, lang)``: course package
  import; the same path as a finished upload.
* ``forget_lesson_media(lesson_id)``: called by courses before a lesson is deleted.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
from pathlib import Path

from flask import current_app, has_request_context
from flask_babel import force_locale, gettext, lazy_gettext as _l
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..core.errors import Forbidden, ServiceError
from ..core.timeutil import utcnow
from ..extensions import db
from .models import (ASSET_FAILED, ASSET_PENDING, ASSET_PROBING, ASSET_PROCESSING, ASSET_QUEUED, ASSET_READY,
                     CAPTION_FAILED, CAPTION_READY, CAPTION_UPLOADED, UPLOAD_REFUSED, Caption, MediaAsset, Upload)
from .permissions import can_upload_to_lesson

#: Caption languages offered to teachers: code -> name shown.
CAPTION_LANGUAGES = {"zh": _l("Chinese"), "en": _l("English")}
CAPTION_EXTENSIONS = (".srt", ".vtt")
CAPTION_MAX_BYTES = 5 * 1024 * 1024
HANDOUT_MAX_BYTES = 200 * 1024 * 1024
_SAFE_EXT = re.compile(r"^[a-z0-9]{1,5}$")


# ---------------------------------------------------------------- files and the transaction

_ON_COMMIT = "video.on_commit"
_ON_ROLLBACK = "video.on_rollback"


def _after(key: str, action) -> None:
    db.session.info.setdefault(key, []).append(action)


@event.listens_for(Session, "after_commit")
def _run_on_commit(session):
    if session.in_nested_transaction():
        return
    session.info.pop(_ON_ROLLBACK, None)
    for action in session.info.pop(_ON_COMMIT, []):
        try:
            action()
        except Exception:  # the commit stands; a leftover file is swept up later
            current_app.logger.exception("after-commit media action failed")


@event.listens_for(Session, "after_rollback")
def _run_on_rollback(session):
    if session.in_nested_transaction():
        return
    session.info.pop(_ON_COMMIT, None)
    for action in reversed(session.info.pop(_ON_ROLLBACK, [])):
        try:
            action()
        except Exception:
            current_app.logger.exception("after-rollback media action failed")


def media_root() -> Path:
    return Path(current_app.config["MEDIA_DIR"]).resolve()


def _relative(path: Path) -> str:
    return path.resolve().relative_to(media_root()).as_posix()


def remove_file_on_rollback(path: Path) -> None:
    _after(_ON_ROLLBACK, lambda: Path(path).unlink(missing_ok=True))


def remove_file_after_commit(path: Path) -> None:
    _after(_ON_COMMIT, lambda: Path(path).unlink(missing_ok=True))


def _remove_tree_after_commit(path: Path) -> None:
    _after(_ON_COMMIT, lambda: shutil.rmtree(path, ignore_errors=True))


def _move_into_place(source: Path, target: Path) -> None:
    """Atomic rename into place, undone if the transaction rolls back (so an upload can be finished again)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)
    _after(_ON_ROLLBACK, lambda: os.replace(target, source))


def _copy_into_place(source: Path, target: Path) -> None:
    """Copy to a temporary name next to ``target``, then rename: a half-copied file is never in place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    remove_file_on_rollback(target)


def safe_extension(filename: str | None) -> str:
    """The file's extension if it is short and plain (``mp4``), else ``bin``: only used as a hint on disk."""
    suffix = Path(str(filename or "")).suffix.lower().lstrip(".")
    return suffix if _SAFE_EXT.match(suffix) else "bin"


def display_name(filename) -> str:
    from ..courses.services import safe_display_name

    return safe_display_name(filename) if str(filename or "").strip() else ""


# ---------------------------------------------------------------- checks before the first byte

def check_new_upload(user, kind: str, meta: dict, length: int) -> dict:
    """Refuse an upload up front (missing or forbidden lesson, wrong kind of file, empty): nothing is stored."""
    lesson = _upload_lesson(user, meta)
    if length == 0:
        raise ServiceError("empty_file", _l("This file is empty (0 bytes). Please choose the file again."),
                           status=400)
    filename = meta.get("filename") or ""
    if kind == "caption":
        _check_caption(filename, meta.get("lang"), length)
    elif kind == "handout":
        from ..courses.services import check_handout_filename

        check_handout_filename(filename)
        if length > HANDOUT_MAX_BYTES:
            raise ServiceError("handout_too_large", _l("A handout can be at most 200 MB."), status=413)
    return {"lesson_id": lesson.id}


def _upload_lesson(user, meta: dict):
    from ..courses.services import get_lesson

    if not str(meta.get("lesson_id") or "").strip():
        raise ServiceError("lesson_required", _l("Please say which lesson the file is for."), status=400)
    lesson = get_lesson(str(meta["lesson_id"]).strip())
    if not can_upload_to_lesson(user, lesson):
        raise Forbidden("lesson_forbidden", _l("You cannot add files to this lesson."))
    return lesson


def _check_caption(filename: str, lang: str | None, length: int) -> None:
    if Path(filename).suffix.lower() not in CAPTION_EXTENSIONS:
        raise ServiceError("caption_type", _l("Captions must be an SRT or WebVTT file (.srt or .vtt)."),
                           status=415)
    if (lang or "zh") not in CAPTION_LANGUAGES:
        raise ServiceError("caption_language", _l("Please choose the language of the captions from the list."),
                           status=400)
    if length > CAPTION_MAX_BYTES:
        raise ServiceError("caption_too_large", _l("A caption file can be at most 5 MB."), status=413)


# ---------------------------------------------------------------- a finished upload

def finish_upload(upload: Upload, part: Path) -> None:
    """Every byte is in: turn the file into what it was sent for."""
    from ..courses.models import Lesson

    lesson = db.session.get(Lesson, upload.lesson_id) if upload.lesson_id else None
    if lesson is None:  # deleted while uploading: the upload row went with it, nothing to do
        return
    if upload.kind == "video":
        asset = _new_asset(lesson, upload.filename, upload.length, upload.user_id)
        _move_into_place(part, media_root() / asset.source_path)
        _probe_and_queue(asset)
        upload.asset_id = asset.id
    elif upload.kind == "caption":
        caption = add_caption(lesson, part, upload.filename, upload.meta.get("lang") or "zh", upload.user_id,
                              move=True)
        upload.caption_id = caption.id
    else:
        _finish_handout(upload, lesson, part)
    db.session.flush()


def _finish_handout(upload: Upload, lesson, part: Path) -> None:
    from ..courses.services import add_handout

    relative = f"handouts/{lesson.id}/{secrets.token_hex(16)}{Path(upload.filename).suffix.lower()}"
    target = media_root() / relative
    _move_into_place(part, target)
    try:
        handout = add_handout(lesson, upload.filename, relative, upload.length)
    except ServiceError as err:
        upload.state = UPLOAD_REFUSED
        upload.error_code = err.code
        upload.error, upload.error_params = stored_message(err.message)
        remove_file_after_commit(target)
        return
    upload.handout_id = handout.id


# ---------------------------------------------------------------- video assets

def _new_asset(lesson, filename: str, size: int, user_id: int | None) -> MediaAsset:
    asset = MediaAsset(lesson_id=lesson.id, status=ASSET_PROBING, original_filename=filename or "",
                       size=size, created_by_id=user_id)
    db.session.add(asset)
    db.session.flush()
    asset.source_path = f"sources/{asset.id}/source.{safe_extension(filename)}"
    return asset


def _probe_and_queue(asset: MediaAsset) -> None:
    """ffprobe the source; a real audio or video stream of at least 1 s is queued, anything else fails."""
    from . import probe

    info = None
    try:
        info = probe.probe(media_root() / asset.source_path)
        probe.check_acceptable(info)
    except ServiceError as err:
        asset.probe = info.to_dict() if info is not None else None
        asset.status = ASSET_FAILED
        asset.error_code = err.code
        asset.error, asset.error_params = stored_message(err.message)
        asset.error_detail = f"probe refused the file: {err.code}"
        return
    asset.probe = info.to_dict()
    asset.duration = info.duration
    asset.kind = "video" if info.has_video else "audio"
    asset.status = ASSET_QUEUED
    asset.queued_at = utcnow()
    asset_id = asset.id
    _after(_ON_COMMIT, lambda: queue_asset(asset_id))


def queue_asset(asset_id: int) -> None:
    """The hand-off to transcoding, called after the commit that left the asset ``queued``.

    The database row, not the queue, is the source of truth: if this message is lost, the
    reaper (video.tasks.reap_transcodes) wakes a worker for the asset again.
    """
    from .tasks import enqueue

    enqueue(asset_id)


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
    asset_id = asset.id
    _after(_ON_COMMIT, lambda: queue_asset(asset_id))


#: Failures worth another try: transcoding trouble, not a file that is no recording at all.
RETRYABLE = {"transcode_failed"}


def retryable(asset: MediaAsset) -> bool:
    return asset.status == ASSET_FAILED and bool(asset.source_path) and asset.error_code in RETRYABLE


def delete_asset_files(asset: MediaAsset) -> None:
    root = media_root()
    for folder in ("sources", "hls"):
        _remove_tree_after_commit(root / folder / str(asset.id))


def import_video_file(lesson, path) -> MediaAsset:
    """Course package import: copy ``path`` into media, probe it, and leave the asset queued or failed."""
    source = Path(path)
    asset = _new_asset(lesson, source.name, source.stat().st_size, None)
    target = media_root() / asset.source_path
    _copy_into_place(source, target)
    _probe_and_queue(asset)
    db.session.flush()
    return asset


def forget_lesson_media(lesson_id: int) -> None:
    """The lesson is being deleted: its rows go with it (ON DELETE CASCADE), its files after the commit."""
    root = media_root()
    for asset_id in db.session.scalars(select(MediaAsset.id).where(MediaAsset.lesson_id == lesson_id)):
        for folder in ("sources", "hls", "posters"):
            _remove_tree_after_commit(root / folder / str(asset_id))
    for caption in db.session.scalars(select(Caption).where(Caption.lesson_id == lesson_id)):
        for relative in (caption.source_path, caption.vtt_path):
            if relative:
                remove_file_after_commit(root / relative)
    from .tus import part_path

    for upload_id in db.session.scalars(select(Upload.id).where(Upload.lesson_id == lesson_id)):
        remove_file_after_commit(part_path(upload_id))


# ---------------------------------------------------------------- captions

def add_caption(lesson, source: Path, filename: str, lang: str, user_id: int | None, *, move: bool) -> Caption:
    """Store a caption file for ``lesson`` and convert it to WebVTT (ready, or failed with the reason)."""
    relative = f"captions/{lesson.id}/{secrets.token_hex(16)}{Path(filename).suffix.lower() or '.srt'}"
    target = media_root() / relative
    (_move_into_place if move else _copy_into_place)(source, target)
    caption = Caption(lesson_id=lesson.id, lang=lang, status=CAPTION_UPLOADED, original_filename=filename,
                      source_path=relative, created_by_id=user_id)
    db.session.add(caption)
    db.session.flush()
    _convert_caption(caption)
    return caption


def import_caption_file(lesson, path, lang: str = "zh") -> Caption:
    """Course package import: the checks an upload gets, then a copy under media/captions/."""
    path = Path(path)
    _check_caption(path.name, lang or "zh", path.stat().st_size)
    return add_caption(lesson, path, path.name, lang or "zh", None, move=False)


def _convert_caption(caption: Caption) -> None:
    """Decode (BOM, UTF-8, GB18030), parse and write WebVTT next to the source; a file that cannot be
    read is kept as a failed caption with the plain reason (the teacher may pick an encoding later)."""
    from . import captions as converter

    encoding = None
    try:
        text, encoding = converter.decode_caption_bytes((media_root() / caption.source_path).read_bytes())
        cues = converter.parse_captions(text)
    except ServiceError as err:
        caption.status, caption.encoding, caption.cues = CAPTION_FAILED, encoding, None
        caption.error, caption.error_params = stored_message(err.message)
        caption.error_detail = f"{err.code}: {err.details}"[:20000] if err.details else err.code
        return
    _store_webvtt(caption, cues, encoding)


def _store_webvtt(caption: Caption, cues, encoding: str) -> None:
    """Write the WebVTT under a new name (atomically) and make the caption ready with its cues."""
    from . import captions as converter

    relative = f"{Path(caption.source_path).parent.as_posix()}/{secrets.token_hex(16)}.vtt"
    target = media_root() / relative
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(converter.to_webvtt(cues), encoding="utf-8")
    os.replace(tmp, target)
    remove_file_on_rollback(target)
    caption.vtt_path, caption.encoding, caption.status = relative, encoding, CAPTION_READY
    caption.cues = [{"start": cue.start, "end": cue.end, "text": cue.plain} for cue in cues]
    caption.error = caption.error_params = caption.error_detail = None
    _retire_older_captions(caption)


def recode_caption(caption: Caption, encoding: str) -> None:
    """The teacher's choice of encoding: read the stored source again with it and write a new WebVTT.

    A choice that cannot read the file, or that finds broken times, is refused (with the line
    numbers) and changes nothing; the WebVTT it replaces goes after the commit.
    """
    from . import captions as converter

    if encoding not in dict(converter.ENCODINGS):
        raise ServiceError("unknown_encoding", converter.UNKNOWN_ENCODING, status=400)
    source = media_root() / caption.source_path if caption.source_path else None
    if source is None or not source.is_file():
        raise ServiceError("caption_source_missing",
                           _l("The original caption file is no longer here. Please upload it again."), status=409)
    text, encoding = converter.decode_caption_bytes(source.read_bytes(), forced_encoding=encoding)
    cues = converter.parse_captions(text)
    old_vtt = caption.vtt_path
    _store_webvtt(caption, cues, encoding)
    if old_vtt:
        remove_file_after_commit(media_root() / old_vtt)


def _retire_older_captions(caption: Caption) -> None:
    """A ready caption replaces the older ones in the same language."""
    root = media_root()
    older = db.session.scalars(select(Caption).where(Caption.lesson_id == caption.lesson_id,
                                                     Caption.lang == caption.lang, Caption.id < caption.id))
    for old in older:
        for relative in (old.source_path, old.vtt_path):
            if relative:
                remove_file_after_commit(root / relative)
        db.session.delete(old)


# ---------------------------------------------------------------- what the lesson shows

def lesson_media(lesson_id: int) -> dict:
    """``video``: the newest ready asset (what learners get now); ``pending_video``: the newest asset
    still probing, queued, processing or failed that is newer than it; ``captions``: every caption.

    A replaced video keeps being served until its successor is ready.
    """
    assets = db.session.scalars(select(MediaAsset).where(MediaAsset.lesson_id == lesson_id)
                                .order_by(MediaAsset.id.desc())).all()
    ready = next((a for a in assets if a.status == ASSET_READY), None)
    pending = next((a for a in assets if a.status in ASSET_PENDING and (ready is None or a.id > ready.id)), None)
    captions = db.session.scalars(select(Caption).where(Caption.lesson_id == lesson_id)
                                  .order_by(Caption.id.desc())).all()
    return {
        "video": asset_dict(ready) if ready else None,
        "pending_video": asset_dict(pending) if pending else None,
        "captions": [caption_dict(c) for c in captions],
    }


def asset_dict(asset: MediaAsset) -> dict:
    urls = media_urls(asset)
    return {
        "id": asset.id,
        "status": asset.status,
        "progress": round(asset.progress or 0.0, 1),
        "error": translated(asset.error, asset.error_params),
        "duration": asset.duration,
        "eta_seconds": asset.eta_seconds,
        "kind": asset.kind,
        **urls,
    }


def media_urls(asset: MediaAsset) -> dict:
    """Signed URLs of a ready asset's renditions (see signing.py); None until it is ready."""
    urls = {"hls_url": None, "mp4_url": None, "poster_url": None, "thumbnail_url": None, "audio_url": None}
    made = asset.renditions or {}
    if asset.status != ASSET_READY or not made:
        return urls
    from .signing import signed_url

    urls["hls_url"] = signed_url("hls", asset.id, made.get("master") or "master.m3u8")
    audio = made.get("audio") or {}
    if audio.get("name"):
        urls["audio_url"] = signed_url("hls", asset.id, f"{audio['name']}/index.m3u8")
    for key, name in (("mp4_url", made.get("download")), ("poster_url", made.get("poster")),
                      ("thumbnail_url", made.get("thumbnail"))):
        if name:
            urls[key] = signed_url("hls", asset.id, name)
    return urls


def caption_dict(caption: Caption) -> dict:
    return {
        "id": caption.id,
        "lang": caption.lang,
        "status": caption.status,
        "label": caption.label or caption_language_name(caption.lang),
        "url": _caption_url(caption),
        "error": translated(caption.error, caption.error_params),
    }


def _caption_url(caption: Caption) -> str | None:
    if caption.status != CAPTION_READY or not caption.vtt_path:
        return None
    from .signing import signed_url

    kind, ident, filename = caption.vtt_path.split("/", 2)
    return signed_url(kind, ident, filename)


def caption_language_name(lang: str) -> str:
    name = CAPTION_LANGUAGES.get(lang)
    return str(name) if name is not None else lang


# ---------------------------------------------------------------- what the lesson's editors see

def editor_review(lesson_id: int, *, show_detail: bool) -> dict:
    """Beyond ``lesson_media``, for the people who edit the lesson: whether each failed video can be
    tried again and, with ``show_detail`` (admins), the ffmpeg detail; each caption's encoding and
    first lines, so a wrong encoding shows before learners see it."""
    failed = db.session.scalars(select(MediaAsset).where(MediaAsset.lesson_id == lesson_id,
                                                         MediaAsset.status == ASSET_FAILED))
    captions = db.session.scalars(select(Caption).where(Caption.lesson_id == lesson_id))
    return {"assets": {asset.id: asset_review(asset, show_detail=show_detail) for asset in failed},
            "captions": {caption.id: caption_review(caption) for caption in captions}}


def asset_review(asset: MediaAsset, *, show_detail: bool) -> dict:
    return {"retryable": retryable(asset), "error_detail": (asset.error_detail or None) if show_detail else None}


def caption_review(caption: Caption) -> dict:
    return {"encoding": caption.encoding, "encoding_label": encoding_label(caption.encoding),
            "encoding_choice": encoding_choice(caption.encoding), "preview": caption_preview(caption)}


def caption_preview(caption: Caption, lines: int = 5) -> list[str]:
    """The first lines of words as the stored source reads in the caption's encoding (or as detected)."""
    from . import captions as converter

    try:
        data = (media_root() / caption.source_path).read_bytes()
        text, _ = converter.decode_caption_bytes(data, caption.encoding)
    except (OSError, TypeError, ServiceError):
        return []
    return converter.preview(text, lines)


def encoding_choice(encoding: str | None) -> str | None:
    """Which of the teacher's choices (captions.ENCODINGS) a detected encoding is."""
    from . import captions as converter

    family = {"utf-8-sig": "utf-8", "utf-32": None}.get(encoding, encoding)
    return family if family in dict(converter.ENCODINGS) else None


def encoding_label(encoding: str | None) -> str | None:
    from . import captions as converter

    if not encoding:
        return None
    return dict(converter.ENCODINGS).get(encoding_choice(encoding) or "", encoding.upper())


def upload_dict(upload: Upload) -> dict:
    """What became of an upload, for the page that sent it."""
    asset = db.session.get(MediaAsset, upload.asset_id) if upload.asset_id else None
    caption = db.session.get(Caption, upload.caption_id) if upload.caption_id else None
    return {
        "id": upload.id,
        "kind": upload.kind,
        "state": upload.state,
        "filename": upload.filename,
        "length": upload.length,
        "offset": upload.offset,
        "lesson_id": upload.lesson_id,
        "asset": asset_dict(asset) if asset else None,
        "caption_id": upload.caption_id,
        "caption": caption_dict(caption) if caption else None,
        "handout_id": upload.handout_id,
        "error": translated(upload.error, upload.error_params),
    }


# ---------------------------------------------------------------- messages kept in the database

def stored_message(message) -> tuple[str, dict | None]:
    """A translatable message as (English msgid, the values it names), to translate again for each reader."""
    args, values = getattr(message, "_args", None), getattr(message, "_kwargs", None)
    if args and isinstance(args[0], str):  # a lazy_gettext string: its msgid and values
        params = {key: value if isinstance(value, (int, float)) else str(value) for key, value in (values or {}).items()}
        return args[0], params or None
    with force_locale("en"):
        return str(message), None


def translated(msgid: str | None, params: dict | None = None) -> str | None:
    if not msgid:
        return None
    if has_request_context():
        return gettext(msgid, **(params or {}))
    with force_locale(current_app.config["DEFAULT_LOCALE"]):  # CLI and tasks: the site's language
        return gettext(msgid, **(params or {}))
