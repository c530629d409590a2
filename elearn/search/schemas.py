"""Schemas of the search API. Any text is a query: it is cut into words, never parsed as syntax."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..api.schemas import Id
from . import query, services

_SNIPPET = {"description": "Escaped text with <mark>…</mark> around the words found (no other HTML)"}


class SearchQuerySchema(Schema):
    q = fields.String(load_default="", metadata={
        "description": f"What to look for, in Chinese, pinyin (taiji, tj) or English; any text is accepted and "
                       f"only its first {query.MAX_LENGTH} characters and {query.MAX_WORDS} words are used"})
    category = fields.String(validate=validate.Length(max=64), metadata={"description": "Only this category (slug)"})
    teacher = Id(strict=False, metadata={"description": "Only courses this teacher teaches (a user id)"})
    page = fields.Integer(load_default=1, validate=validate.Range(1, services.MAX_PAGE))


class SuggestQuerySchema(Schema):
    q = fields.String(load_default="", metadata={"description": "What has been typed so far; the last word may be half"})


class FoundCourseSchema(Schema):
    id = Id()
    title = fields.String(metadata=_SNIPPET)
    title_text = fields.String()
    teachers = fields.String()
    category = fields.String()
    snippet = fields.String(metadata=_SNIPPET)
    url = fields.String()


class FoundLessonSchema(Schema):
    id = Id()
    title = fields.String(metadata=_SNIPPET)
    title_text = fields.String()
    course_title = fields.String()
    snippet = fields.String(metadata=_SNIPPET)
    url = fields.String()


class FoundMomentSchema(Schema):
    lesson_id = Id()
    lesson_title = fields.String()
    course_title = fields.String()
    start = fields.Integer(metadata={"description": "Second of the video where the words are said"})
    at = fields.String(metadata={"description": "The same as m:ss"})
    snippet = fields.String(metadata=_SNIPPET)
    url = fields.String(metadata={"description": "The lesson page, playing from ``start`` (?t=)"})


class SearchResultSchema(Schema):
    query = fields.String(metadata={"description": "The query as it was used (tidied and capped)"})
    did_you_mean = fields.String(allow_none=True, metadata={
        "description": "Words that sound like the query: when nothing matched, their results are shown instead; "
                       "for a homophone typo (太级 for 太极), they were searched as well"})
    truncated = fields.Boolean()
    page = fields.Integer()
    per_page = fields.Integer()
    courses = fields.List(fields.Nested(FoundCourseSchema), metadata={"description": "On the first page only"})
    lessons = fields.List(fields.Nested(FoundLessonSchema))
    lessons_total = fields.Integer()
    moments = fields.List(fields.Nested(FoundMomentSchema))
    moments_total = fields.Integer()


class SuggestionSchema(Schema):
    kind = fields.String(validate=validate.OneOf(("course", "lesson")))
    title = fields.String()
    url = fields.String()
