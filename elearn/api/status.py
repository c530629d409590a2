"""GET /api/v1/admin/status: the admins' status report (elearn.core.status) as JSON."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from ..core import status
from ..core.permissions import can_view_operations, require
from .docs import Blueprint, error_responses
from .schemas import UtcDateTime

blp = Blueprint("api_status", __name__, url_prefix="/api/v1", description="Operations: workers and jobs (admins)")
_errors = error_responses(blp)


class WorkerSchema(Schema):
    name, host = fields.String(required=True), fields.String(required=True)
    pid, jobs_done = fields.Integer(required=True), fields.Integer(required=True)
    started_at, seen_at = UtcDateTime(required=True), UtcDateTime(required=True)
    stopped_at = UtcDateTime(allow_none=True)
    seconds_since_seen = fields.Integer(required=True)
    state = fields.String(required=True, metadata={"enum": ["alive", "gone", "stopped"]})


class ExpiredSchema(Schema):
    id, attempt = fields.Integer(required=True), fields.Integer(required=True)
    worker = fields.String(allow_none=True)
    lease_expired_at = UtcDateTime(allow_none=True)


class FailureSchema(Schema):
    id, attempts = fields.Integer(required=True), fields.Integer(required=True)
    code, reason = fields.String(allow_none=True), fields.String(allow_none=True)
    at = UtcDateTime(allow_none=True)


class KindSchema(Schema):
    kind = fields.String(required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    expired = fields.List(fields.Nested(ExpiredSchema), required=True)
    failures = fields.List(fields.Nested(FailureSchema), required=True)


class EventSchema(Schema):
    kind, event = fields.String(required=True), fields.String(required=True)
    row_id = fields.Integer(required=True)
    code, worker, detail = fields.String(allow_none=True), fields.String(allow_none=True), fields.String(allow_none=True)
    at = UtcDateTime(required=True)


class StatusSchema(Schema):
    now = UtcDateTime(required=True)
    workers = fields.List(fields.Nested(WorkerSchema), required=True)
    workers_alive = fields.Integer(required=True)
    jobs = fields.List(fields.Nested(KindSchema), required=True)
    events = fields.List(fields.Nested(EventSchema), required=True)


@blp.route("/admin/status")
class Status(MethodView):
    @blp.doc(summary="Background workers, jobs by state, expired leases, recent job events (admins)",
             security=[{"bearerAuth": []}])
    @blp.response(200, StatusSchema)
    @_errors({403: "Administrators only"})
    @require(can_view_operations)
    def get(self):
        """Workers alive or gone (a heartbeat row each), jobs per kind and state, jobs whose lease
        expired, the last failures and what happened to jobs lately."""
        return status.report()
