"""Schemas of the branches API: branches, members (party details only where the access log allows),
activities with their minutes, an activity's roll and marks, compliance by quarter."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..api.schemas import NO_CONTROL, VISIBLE_TEXT, Id, UtcDateTime
from ..attendance.schemas import MarksSchema, RollRowSchema  # noqa: F401  (the roll's, shared with classes)
from ..classes.schemas import clock_field
from . import activities
from . import models as m
from .compliance import DUE, MET, MISSED

_NAME = {"allOf": [{"pattern": VISIBLE_TEXT}, {"pattern": NO_CONTROL}]}
_LINE = {"pattern": NO_CONTROL}
#: A calendar quarter, "2026-Q4" (years the register can hold).
QUARTER_PATTERN = r"^(19|20)[0-9]{2}-Q[1-4]$"


class PartyGroupSchema(Schema):
    id = Id(required=True)
    name = fields.String(required=True)


class PartyDetailsSchema(Schema):
    status = fields.String(allow_none=True, validate=validate.OneOf(m.PARTY_STATUSES))
    joined_on = fields.Date(allow_none=True)
    full_on = fields.Date(allow_none=True)
    consent_at = UtcDateTime(allow_none=True, metadata={"description": "When the member consented to keeping them"})


class BranchMemberSchema(Schema):
    id = Id(required=True)
    branch_id = Id(required=True)
    person = Id(required=True, allow_none=True, metadata={"description": "The account; null once it was deleted"})
    name = fields.String(required=True)
    officer_role = fields.String(required=True, allow_none=True, validate=validate.OneOf(m.OFFICER_ROLES))
    group = fields.Nested(PartyGroupSchema, required=True, allow_none=True)
    joined_at = UtcDateTime(required=True)
    left_at = UtcDateTime(allow_none=True, metadata={"description": "Left the branch (kept with its history)"})
    party_details = fields.Nested(PartyDetailsSchema, metadata={
        "description": "Only for the branch's officers and admins (and the member themself), and only when asked "
                       "for; every showing is written to the access log first"})


class BranchMemberListSchema(Schema):
    members = fields.List(fields.Nested(BranchMemberSchema), required=True)


class BranchMemberQuerySchema(Schema):
    party_details = fields.Boolean(load_default=False, metadata={
        "description": "Include each member's party details (officers and admins; each showing is logged)"})
    include_left = fields.Boolean(load_default=False, metadata={"description": "Also those who have left"})


class PartyDetailsQuerySchema(Schema):
    party_details = fields.Boolean(load_default=False, metadata={
        "description": "Include the party details (officers, admins, the member themself; the showing is logged)"})


class BranchMemberPatchSchema(Schema):
    officer_role = fields.String(allow_none=True, validate=validate.OneOf(m.OFFICER_ROLES),
                                 metadata={"description": "null: an ordinary member"})
    group_id = Id(allow_none=True, metadata={"description": "A party group of the branch (404 otherwise); null: none"})


class BranchMemberAddSchema(BranchMemberPatchSchema):
    user_id = Id(required=True)


class BranchSchema(Schema):
    id = Id(required=True)
    name = fields.String(required=True)
    description = fields.String(required=True)
    my_role = fields.String(required=True, allow_none=True, validate=validate.OneOf((*m.OFFICER_ROLES, "member")),
                            metadata={"description": "The caller's place in the branch: an officer role, "
                                                     "\"member\", or null (an admin outside it)"})
    groups = fields.List(fields.Nested(PartyGroupSchema), required=True)
    members = fields.List(fields.Nested(BranchMemberSchema), metadata={
        "description": "The current members with their roles: only for officers and admins"})


class MinutesRevisionSchema(Schema):
    number = fields.Integer(required=True)
    body_md = fields.String(required=True, metadata={"description": "The Markdown as written"})
    body_html = fields.String(required=True, metadata={"description": "Rendered and sanitised: no scripts, "
                                                                      "event handlers or styles"})
    author_name = fields.String(required=True)
    created_at = UtcDateTime(required=True)
    approved_at = UtcDateTime(allow_none=True)
    correction = fields.Boolean(required=True, metadata={"description": "Saved after an earlier version was approved"})


class ActivitySchema(Schema):
    id = Id(required=True)
    branch_id = Id(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(m.ACTIVITY_KINDS))
    kind_name = fields.String(required=True, metadata={"description": "The type as a person reads it"})
    custom_kind = fields.String(allow_none=True)
    group = fields.Nested(PartyGroupSchema, required=True, allow_none=True)
    topic = fields.String(required=True)
    agenda = fields.String(required=True)
    place = fields.String(required=True)
    online = fields.Boolean(required=True)
    starts_at = UtcDateTime(required=True)
    ends_at = UtcDateTime(required=True)
    lesson_id = Id(allow_none=True)
    cancelled = fields.Boolean(required=True)


class ActivityDetailSchema(ActivitySchema):
    minutes = fields.Nested(MinutesRevisionSchema, required=True, allow_none=True,
                            metadata={"description": "The latest version (officers and members alike)"})
    approved_minutes = fields.Nested(MinutesRevisionSchema, required=True, allow_none=True,
                                     metadata={"description": "The latest version the secretary approved"})


class ActivityPatchSchema(Schema):
    kind = fields.String(validate=validate.OneOf(m.ACTIVITY_KINDS))
    custom_kind = fields.String(allow_none=True, validate=validate.Length(max=64), metadata={
        **_LINE, "description": "The name of the type, for kind \"custom\" (409 when it is missing)"})
    group_id = Id(allow_none=True, metadata={"description": "The party group, for kind \"group_meeting\" "
                                                            "(404: not a group of this branch; 409: missing)"})
    topic = fields.String(validate=validate.Length(min=1, max=activities.TOPIC_LIMIT), metadata=dict(_NAME))
    agenda = fields.String(validate=validate.Length(max=activities.AGENDA_LIMIT), metadata=dict(_LINE))
    place = fields.String(validate=validate.Length(max=200), metadata=dict(_LINE))
    online = fields.Boolean()
    day = fields.Date(metadata={"description": "On the site's calendar; at most a year back (409)"})
    starts = clock_field()
    minutes = fields.Integer(strict=True, validate=validate.Range(10, 600), metadata={"description": "Length"})


class ActivityCreateSchema(ActivityPatchSchema):
    kind = fields.String(required=True, validate=validate.OneOf(m.ACTIVITY_KINDS))
    topic = fields.String(required=True, validate=validate.Length(min=1, max=activities.TOPIC_LIMIT),
                          metadata=dict(_NAME))
    day = fields.Date(required=True, metadata={"description": "On the site's calendar; at most a year back (409)"})
    starts = clock_field(required=True)
    minutes = fields.Integer(strict=True, load_default=90, validate=validate.Range(10, 600))


class MinutesSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=activities.MINUTES_LIMIT), metadata={
        "allOf": [{"pattern": VISIBLE_TEXT}, {"pattern": NO_CONTROL}],
        "description": "Markdown; raw HTML is kept as written but sanitised when shown (body_html)"})


class ActivityRollSchema(Schema):
    activity = Id(required=True)
    rows = fields.List(fields.Nested(RollRowSchema), required=True, metadata={
        "description": "Everyone expected (officers and admins); a member sees only their own row"})


class ComplianceCheckSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(m.ACTIVITY_KINDS))
    period = fields.String(required=True, metadata={"description": "\"2026-Q4\" or \"2026-11\""})
    group = fields.Nested(PartyGroupSchema, required=True, allow_none=True)
    needed = fields.Integer(required=True)
    held = fields.Integer(required=True)
    state = fields.String(required=True, validate=validate.OneOf((MET, DUE, MISSED)))


class ComplianceAbsentSchema(Schema):
    name = fields.String(required=True)
    activity = Id(required=True)


class ComplianceSchema(Schema):
    branch_id = Id(required=True)
    quarter = fields.String(required=True)
    met = fields.Boolean(required=True)
    checks = fields.List(fields.Nested(ComplianceCheckSchema), required=True)
    absent = fields.List(fields.Nested(ComplianceAbsentSchema), required=True,
                         metadata={"description": "Absent from an activity held and not made up"})


class ComplianceQuerySchema(Schema):
    quarter = fields.String(validate=validate.Regexp(QUARTER_PATTERN),
                            metadata={"description": "\"2026-Q4\"; left out, this quarter (site time)"})
