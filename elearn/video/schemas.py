"""Schemas of the video API's JSON read-outs: an asset's processing state and the storage figures."""
from __future__ import annotations

from marshmallow import Schema, fields


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
