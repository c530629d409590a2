from __future__ import annotations

import unicodedata
from datetime import timezone

from marshmallow import Schema, fields, validate

from ..core.ids import ID_MAX, ID_MIN


class Id(fields.Integer):
    """A row id, in and out: a JSON integer 1..2**31-1 (``Integer`` is 32-bit on PostgreSQL; see
    ``core.ids``). The range is in the API document, so clients and schemathesis know it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("strict", True)
        kwargs.setdefault("validate", validate.Range(ID_MIN, ID_MAX))
        super().__init__(**kwargs)


class ApiErrorSchema(Schema):
    """The one error body of the API (``core.errors.error_response``)."""

    code = fields.String(required=True, metadata={"description": "Stable machine-readable error code"})
    message = fields.String(required=True, metadata={"description": "Translated, plain-language message"})
    status = fields.Integer(required=True, metadata={"description": "The HTTP status, repeated"})
    field = fields.String(metadata={"description": "The request field the refusal is about"})
    errors = fields.Dict(metadata={"description": "Validation messages by location and field (422)"})
    retry_after = fields.Integer(metadata={"description": "Seconds to wait: a sign-in lock (429), a busy database (503)"})
    limit = fields.Integer(metadata={"description": "The limit that was passed, in its unit (413: bytes)"})
    problems = fields.List(fields.Dict(), metadata={"description": "A file's problems by line: "
                                                                    "[{\"line\": 12, \"message\": \"...\"}]"})


class UserSchema(Schema):
    id = Id()
    name = fields.String()
    username = fields.String(allow_none=True)
    mobile = fields.String(allow_none=True)
    birth_year = fields.Integer(allow_none=True)
    roles = fields.Method("get_roles", metadata={"type": "array", "items": {"type": "string"}})
    locale = fields.String(allow_none=True)
    text_size = fields.String()
    contrast = fields.String()

    def get_roles(self, user):
        return sorted(user.roles)


def _invisible_format_ranges() -> str:
    """The invisible format characters (Unicode category Cf) of the Basic Multilingual Plane as a
    character-class body of ``\\uXXXX`` ranges, which both ECMA and Python regular expressions read."""
    ranges, start = [], None
    for code in range(0x10000 + 1):
        inside = code <= 0xFFFF and unicodedata.category(chr(code)) == "Cf"
        if inside and start is None:
            start = code
        elif not inside and start is not None:
            ranges.append(f"\\u{start:04x}" + (f"-\\u{code - 1:04x}" if code - 1 > start else ""))
            start = None
    return "".join(ranges)


#: Text with something besides white space and invisible format characters in it: ``core.text`` drops
#: those (zero widths, bidi controls) and the services answer 400 when nothing is left. (Python's
#: white space also takes \x1c-\x1f and \x85, which ECMA's ``\s`` does not.) Cf characters beyond
#: U+FFFF cannot be written in a pattern both kinds of regular expression read, and are left out.
VISIBLE_TEXT = r"[^\s\x1c-\x1f\x85" + _invisible_format_ranges() + "]"
#: Text without control codes (core.text refuses them; tab and line breaks are allowed and tidied).
NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]*$"


class TokenRequestSchema(Schema):
    login = fields.String(required=True, metadata={"description": "Mobile number or username",
                                                   "pattern": VISIBLE_TEXT})
    password = fields.String(required=True, load_only=True, metadata={"minLength": 1})


class TokenSchema(Schema):
    token = fields.String(required=True)
    user = fields.Nested(UserSchema)


class UtcDateTime(fields.DateTime):
    """A time as RFC 3339 in UTC with ``Z`` (``2026-12-01T08:21:50.161565Z``). The database keeps naive
    UTC, which marshmallow would send without any offset: not a valid ``date-time``, and read as local
    time by browsers. Every datetime that leaves the API goes through this field."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        return value.replace(tzinfo=None).isoformat() + "Z"
