"""Handouts: which files a lesson may carry (PDF, pictures, Word), checked by their names and their
own first bytes, stored through ``core.storage`` under names of ours.

Functions flush and never commit. Uploads arrive through the ``handout`` upload target (uploads.py)
or the plain form on the lesson edit page; course packages bring them too.
"""
from __future__ import annotations

from pathlib import Path

from flask_babel import lazy_gettext as _l

from ..core import storage
from ..core.errors import ServiceError
from ..core.utils import safe_filename
from ..extensions import db
from .models import Handout, Lesson

#: Handout extensions and the content type we send them with.
HANDOUT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
#: What the first bytes of each kind look like: a renamed file is refused.
_MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/msword": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
}
def sniff_type(head: bytes) -> str | None:
    """The content type the first bytes of a file show, among the ones we accept."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    for content_type, prefixes in _MAGIC.items():
        if any(head.startswith(p) for p in prefixes):
            return content_type
    return None


def check_handout_filename(name, refusal=None) -> str:
    """The content type a handout called ``name`` is sent with; refuses kinds we do not take
    (``refusal``: the words for a file that is not a handout, e.g. a branch activity's attachment)."""
    suffix = Path(str(name or "")).suffix.lower()
    if suffix not in HANDOUT_TYPES:
        raise ServiceError("handout_type", refusal or _l("Handouts can be PDF files, pictures (JPEG, PNG, GIF, "
                                                         "WebP) or Word documents (.doc, .docx). This file is none "
                                                         "of these."),
                           status=415, field="filename")
    return HANDOUT_TYPES[suffix]


def check_handout_content(path: Path, name, refusal=None) -> str:
    """Like ``check_handout_filename``, and the file's first bytes must match its name."""
    content_type = check_handout_filename(name, refusal)
    with open(path, "rb") as fh:
        head = fh.read(16)
    if not head:
        raise ServiceError("handout_empty", _l("This file is empty."), status=400, field="filename")
    if sniff_type(head) != content_type:
        raise ServiceError("handout_content", _l("The contents of this file do not match its type. "
                                                 "Please choose a real PDF, picture or Word file."),
                           status=415, field="filename")
    return content_type


def safe_display_name(name) -> str:
    """The uploader's file name as shown and sent on download (``handout`` if nothing is left of it)."""
    return safe_filename(name, default="handout")


def add_handout(lesson: Lesson, original_filename, stored_path: str, size: int | None = None,
                content_type: str | None = None) -> Handout:
    """Record a handout whose file is already in place at MEDIA_DIR/``stored_path``.

    The type is judged from the name and the file's own bytes, not from ``content_type``.
    """
    path = storage.path(stored_path)
    if not path.is_file():
        raise ServiceError("handout_missing", _l("The uploaded file could not be found. Please upload it again."),
                           status=400)
    checked_type = check_handout_content(path, original_filename)
    handout = Handout(original_filename=safe_display_name(original_filename), stored_path=stored_path,
                      size=path.stat().st_size if size is None else size, content_type=checked_type)
    lesson.handouts.append(handout)
    db.session.flush()
    return handout


def store_handout(lesson: Lesson, original_filename, data: bytes) -> Handout:
    """Copy ``data`` into media and record it (package import)."""
    check_handout_filename(original_filename)
    suffix = Path(str(original_filename)).suffix.lower()
    relative = storage.write_bytes(storage.handout_file(lesson.id, suffix), data)
    return add_handout(lesson, original_filename, relative, len(data))


def delete_handout(handout: Handout) -> None:
    storage.remove_after_commit(handout.stored_path)
    handout.lesson.handouts.remove(handout)
    db.session.flush()
