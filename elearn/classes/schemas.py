"""Schemas of the classes API: a session's roll, a batch of marks, the check-in code, a check-in; terms,
classes, their sessions and members."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..api.schemas import NO_CONTROL, VISIBLE_TEXT, Id, UtcDateTime
from ..attendance import models as am
from ..attendance.checkin import CODE_PATTERN
from ..attendance.schemas import MarkSchema, MarksSchema, RollRowSchema  # noqa: F401  (the roll's, shared)
from . import models as m


class RollSchema(Schema):
    session = Id(required=True)
    rows = fields.List(fields.Nested(RollRowSchema), required=True)


class CheckinCodeSchema(Schema):
    code = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "What the QR code holds"})
    seconds_left = fields.Float(required=True, metadata={"description": "Until the code changes"})
    checked_in = fields.List(fields.String(), required=True, metadata={"description": "Names, in check-in order"})
    expected = fields.Integer(required=True)


class CheckinRequestSchema(Schema):
    code = fields.String(required=True, validate=validate.Regexp(CODE_PATTERN), metadata={
        "description": "The code from the classroom screen's QR link; it changes every 30 s (an old one is 404)"})


class CheckinResultSchema(Schema):
    session = Id(required=True)
    status = fields.String(required=True, validate=validate.OneOf(am.STATUSES))
    marked = fields.Boolean(required=True, metadata={"description": "False when already checked in before"})


# ---------------------------------------------------------------- terms, classes, sessions, members

#: What the services accept as a name (``services._name``): something visible, no control codes.
_NAME = {"allOf": [{"pattern": VISIBLE_TEXT}, {"pattern": NO_CONTROL}]}
_LINE = {"pattern": NO_CONTROL}
#: A clock time on the site's wall clock: 09:30 or 09:30:00.
CLOCK_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


def clock_field(**kwargs):
    return fields.Time(metadata={"type": "string", "pattern": CLOCK_PATTERN,
                                                 "description": "On the site's wall clock"}, **kwargs)


class TermSchema(Schema):
    id = Id(required=True)
    name = fields.String(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    required_rate = fields.Float(required=True, metadata={"description": "Attendance (0-1) needed for the certificate"})


class TermPatchSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=64), metadata=dict(_NAME))
    starts_on = fields.Date(metadata={"description": "The first day (site time)"})
    ends_on = fields.Date(metadata={"description": "The last day; not before the first, at most a year after (409)"})
    required_rate = fields.Float(validate=validate.Range(0, 1), allow_nan=False)


class TermCreateSchema(TermPatchSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=64), metadata=dict(_NAME))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True, metadata={"description": "Not before starts_on, at most a year after (409)"})
    required_rate = fields.Float(load_default=0.8, validate=validate.Range(0, 1), allow_nan=False)


class StaffPersonSchema(Schema):
    id = Id(required=True)
    name = fields.String(required=True)


def _minutes(most: int, **kwargs):
    return fields.Integer(strict=True, validate=validate.Range(0, most), **kwargs)


class ClassPatchSchema(Schema):
    term_id = Id()
    name = fields.String(validate=validate.Length(min=1, max=100), metadata=dict(_NAME))
    course_id = Id(allow_none=True)
    teacher_ids = fields.List(Id(), validate=validate.Length(min=1, max=20),
                              metadata={"description": "People with the teacher role"})
    assistant_ids = fields.List(Id(), validate=validate.Length(max=50), metadata={"description": "Class monitors (班长)"})
    room = fields.String(validate=validate.Length(max=100), metadata=dict(_LINE))
    capacity = fields.Integer(strict=True, allow_none=True, validate=validate.Range(1, 10000),
                              metadata={"description": "Places; null: no limit"})
    self_enrol = fields.Boolean(metadata={"description": "Students may join by themselves"})
    opens_before_minutes = _minutes(240)
    closes_after_minutes = _minutes(240)
    late_after_minutes = _minutes(240, allow_none=True, metadata={"description": "null: never late"})
    makeup_days = _minutes(60)
    absent_when_unmarked = fields.Boolean()


class ClassCreateSchema(ClassPatchSchema):
    term_id = Id(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata=dict(_NAME))
    teacher_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=20),
                              metadata={"description": "People with the teacher role"})


class ClassSchema(Schema):
    id = Id(required=True)
    term = fields.Nested(TermSchema, required=True)
    name = fields.String(required=True)
    course_id = Id(allow_none=True)
    teachers = fields.List(fields.Nested(StaffPersonSchema), required=True)
    assistants = fields.List(fields.Nested(StaffPersonSchema), required=True)
    room = fields.String(required=True)
    capacity = fields.Integer(allow_none=True)
    self_enrol = fields.Boolean(required=True)
    opens_before_minutes = fields.Integer(required=True)
    closes_after_minutes = fields.Integer(required=True)
    late_after_minutes = fields.Integer(allow_none=True)
    makeup_days = fields.Integer(required=True)
    absent_when_unmarked = fields.Boolean(required=True)
    enrolled = fields.Integer(required=True, metadata={"description": "Members now"})
    my_role = fields.String(allow_none=True, validate=validate.OneOf(("teacher", "assistant", "enrolled", "waiting")),
                            metadata={"description": "The caller's place in the class, if any"})


class ClassQuerySchema(Schema):
    term = Id(strict=False, metadata={"description": "Only the classes of this term"})


class CopySchema(Schema):
    term_id = Id(required=True, metadata={"description": "The term to copy the class to"})


class SessionSchema(Schema):
    id = Id(required=True)
    class_id = Id(required=True)
    starts_at = UtcDateTime(required=True)
    ends_at = UtcDateTime(required=True)
    mode = fields.String(required=True, validate=validate.OneOf(m.SESSION_MODES))
    room = fields.String(required=True)
    topic = fields.String(required=True)
    lesson_id = Id(allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf((m.SCHEDULED, m.CANCELLED)))
    moved_from = UtcDateTime(allow_none=True, metadata={"description": "The first planned start, if it was moved"})


class SessionQuerySchema(Schema):
    start = fields.Date(data_key="from", metadata={"description": "From this day (site time)"})
    until = fields.Date(metadata={"description": "Up to and including this day (site time)"})


class SessionMoveSchema(Schema):
    day = fields.Date(required=True, metadata={"description": "A day of the class's term (409 otherwise)"})
    starts = clock_field(required=True)
    minutes = fields.Integer(strict=True, validate=validate.Range(10, 600),
                             metadata={"description": "Length; unchanged when left out"})
    room = fields.String(validate=validate.Length(max=100), metadata=dict(_LINE))


class SessionCreateSchema(SessionMoveSchema):
    minutes = fields.Integer(strict=True, required=True, validate=validate.Range(10, 600))
    mode = fields.String(load_default=m.ON_SITE, validate=validate.OneOf(m.SESSION_MODES))
    topic = fields.String(load_default="", validate=validate.Length(max=200), metadata=dict(_LINE))
    lesson_id = Id(metadata={"description": "A lesson of the class's course to watch"})


class MemberSchema(Schema):
    person = fields.Nested(StaffPersonSchema, required=True)
    state = fields.String(required=True, validate=validate.OneOf((m.ENROLLED, m.WAITING, m.LEFT)))
    enrolled_at = UtcDateTime(allow_none=True)
    waiting_since = UtcDateTime(allow_none=True)
    left_at = UtcDateTime(allow_none=True)


class MembersSchema(Schema):
    members = fields.List(fields.Nested(MemberSchema), required=True)
    waiting = fields.List(fields.Nested(MemberSchema), required=True,
                          metadata={"description": "In the order they move up"})


class EnrolSchema(Schema):
    #: One of the two, not both (``_one_person``).
    OPENAPI_EXTRA = {"oneOf": [{"required": ["user_id"]}, {"required": ["mobile"]}]}

    user_id = Id()
    mobile = fields.String(validate=validate.Length(min=1, max=32), metadata=dict(_LINE))

    @validates_schema
    def _one_person(self, data, **kwargs):
        if ("user_id" in data) == ("mobile" in data):
            raise ValidationError(str(_l("Please give either user_id or mobile, not both.")), "_schema")
