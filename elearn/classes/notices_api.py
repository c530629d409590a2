"""/api/v1: my announcements and 「知道了」, and for a class's teachers: writing one and its read counts.
The same rules as the pages (``notices.can_*``)."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from ..api import SECURITY, Blueprint, error_responses
from ..api.schemas import NO_CONTROL, VISIBLE_TEXT, Id, UtcDateTime
from ..core.db import unit_of_work
from ..core.permissions import actor, require
from . import notices
from .notices import (can_mark_notice_read, can_view_notice_reads, can_view_own_notices, can_write_notice,
                      get_notice)
from .notices_models import KINDS
from .services import get_class

blp = Blueprint("api_notices", __name__, url_prefix="/api/v1", description="Announcements of classes")
_errors = error_responses(blp)


class NoticeSchema(Schema):
    id = Id(required=True)
    class_id = Id(required=True)
    class_name = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS), metadata={
        "description": "message: written by a teacher; moved, cancelled: a session change, written by the site"})
    title = fields.String(required=True, metadata={"description": "Plain text, in the caller's language for "
                                                                  "the site's own notices"})
    body = fields.String(required=True, metadata={"description": "Plain text with line breaks"})
    author = fields.String(allow_none=True, metadata={"description": "Null for a session change"})
    session_id = Id(allow_none=True)
    created_at = UtcDateTime(required=True)
    read_at = UtcDateTime(allow_none=True, metadata={"description": "When the caller pressed 「知道了」; "
                                                                     "absent for a teacher's list"})


class ReadsSchema(Schema):
    notice = Id(required=True)
    read = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "Members it was sent to"})
    not_read = fields.List(fields.String(), required=True, metadata={"description": "Names, by name"})


class NoticeCountsSchema(NoticeSchema):
    read = fields.Integer(required=True)
    total = fields.Integer(required=True)


class NoticeCreateSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=notices.TITLE_MAX),
                          metadata={"allOf": [{"pattern": VISIBLE_TEXT}, {"pattern": NO_CONTROL}]})
    body = fields.String(required=True, validate=validate.Length(min=1, max=notices.BODY_MAX),
                         metadata={"allOf": [{"pattern": VISIBLE_TEXT}, {"pattern": NO_CONTROL}],
                                   "description": "Plain text; HTML is shown as typed, never as markup"})


def _shown(notice, read_at=None, **more) -> dict:
    title, body = notices.words(notice)
    return {"id": notice.id, "class_id": notice.class_id, "class_name": notice.class_group.name, "kind": notice.kind,
            "title": title, "body": body, "author": notice.author.name if notice.author else None,
            "session_id": notice.session_id, "created_at": notice.created_at, "read_at": read_at, **more}


@blp.route("/notices")
class MyNotices(MethodView):
    @require(can_view_own_notices)
    @blp.response(200, NoticeSchema(many=True))
    @_errors(401)
    @blp.doc(security=SECURITY)
    def get(self):
        """The announcements sent to me, newest first; ``read_at`` is null until I mark one read."""
        return [_shown(row.notice, row.read_at) for row in notices.receipts_of(actor().id)]


@blp.route("/notices/<id:notice>/read")
class NoticeRead(MethodView):
    @require(can_mark_notice_read, notice=get_notice)
    @blp.response(200, NoticeSchema)
    @_errors(401, {403: "Not sent to the caller"}, 404)
    @blp.doc(security=SECURITY)
    def post(self, notice):
        """「知道了」: mark it read (again: no change)."""
        with unit_of_work():
            row = notices.mark_read(notice, actor())
        return _shown(notice, row.read_at)


@blp.route("/notices/<id:notice>/reads")
class NoticeReads(MethodView):
    @require(can_view_notice_reads, notice=get_notice)
    @blp.response(200, ReadsSchema)
    @_errors(401, {403: "Not a teacher of the notice's class"}, 404)
    @blp.doc(security=SECURITY)
    def get(self, notice):
        """How many of the members it went to have read it, and who has not."""
        read, total = notices.read_counts([notice])[notice.id]
        return {"notice": notice.id, "read": read, "total": total,
                "not_read": [person.name for person in notices.not_read_by([notice])[notice.id]]}


@blp.route("/classes/<id:group>/notices")
class ClassNotices(MethodView):
    @require(can_write_notice, group=get_class)
    @blp.response(200, NoticeCountsSchema(many=True))
    @_errors(401, {403: "Not a teacher of the class"}, 404)
    @blp.doc(security=SECURITY)
    def get(self, group):
        """The class's announcements, newest first, each with how many have read it."""
        sent = notices.class_notices(group)
        counts = notices.read_counts(sent)
        return [_shown(notice, read=counts[notice.id][0], total=counts[notice.id][1]) for notice in sent]

    @require(can_write_notice, group=get_class)
    @blp.arguments(NoticeCreateSchema)
    @blp.response(201, NoticeCountsSchema)
    @_errors({400: "Hidden control characters in the text"}, 401, {403: "Not a teacher of the class"}, 404,
             {422: "Empty after cleaning, too long, or `errors` says which field"})
    @blp.doc(security=SECURITY)
    def post(self, data, group):
        """Send an announcement to every member enrolled now (teachers of the class and admins)."""
        with unit_of_work():
            notice = notices.post_notice(group, actor(), title=data["title"], body=data["body"])
            read, total = notices.read_counts([notice])[notice.id]
        return _shown(notice, read=read, total=total)
