"""A course's cover picture: a PNG, JPEG or WebP image of at most 5 MB, judged by its own bytes and
stored through ``core.storage`` under a random name (the old one goes after the commit)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core import storage
from ..core.errors import ServiceError
from ..core.timeutil import utcnow
from .handouts import sniff_type
from .models import Course

COVER_MAX_BYTES = 5 * 1024 * 1024
_COVER_TYPES = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}


def set_cover(course: Course, data: bytes) -> None:
    """Store ``data`` as the course's cover; it must be a PNG, JPEG or WebP image of at most 5 MB."""
    if len(data) > COVER_MAX_BYTES:
        raise ServiceError("cover_too_large", _l("The picture is too large (at most 5 MB)."), status=413,
                           field="cover")
    content_type = sniff_type(data[:16])
    if content_type not in _COVER_TYPES or not _decodes_as_image(data):
        raise ServiceError("cover_not_image", _l("The cover must be a picture (JPEG, PNG or WebP)."), status=415,
                           field="cover")
    old = course.cover_path
    course.cover_path = storage.write_bytes(storage.cover_file(_COVER_TYPES[content_type]), data)
    storage.remove_after_commit(old)
    course.updated_at = utcnow()


def _decodes_as_image(data: bytes) -> bool:
    """With Pillow installed, the whole picture must decode; without it the first bytes decide
    (Pillow is not a dependency: it is used only where an installation has it anyway)."""
    try:
        from PIL import Image
    except ImportError:
        return True
    import io

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except Exception:  # Pillow raises many kinds of errors for a broken picture
        return False
    return True


def remove_cover(course: Course) -> None:
    storage.remove_after_commit(course.cover_path)
    course.cover_path = None
