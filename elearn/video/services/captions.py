"""A lesson's captions: stored as uploaded, converted to WebVTT (with the cues kept for search),
read again in another encoding on the teacher's word, and replaced by newer ones in a language.

Functions flush and never commit; files go through ``core.storage``.
"""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...core import storage
from ...core.errors import ServiceError, stored_message
from ...extensions import db
from .. import captions as converter
from ..models import CAPTION_FAILED, CAPTION_READY, CAPTION_UPLOADED, Caption

#: Caption languages offered to teachers: code -> name shown.
CAPTION_LANGUAGES = {"zh": _l("Chinese"), "en": _l("English")}
CAPTION_EXTENSIONS = (".srt", ".vtt")
CAPTION_MAX_BYTES = 5 * 1024 * 1024


def check_caption(filename: str, lang: str | None, length: int) -> None:
    """Refuse a caption file by its name, language and size, before a byte is stored."""
    if Path(filename).suffix.lower() not in CAPTION_EXTENSIONS:
        raise ServiceError("caption_type", _l("Captions must be an SRT or WebVTT file (.srt or .vtt)."),
                           status=415)
    if (lang or "zh") not in CAPTION_LANGUAGES:
        raise ServiceError("caption_language", _l("Please choose the language of the captions from the list."),
                           status=400)
    if length > CAPTION_MAX_BYTES:
        raise ServiceError("caption_too_large", _l("A caption file can be at most 5 MB."), status=413)


def add_caption(lesson, source: Path, filename: str, lang: str, user_id: int | None, *, move: bool) -> Caption:
    """Store a caption file for ``lesson`` and convert it to WebVTT (ready, or failed with the reason)."""
    key = storage.new_key()
    relative = storage.caption_file(key, Path(filename).suffix.lower() or ".srt")
    (storage.move_into_place if move else storage.copy_into_place)(source, relative)
    caption = Caption(key=key, lesson_id=lesson.id, lang=lang, status=CAPTION_UPLOADED, original_filename=filename,
                      source_path=relative, created_by_id=user_id)
    db.session.add(caption)
    db.session.flush()
    _convert_caption(caption)
    return caption


def import_caption_file(lesson, path, lang: str = "zh") -> Caption:
    """Course package import: the checks an upload gets, then a copy under media/captions/."""
    path = Path(path)
    check_caption(path.name, lang or "zh", path.stat().st_size)
    return add_caption(lesson, path, path.name, lang or "zh", None, move=False)


def _convert_caption(caption: Caption) -> None:
    """Decode (BOM, UTF-8, GB18030), parse and write WebVTT next to the source; a file that cannot be
    read is kept as a failed caption with the plain reason (the teacher may pick an encoding later)."""
    encoding = None
    try:
        text, encoding = converter.decode_caption_bytes(storage.path(caption.source_path).read_bytes())
        cues = converter.parse_captions(text)
    except ServiceError as err:
        caption.status, caption.encoding, caption.cues = CAPTION_FAILED, encoding, None
        caption.error, caption.error_params = stored_message(err.message)
        caption.error_detail = f"{err.code}: {err.details}"[:20000] if err.details else err.code
        return
    _store_webvtt(caption, cues, encoding)


def _store_webvtt(caption: Caption, cues, encoding: str) -> None:
    """Write the WebVTT under a new name (atomically) and make the caption ready with its cues."""
    relative = storage.caption_file(caption.key, ".vtt")
    storage.write_text(relative, converter.to_webvtt(cues))
    caption.vtt_path, caption.encoding, caption.status = relative, encoding, CAPTION_READY
    caption.cues = [{"start": cue.start, "end": cue.end, "text": cue.plain} for cue in cues]
    caption.error = caption.error_params = caption.error_detail = None
    _retire_older_captions(caption)


def recode_caption(caption: Caption, encoding: str) -> None:
    """The teacher's choice of encoding: read the stored source again with it and write a new WebVTT.

    A choice that cannot read the file, or that finds broken times, is refused (with the line
    numbers) and changes nothing; the WebVTT it replaces goes after the commit.
    """
    if encoding not in dict(converter.ENCODINGS):
        raise ServiceError("unknown_encoding", converter.UNKNOWN_ENCODING, status=400)
    source = storage.path(caption.source_path) if caption.source_path else None
    if source is None or not source.is_file():
        raise ServiceError("caption_source_missing",
                           _l("The original caption file is no longer here. Please upload it again."), status=409)
    text, encoding = converter.decode_caption_bytes(source.read_bytes(), forced_encoding=encoding)
    cues = converter.parse_captions(text)
    old_vtt = caption.vtt_path
    _store_webvtt(caption, cues, encoding)
    storage.remove_after_commit(old_vtt)


def _retire_older_captions(caption: Caption) -> None:
    """A ready caption replaces the older ones in the same language."""
    older = db.session.scalars(select(Caption).where(Caption.lesson_id == caption.lesson_id,
                                                     Caption.lang == caption.lang, Caption.id < caption.id))
    for old in older:
        for relative in (old.source_path, old.vtt_path):
            storage.remove_after_commit(relative)
        db.session.delete(old)


def delete_caption(caption: Caption) -> None:
    """The teacher deletes a caption (ready or not): its row now, its files after the commit."""
    for relative in (caption.source_path, caption.vtt_path):
        storage.remove_after_commit(relative)
    db.session.delete(caption)
    db.session.flush()


def caption_preview(caption: Caption, lines: int = 5) -> list[str]:
    """The first lines of words as the stored source reads in the caption's encoding (or as detected)."""
    try:
        data = storage.path(caption.source_path).read_bytes()
        text, _ = converter.decode_caption_bytes(data, caption.encoding)
    except (OSError, TypeError, ServiceError):
        return []
    return converter.preview(text, lines)


def encoding_choice(encoding: str | None) -> str | None:
    """Which of the teacher's choices (captions.ENCODINGS) a detected encoding is."""
    family = {"utf-8-sig": "utf-8", "utf-32": None}.get(encoding, encoding)
    return family if family in dict(converter.ENCODINGS) else None


def encoding_label(encoding: str | None) -> str | None:
    if not encoding:
        return None
    return dict(converter.ENCODINGS).get(encoding_choice(encoding) or "", encoding.upper())


