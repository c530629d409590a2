"""Row ids as the database holds them: ``Integer`` is 32-bit on PostgreSQL, so an id is 1..2**31-1.

Checked once, at the edges: the ``id`` URL converter (a path with any other number is not found), the
API's ``Id`` field (``api.schemas``) and ``parse_ids`` for lists in forms. Past those, code may pass an
id to the database without asking again: a bigger one would raise OverflowError in the driver
(above 2**63) or be refused by PostgreSQL (above 2**31).
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter, ValidationError

ID_MIN = 1
ID_MAX = 2 ** 31 - 1
_ID_DIGITS = len(str(ID_MAX))


class IdConverter(IntegerConverter):
    """``<id:name>``: a row id; anything outside 1..2**31-1 does not match (404)."""

    def __init__(self, map, min=ID_MIN, max=ID_MAX):  # noqa: A002  (werkzeug's argument names)
        super().__init__(map, min=min, max=max)

    def to_python(self, value: str) -> int:
        # int() of a very long string costs time and past 4,300 digits raises ValueError (a 500).
        if len(value) > _ID_DIGITS:
            raise ValidationError()
        return super().to_python(value)


def parse_id(raw) -> int | None:
    """An id from text (a form field, a list item); None when it is not one."""
    text = str(raw).strip() if raw is not None else ""
    if not text.isascii() or not text.isdigit() or len(text) > _ID_DIGITS:
        return None
    value = int(text)
    return value if ID_MIN <= value <= ID_MAX else None


def parse_ids(raw: str) -> list[int] | None:
    """Comma-separated ids; None when any part is not an id (empty parts are skipped)."""
    ids = [parse_id(part) for part in (raw or "").split(",") if part.strip()]
    return None if None in ids else ids


def init_app(app) -> None:
    # Before any blueprint is registered: rules are compiled against the converters known then.
    app.url_map.converters["id"] = IdConverter
