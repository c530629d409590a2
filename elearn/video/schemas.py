"""Schemas of the video API's JSON read-outs: an asset's processing state and the storage figures."""
from __future__ import annotations

from marshmallow import Schema, fields

from ..api.schemas import Id, UtcDateTime
from ..courses.schemas import MediaSchema
from .models import ASSET_KINDS, ASSET_STATUSES


class AssetSchema(MediaSchema):
    """An asset as its lesson's editors see it (``services.asset_dict`` and ``asset_review``)."""

    status = fields.String(metadata={"enum": list(ASSET_STATUSES)})
    kind = fields.String(metadata={"enum": list(ASSET_KINDS)})
    progress = fields.Float(metadata={"description": "Percent transcoded"})
    retryable = fields.Boolean(metadata={"description": "「重试」 applies: transcoding failed, the source is kept"})
    error_detail = fields.String(allow_none=True, metadata={"description": "ffmpeg's own words (admins only)"})


class CourseStorageSchema(Schema):
    id = Id()
    title = fields.String()
    sources_bytes = fields.Integer(attribute="sources", metadata={"description": "Uploaded originals"})
    renditions_bytes = fields.Integer(attribute="renditions", metadata={"description": "HLS, posters, downloads"})
    captions_bytes = fields.Integer(attribute="captions")
    handouts_bytes = fields.Integer(attribute="handouts")
    total_bytes = fields.Integer(attribute="total")


class RetiredAssetSchema(Schema):
    asset_id = Id()
    lesson_id = Id()
    lesson_title = fields.String()
    course_title = fields.String()
    filename = fields.String()
    retired_at = UtcDateTime(metadata={"description": "UTC; when a newer video of the lesson became ready"})
    remove_after = UtcDateTime(metadata={"description": "UTC; the files go at the first clean-up after this"})
    bytes = fields.Integer()


class StorageSchema(Schema):
    total_bytes = fields.Integer(metadata={"description": "Everything under the media folder"})
    courses_bytes = fields.Integer()
    other_bytes = fields.Integer(metadata={"description": "Covers, uploads in progress, leftovers"})
    courses = fields.List(fields.Nested(CourseStorageSchema), metadata={"description": "Largest first"})
    awaiting_removal = fields.List(fields.Nested(RetiredAssetSchema))
    awaiting_removal_bytes = fields.Integer()
