"""/api/v1: a video's processing state, 「重试」, and the admins' storage figures.

The tus upload endpoints are elearn.uploads'; the video and caption upload targets are registered
in uploads.py.
"""
from __future__ import annotations

from flask import jsonify
from flask.views import MethodView

from ..api import Blueprint, error_responses
from ..core.db import unit_of_work
from ..core.permissions import actor, can_view_operations, is_admin, require
from . import services, usage
from .permissions import can_view_asset
from .schemas import AssetSchema, StorageSchema

blp = Blueprint("video_api", __name__, url_prefix="/api/v1", description="Media processing state")
_errors = error_responses(blp)


@blp.route("/assets/<id:asset_id>")
class Asset(MethodView):
    @blp.doc(summary="A video's processing state", security=[{"bearerAuth": []}])
    @blp.response(200, AssetSchema)
    @_errors({403: "May not edit this video's lesson"}, 404)
    @require(can_view_asset, asset_id=services.get_asset)
    def get(self, asset_id):
        """Status, progress and the plain-language error of one video, for the teachers of its lesson."""
        return jsonify(_asset_body(asset_id))


# ---------------------------------------------------------------- 「重试」 and the admins' storage figures

def _asset_body(asset) -> dict:
    """An asset as its lesson's editors see it: whether 「重试」 applies, and the ffmpeg detail for admins."""
    return {**services.asset_dict(asset), **services.asset_review(asset, show_detail=is_admin(actor()))}


@blp.route("/assets/<id:asset_id>/retry")
class AssetRetry(MethodView):
    @blp.doc(summary="「重试」: prepare a failed video again", security=[{"bearerAuth": []}])
    @blp.response(200, AssetSchema, description="The asset, queued again (a second press changes nothing)")
    @_errors({403: "May not edit this video's lesson"}, {404: "No such video"},
             {409: "Cannot be tried again (not a recording at all, or nothing failed)"})
    @require(can_view_asset, asset_id=services.get_asset)
    @unit_of_work()
    def post(self, asset_id):
        """Queue a video whose transcoding failed again, with fresh attempts."""
        services.retry_asset(asset_id)
        return jsonify(_asset_body(asset_id))


@blp.route("/admin/storage")
class Storage(MethodView):
    @blp.doc(summary="Disk used by media per course and in total (admins)", security=[{"bearerAuth": []}])
    @blp.response(200, StorageSchema)
    @_errors({403: "Administrators only"})
    @require(can_view_operations)
    def get(self):
        """Bytes on disk per course (sources, renditions, captions, handouts), in total, and replaced
        videos waiting to be removed."""
        return usage.disk_usage()
