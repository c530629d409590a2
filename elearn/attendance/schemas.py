"""Schemas of an event's roll and a batch of marks, shared by every kind of event's API."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..api.schemas import NO_CONTROL, Id, UtcDateTime
from . import models as am
from .roll import MAX_MARKS


class RollRowSchema(Schema):
    person = Id(required=True)
    name = fields.String(required=True)
    status = fields.String(allow_none=True, validate=validate.OneOf(am.STATUSES))
    mode = fields.String(allow_none=True, validate=validate.OneOf(am.MODES))
    source = fields.String(allow_none=True, validate=validate.OneOf(am.SOURCES))
    note = fields.String(allow_none=True)
    marked_at = UtcDateTime(allow_none=True)


class MarkSchema(Schema):
    person = Id(required=True)
    status = fields.String(required=True, validate=validate.OneOf(am.STATUSES))
    mode = fields.String(validate=validate.OneOf(am.MODES),
                         metadata={"description": "Left out, the person's mode stays (on site for a first mark)"})
    note = fields.String(validate=[validate.Length(max=500), validate.Regexp(NO_CONTROL)],
                         metadata={"description": "Left out, the note stays; empty, it is cleared"})
    made_at = UtcDateTime(metadata={
        "description": "When the mark was made on the device (RFC 3339; without an offset it is read as UTC); "
                       "the mark made last wins. "
                       "Believed up to 12 hours back and never in the future."})
    ref = fields.String(validate=[validate.Length(min=1, max=64), validate.Regexp(r"^[A-Za-z0-9:_.-]+$")],
                        metadata={"description": "The device's id for this mark: sent again, it counts once"})


class MarksSchema(Schema):
    marks = fields.List(fields.Nested(MarkSchema), required=True, validate=validate.Length(min=1, max=MAX_MARKS))
