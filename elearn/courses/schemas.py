"""Schemas of the courses API: what /api/v1 reads from and answers to callers."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..api.schemas import NO_CONTROL, VISIBLE_TEXT, Id, UtcDateTime
from ..core.permissions import actor
from . import hooks, services
from .markdown import render_markdown
from .models import STATUSES, VISIBILITIES
from .permissions import can_edit_course, can_edit_lesson

_HTML = {"type": "string", "description": "Sanitised HTML"}


class CategorySchema(Schema):
    id = Id()
    slug = fields.String()
    name = fields.String(metadata={"description": "In the caller's language"})
    name_zh = fields.String()
    name_en = fields.String()


class PersonSchema(Schema):
    id = Id()
    name = fields.String()


class LessonSummarySchema(Schema):
    id = Id()
    title = fields.String()
    position = fields.Integer()
    chapter_id = Id()


class ChapterSchema(Schema):
    id = Id()
    course_id = Id()
    title = fields.String()
    position = fields.Integer()
    lessons = fields.List(fields.Nested(LessonSummarySchema))


class CourseSummarySchema(Schema):
    id = Id()
    slug = fields.String(allow_none=True)
    title = fields.String()
    subtitle = fields.String()
    category = fields.Nested(CategorySchema)
    visibility = fields.String(metadata={"enum": list(VISIBILITIES)})
    status = fields.String(metadata={"enum": list(STATUSES)})
    cover_url = fields.Method("get_cover_url", allow_none=True, metadata={"type": "string"})
    teachers = fields.List(fields.Nested(PersonSchema))
    lesson_count = fields.Method("get_lesson_count", metadata={"type": "integer"})
    can_edit = fields.Method("get_can_edit", metadata={"type": "boolean"})
    created_at = UtcDateTime()
    updated_at = UtcDateTime()
    published_at = UtcDateTime(allow_none=True)

    def get_cover_url(self, course):
        return url_for("courses.course_cover", course=course.id) if course.cover_path else None

    def get_lesson_count(self, course):
        return len(course.lessons)

    def get_can_edit(self, course):
        return can_edit_course(actor(), course)


class CourseSchema(CourseSummarySchema):
    description_md = fields.String()
    description_html = fields.Method("get_description_html", metadata=dict(_HTML))
    chapters = fields.List(fields.Nested(ChapterSchema))

    def get_description_html(self, course):
        return str(render_markdown(course.description_md))


class MediaSchema(Schema):
    """A video (or audio) asset as the video package reports it."""

    id = Id()
    status = fields.String()
    kind = fields.String(metadata={"enum": ["video", "audio"]})
    progress = fields.Float(allow_none=True, metadata={"description": "Percent transcoded"})
    eta_seconds = fields.Integer(allow_none=True, metadata={"description": "Estimated seconds of transcoding left"})
    error = fields.String(allow_none=True)
    duration = fields.Float(allow_none=True)
    hls_url = fields.String(allow_none=True)
    mp4_url = fields.String(allow_none=True)
    poster_url = fields.String(allow_none=True)
    thumbnail_url = fields.String(allow_none=True)
    audio_url = fields.String(allow_none=True, metadata={"description": "The audio-only rendition (sound-only mode)"})


class HandoutSchema(Schema):
    id = Id()
    filename = fields.String(attribute="original_filename")
    size = fields.Integer()
    content_type = fields.String()
    url = fields.Method("get_url", metadata={"type": "string"})
    created_at = UtcDateTime()

    def get_url(self, handout):
        return url_for("courses.handout_download", handout=handout.id)


class LessonSchema(Schema):
    id = Id()
    title = fields.String()
    description_md = fields.String()
    description_html = fields.Method("get_description_html", metadata=dict(_HTML))
    position = fields.Integer()
    chapter_id = Id()
    chapter_title = fields.Function(lambda lesson: lesson.chapter.title, metadata={"type": "string"})
    course_id = Id()
    course_title = fields.Function(lambda lesson: lesson.course.title, metadata={"type": "string"})
    video = fields.Nested(MediaSchema, allow_none=True,
                          metadata={"description": "The asset learners get now, or null"})
    pending_video = fields.Nested(MediaSchema, allow_none=True, metadata={
        "description": "An upload still being processed or one that failed, or null"})
    captions = fields.List(fields.Dict(), metadata={"description": "Caption tracks, as the video package lists them"})
    handouts = fields.List(fields.Nested(HandoutSchema))
    can_edit = fields.Function(lambda lesson: can_edit_lesson(actor(), lesson), metadata={"type": "boolean"})

    def get_description_html(self, lesson):
        return str(render_markdown(lesson.description_md))


def dump_lesson(lesson) -> dict:
    """The lesson with its media merged in, ready for ``LessonSchema``."""
    return _LessonView(lesson, hooks.media_of(lesson.id))


class _LessonView:
    """Attribute access over a lesson plus its media dict, so the schema reads both alike."""

    def __init__(self, lesson, media):
        self._lesson = lesson
        self.video = media["video"]
        self.pending_video = media["pending_video"]
        self.captions = media["captions"]

    def __getattr__(self, name):
        return getattr(self._lesson, name)


#: What the services accept as a title (``services.clean_title``): something besides white space, and
#: no control codes. Documented only; the service gives the plain-language refusal (400).
_VISIBLE_TEXT = {"allOf": [{"pattern": VISIBLE_TEXT}, {"pattern": NO_CONTROL}]}
_LINE = {"pattern": NO_CONTROL}
_DESCRIPTION = {"description": "Markdown; sanitised when shown", "maxLength": services.DESCRIPTION_MAX,
                "pattern": NO_CONTROL}


def _category_slug(description):
    """A category's slug, as the categories are named (lower-case words with hyphens): the document states
    the form, and a well-formed slug that names no category is answered 404."""
    return fields.String(validate=[validate.Length(min=1, max=services.CATEGORY_SLUG_MAX),
                                   validate.Regexp(services.CATEGORY_SLUG)], metadata={"description": description})


def _title(**kwargs):
    return fields.String(validate=validate.Length(min=1, max=services.TITLE_MAX), metadata=dict(_VISIBLE_TEXT),
                         **kwargs)


class CourseCreateSchema(Schema):
    #: One of the two ways of naming the category is needed (``_one_category``).
    OPENAPI_EXTRA = {"anyOf": [{"required": ["category"]}, {"required": ["category_id"]}]}

    title = _title(required=True)
    subtitle = fields.String(load_default="", validate=validate.Length(max=services.TITLE_MAX), metadata=_LINE)
    category = _category_slug("Category slug (see GET /categories); or give category_id. One of the two is required")
    category_id = Id(metadata={"description": "Category id; or give category (the slug)"})
    description_md = fields.String(load_default="", metadata=_DESCRIPTION)
    visibility = fields.String(load_default="signed_in", validate=validate.OneOf(VISIBILITIES))
    teacher_ids = fields.List(Id(), metadata={"description": "Admins only; people with the teacher role"})

    @validates_schema
    def _one_category(self, data, **kwargs):
        if "category" not in data and "category_id" not in data:
            raise ValidationError(str(_l("Please choose a category from the list.")), "category")


class CoursePatchSchema(Schema):
    title = _title()
    subtitle = fields.String(validate=validate.Length(max=services.TITLE_MAX), metadata=_LINE)
    category = _category_slug("Category slug; category_id wins when both are given")
    category_id = Id()
    description_md = fields.String(metadata=_DESCRIPTION)
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES))
    status = fields.String(validate=validate.OneOf(STATUSES),
                           metadata={"description": "\"published\" publishes (needs at least one lesson)"})
    teacher_ids = fields.List(Id(), metadata={"description": "Admins only; people with the teacher role"})


class CourseQuerySchema(Schema):
    category = _category_slug("Only this category (slug)")
    status = fields.String(validate=validate.OneOf(STATUSES))


class TitleSchema(Schema):
    title = _title(required=True)


class LessonCreateSchema(Schema):
    title = _title(required=True)
    description_md = fields.String(load_default="", metadata=_DESCRIPTION)
    chapter_id = Id(metadata={"description": "A chapter of this course. Default: the last chapter "
                                                         "(\"第一章\" is created if none)"})


class LessonPatchSchema(Schema):
    title = _title()
    description_md = fields.String(metadata=_DESCRIPTION)
    chapter_id = Id(metadata={"description": "Move the lesson to the end of this chapter (of the same "
                                                         "course)"})


class MoveSchema(Schema):
    direction = fields.String(required=True, validate=validate.OneOf(["up", "down"]))
