"""/api/v1: a video's processing state, 「重试」, and the admins' storage figures.

The tus upload endpoints are elearn.uploads'; the video and caption upload targets are registered
in uploads.py.
"""
from __future__ import annotations

from flask import jsonify
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..core.db import unit_of_work
from ..core.errors import NotFound
from ..core.permissions import actor, can_view_operations, is_admin, require
from ..extensions import db
from . import services, usage
from .models import MediaAsset
from .permissions import can_view_asset

blp = Blueprint("video_api", __name__, url_prefix="/api/v1", description="Media processing state")


def _load_asset(asset_id: int):
    asset = db.session.get(MediaAsset, asset_id)
    if asset is None:
        raise NotFound("asset_not_found", _l("This video does not exist or has been removed."))
    return asset


@blp.route("/assets/<int:asset_id>")
class Asset(MethodView):
    @blp.doc(summary="A video's processing state", security=[{"bearerAuth": []}],
             responses={"200": {"description": "{id, status, progress, eta_seconds, error, retryable, "
                                               "error_detail (admins only), duration, hls_url, mp4_url, poster_url}"}})
    @require(can_view_asset, asset_id=_load_asset)
    def get(self, asset_id):
        """Status, progress and the plain-language error of one video, for the teachers of its lesson."""
        return jsonify(_asset_body(asset_id))


# ---------------------------------------------------------------- 「重试」 and the admins' storage figures

def _asset_body(asset) -> dict:
    """An asset as its lesson's editors see it: whether 「重试」 applies, and the ffmpeg detail for admins."""
    return {**services.asset_dict(asset), **services.asset_review(asset, show_detail=is_admin(actor()))}


@blp.route("/assets/<int:asset_id>/retry")
class AssetRetry(MethodView):
    @blp.doc(summary="「重试」: prepare a failed video again", security=[{"bearerAuth": []}], responses={
        "200": {"description": "The asset, queued again (a second press changes nothing)"},
        "401": {"description": "Not signed in"}, "403": {"description": "May not edit this lesson"},
        "404": {"description": "No such video"},
        "409": {"description": "Cannot be tried again (not a recording at all, or nothing failed)"}})
    @require(can_view_asset, asset_id=_load_asset)
    @unit_of_work()
    def post(self, asset_id):
        """Queue a video whose transcoding failed again, with fresh attempts."""
        services.retry_asset(asset_id)
        return jsonify(_asset_body(asset_id))


class CourseStorageSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    sources_bytes = fields.Integer(attribute="sources", metadata={"description": "Uploaded originals"})
    renditions_bytes = fields.Integer(attribute="renditions", metadata={"description": "HLS, posters, downloads"})
    captions_bytes = fields.Integer(attribute="captions")
    handouts_bytes = fields.Integer(attribute="handouts")
    total_bytes = fields.Integer(attribute="total")


class RetiredAssetSchema(Schema):
    asset_id = fields.Integer()
    lesson_id = fields.Integer()
    lesson_title = fields.String()
    course_title = fields.String()
    filename = fields.String()
    retired_at = fields.DateTime(metadata={"description": "UTC; when a newer video of the lesson became ready"})
    remove_after = fields.DateTime(metadata={"description": "UTC; the files go at the first clean-up after this"})
    bytes = fields.Integer()


class StorageSchema(Schema):
    total_bytes = fields.Integer(metadata={"description": "Everything under the media folder"})
    courses_bytes = fields.Integer()
    other_bytes = fields.Integer(metadata={"description": "Covers, uploads in progress, leftovers"})
    courses = fields.List(fields.Nested(CourseStorageSchema), metadata={"description": "Largest first"})
    awaiting_removal = fields.List(fields.Nested(RetiredAssetSchema))
    awaiting_removal_bytes = fields.Integer()


@blp.route("/admin/storage")
class Storage(MethodView):
    @blp.doc(summary="Disk used by media per course and in total (admins)", security=[{"bearerAuth": []}])
    @blp.response(200, StorageSchema)
    @require(can_view_operations)
    def get(self):
        """Bytes on disk per course (sources, renditions, captions, handouts), in total, and replaced
        videos waiting to be removed."""
        return usage.disk_usage()
