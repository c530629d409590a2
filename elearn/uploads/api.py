"""/api/v1/uploads/: the tus 1.0.0 endpoints (core, creation, termination, expiration), plus a JSON
read-out of what an upload became.

Authentication is the shared API one (bearer token, or the session with the CSRF token in
``X-CSRFToken`` for anything that changes state). An upload answers only to the user who
created it: anyone else is told it does not exist.
"""
from __future__ import annotations

from flask import Response, jsonify, request, url_for
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from werkzeug.wsgi import get_input_stream

from ..api import Blueprint, error_responses
from ..api.docs import CONFIG_MAXIMUM
from ..core.db import unit_of_work
from ..core.errors import ServiceError
from ..core.permissions import actor, require
from ..extensions import db
from . import services, tus
from .models import UPLOAD_RECEIVING, Upload
from .permissions import can_continue_upload, can_start_uploads

blp = Blueprint("uploads_api", __name__, url_prefix="/api/v1", description="Resumable uploads (tus 1.0.0)")

_TUS_ENDPOINTS = {"uploads_api.UploadCollection", "uploads_api.UploadResource"}
_HEADER_DOC = {"Tus-Resumable": {"description": "Always 1.0.0", "schema": {"type": "string"}}}
_OPTIONS_DOC = {"204": {"description": "Tus-Version, Tus-Extension and Tus-Max-Size headers", "headers": _HEADER_DOC}}
#: What became of an upload: these keys, and what its target adds (lesson_id, asset, caption, handout_id...).
_UPLOAD_JSON = {"description": "The upload's state and what its target made of it", "content": {"application/json": {
    "schema": {"type": "object", "additionalProperties": True, "properties": {
        "id": {"type": "string"}, "kind": {"type": "string"},
        "state": {"type": "string", "enum": ["receiving", "complete", "refused"]},
        "filename": {"type": "string"}, "length": {"type": "integer"}, "offset": {"type": "integer"},
        "target_id": {"type": "integer", "nullable": True}, "error": {"type": "string", "nullable": True}}}}}}
_errors = error_responses(blp)


@blp.after_request
def _tus_headers(response):
    """Every tus response says which protocol version it speaks; a 412 also lists the ones we have."""
    if request.endpoint in _TUS_ENDPOINTS:
        response.headers["Tus-Resumable"] = tus.TUS_VERSION
        if response.status_code == 412:
            response.headers["Tus-Version"] = tus.TUS_VERSION
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _load_upload(upload_id: str):
    return tus.get_upload(upload_id, actor(), allow_expired=request.method == "DELETE" and not _override())


def _override() -> str | None:
    # Only a POST may stand in for another method: a GET must never become a DELETE, because
    # unsafe methods are where the session's CSRF check applies.
    if request.method != "POST":
        return None
    value = request.headers.get("X-HTTP-Method-Override", "").strip().upper()
    return value or None


def _options_response() -> Response:
    response = Response(status=204)
    response.headers["Tus-Version"] = tus.TUS_VERSION
    response.headers["Tus-Extension"] = tus.TUS_EXTENSIONS
    response.headers["Tus-Max-Size"] = str(tus.max_upload_bytes())
    return response


@blp.route("/uploads/", strict_slashes=False)
class UploadCollection(MethodView):
    @blp.doc(summary="tus: what this server supports", security=[{}], responses=_OPTIONS_DOC)
    def options(self):
        """Discover the tus versions, extensions and size limit (no sign-in needed)."""
        return _options_response()

    @blp.doc(summary="tus creation: start an upload", security=[{"bearerAuth": []}], parameters=[
        {"in": "header", "name": "Tus-Resumable", "required": True, "schema": {"type": "string", "enum": ["1.0.0"]}},
        {"in": "header", "name": "Upload-Length", "required": True, "description": "Bytes; at most Tus-Max-Size, "
         "and each kind of file has its own limit (413)", "schema": {"type": "integer", "minimum": 0,
                                                                  CONFIG_MAXIMUM: "MAX_UPLOAD_BYTES"}},
        {"in": "header", "name": "Upload-Metadata", "required": True, "schema": {"type": "string"},
         "description": "filename, kind (video | caption | handout | activity), lesson_id (activity_id for "
                        "a branch activity's file), and lang for captions (default zh); values base64-encoded"},
    ], responses={"201": {"description": "Created; Location is the upload URL", "headers": _HEADER_DOC}})
    @_errors({400: "Missing or unreadable headers, empty file, wrong kind of file for its target"},
             {403: "May not add files to this lesson"}, {404: "No such lesson"}, 412,
             {413: "Larger than Tus-Max-Size or the target's limit"}, {415: "Not a kind of file the target takes"})
    @require(can_start_uploads)
    def post(self):
        """Create an upload for a lesson; it is checked before a byte is accepted."""
        tus.check_version(request.headers.get("Tus-Resumable"))
        if request.headers.get("Upload-Defer-Length") is not None or request.headers.get("Upload-Length") is None:
            raise ServiceError("length_required", _l("The upload must say how large the file is (Upload-Length)."),
                               status=400)
        length = tus.parse_size(request.headers.get("Upload-Length"), "Upload-Length")
        with unit_of_work():
            upload = tus.create_upload(actor(), length, request.headers.get("Upload-Metadata"))
        response = Response(status=201)
        response.headers["Location"] = url_for("uploads_api.UploadResource", upload_id=upload.id, _external=True)
        response.headers["Upload-Expires"] = tus.http_date(upload.expires_at)
        return response


@blp.route("/uploads/<upload_id>")
class UploadResource(MethodView):
    @blp.doc(summary="tus: what this server supports", security=[{}], responses=_OPTIONS_DOC)
    def options(self, upload_id):
        """Discover the tus versions, extensions and size limit."""
        return _options_response()

    @blp.doc(summary="tus core: how much has arrived", security=[{"bearerAuth": []}], responses={
        "200": {"description": "Upload-Offset, Upload-Length, Upload-Metadata, Upload-Expires"}})
    @_errors({404: "Unknown upload (or someone else's)"}, {410: "Not finished within 24 hours, removed"}, 412)
    @require(can_continue_upload, upload_id=_load_upload)
    def head(self, upload_id):
        """The offset to resume from."""
        return _head(upload_id)

    @blp.doc(summary="What became of an upload (JSON; not part of tus)", security=[{"bearerAuth": []}],
             responses={"200": _UPLOAD_JSON})
    @_errors({404: "Unknown upload (or someone else's)"}, {410: "Not finished within 24 hours, removed"})
    @require(can_continue_upload, upload_id=_load_upload)
    def get(self, upload_id):
        """The upload's state and, once finished, the asset, caption or handout it became."""
        return jsonify(services.upload_dict(upload_id))

    @blp.doc(summary="tus core: send bytes", security=[{"bearerAuth": []}], parameters=[
        {"in": "header", "name": "Upload-Offset", "required": True, "schema": {"type": "integer"}},
        {"in": "header", "name": "Content-Type", "required": True,
         "schema": {"type": "string", "enum": [tus.OFFSET_CONTENT_TYPE]}},
    ], responses={"204": {"description": "Upload-Offset: the new offset"}})
    @_errors({404: "Unknown upload (or someone else's)"},
             {409: "Offset mismatch, or another client is sending this upload"}, 410, 412,
             {413: "More bytes than Upload-Length"}, {415: "Wrong Content-Type"}, 507)
    @require(can_continue_upload, upload_id=_load_upload)
    def patch(self, upload_id):
        """Append bytes at Upload-Offset; bytes received before a dropped connection are kept."""
        return _patch(upload_id)

    @blp.doc(summary="tus termination: abandon an upload", security=[{"bearerAuth": []}],
             responses={"204": {"description": "Removed"}})
    @_errors({404: "Unknown upload (or someone else's)"}, 412)
    @require(can_continue_upload, upload_id=_load_upload)
    def delete(self, upload_id):
        """Remove an upload and the bytes received so far."""
        return _delete(upload_id)

    @blp.doc(summary="X-HTTP-Method-Override: PATCH, DELETE or HEAD sent as POST", security=[{"bearerAuth": []}],
             responses={"200": {"description": "HEAD's answer"}, "204": {"description": "PATCH's or DELETE's answer"}})
    @_errors({404: "Unknown upload (or someone else's)"}, {405: "No override, or one that is not PATCH, DELETE or HEAD"},
             409, 410, 412, 413, 415, 507)
    @require(can_continue_upload, upload_id=_load_upload)
    def post(self, upload_id):
        """For clients behind proxies that only pass GET and POST."""
        handlers = {"PATCH": _patch, "DELETE": _delete, "HEAD": _head}
        handler = handlers.get(_override() or "")
        if handler is None:
            raise ServiceError("method_not_allowed", _l("This action is not available here."), status=405)
        return handler(upload_id)


def _head(upload) -> Response:
    tus.check_version(request.headers.get("Tus-Resumable"))
    response = Response(status=200)
    response.headers["Upload-Offset"] = str(upload.offset)
    response.headers["Upload-Length"] = str(upload.length)
    response.headers["Cache-Control"] = "no-store"
    if upload.raw_metadata:
        response.headers["Upload-Metadata"] = upload.raw_metadata
    if upload.state == UPLOAD_RECEIVING:
        response.headers["Upload-Expires"] = tus.http_date(upload.expires_at)
    return response


def _patch(upload) -> Response:
    tus.check_version(request.headers.get("Tus-Resumable"))
    content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type != tus.OFFSET_CONTENT_TYPE:
        raise ServiceError("bad_content_type", _l("File data must be sent as application/offset+octet-stream."),
                           status=415)
    offset = tus.parse_size(request.headers.get("Upload-Offset"), "Upload-Offset")
    # Read the raw body ourselves: the app-wide MAX_CONTENT_LENGTH is for forms, not for chunks
    # whose size the upload itself bounds (append reads at most Upload-Length - offset).
    stream = get_input_stream(request.environ, max_content_length=None)
    upload_id = upload.id
    new_offset = tus.append(upload, offset, stream, request.content_length)
    upload = db.session.get(Upload, upload_id)
    response = Response(status=204)
    response.headers["Upload-Offset"] = str(new_offset)
    if upload is not None and upload.state == UPLOAD_RECEIVING:
        response.headers["Upload-Expires"] = tus.http_date(upload.expires_at)
    return response


def _delete(upload) -> Response:
    tus.check_version(request.headers.get("Tus-Resumable"))
    with unit_of_work():
        tus.terminate(upload)
    return Response(status=204)


