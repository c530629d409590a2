"""/api/v1: categories, courses, chapters, lessons and handouts.

Reading works without signing in for public courses; everything else needs a session or a
bearer token, and every endpoint checks the same ``can_*`` rules as the pages.
"""
from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..api import SECURITY, error_responses
from ..core.db import unit_of_work
from ..core.permissions import actor, require
from . import hooks, services
from .markdown import render_markdown
from .models import STATUSES, VISIBILITIES
from .permissions import (
    allow, can_create_course, can_edit_chapter, can_edit_course, can_edit_handout,
    can_edit_lesson, can_view_course, can_view_lesson,
)

blp = Blueprint("api_courses", __name__, url_prefix="/api/v1",
                description="Categories, courses, chapters, lessons and handouts")



# ---------------------------------------------------------------- schemas

class CategorySchema(Schema):
    id = fields.Integer()
    slug = fields.String()
    name = fields.String(metadata={"description": "In the caller's language"})
    name_zh = fields.String()
    name_en = fields.String()


class PersonSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class LessonSummarySchema(Schema):
    id = fields.Integer()
    title = fields.String()
    position = fields.Integer()
    chapter_id = fields.Integer()


class ChapterSchema(Schema):
    id = fields.Integer()
    course_id = fields.Integer()
    title = fields.String()
    position = fields.Integer()
    lessons = fields.List(fields.Nested(LessonSummarySchema))


class CourseSummarySchema(Schema):
    id = fields.Integer()
    slug = fields.String(allow_none=True)
    title = fields.String()
    subtitle = fields.String()
    category = fields.Nested(CategorySchema)
    visibility = fields.String(metadata={"enum": list(VISIBILITIES)})
    status = fields.String(metadata={"enum": list(STATUSES)})
    cover_url = fields.Method("get_cover_url", allow_none=True)
    teachers = fields.List(fields.Nested(PersonSchema))
    lesson_count = fields.Method("get_lesson_count")
    can_edit = fields.Method("get_can_edit")
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)

    def get_cover_url(self, course):
        return url_for("courses.course_cover", course=course.id) if course.cover_path else None

    def get_lesson_count(self, course):
        return len(course.lessons)

    def get_can_edit(self, course):
        return can_edit_course(actor(), course)


class CourseSchema(CourseSummarySchema):
    description_md = fields.String()
    description_html = fields.Method("get_description_html", metadata={"description": "Sanitised HTML"})
    chapters = fields.List(fields.Nested(ChapterSchema))

    def get_description_html(self, course):
        return str(render_markdown(course.description_md))


class MediaSchema(Schema):
    """A video (or audio) asset as the video package reports it."""

    id = fields.Integer()
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
    id = fields.Integer()
    filename = fields.String(attribute="original_filename")
    size = fields.Integer()
    content_type = fields.String()
    url = fields.Method("get_url")
    created_at = fields.DateTime()

    def get_url(self, handout):
        return url_for("courses.handout_download", handout=handout.id)


class LessonSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    description_md = fields.String()
    description_html = fields.Method("get_description_html", metadata={"description": "Sanitised HTML"})
    position = fields.Integer()
    chapter_id = fields.Integer()
    chapter_title = fields.Function(lambda lesson: lesson.chapter.title)
    course_id = fields.Integer()
    course_title = fields.Function(lambda lesson: lesson.course.title)
    video = fields.Nested(MediaSchema, allow_none=True,
                          metadata={"description": "The asset learners get now, or null"})
    pending_video = fields.Nested(MediaSchema, allow_none=True, metadata={
        "description": "An upload still being processed or one that failed, or null"})
    captions = fields.List(fields.Dict(), metadata={"description": "Caption tracks, as the video package lists them"})
    handouts = fields.List(fields.Nested(HandoutSchema))
    can_edit = fields.Function(lambda lesson: can_edit_lesson(actor(), lesson))

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


class CourseCreateSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=services.TITLE_MAX))
    subtitle = fields.String(load_default="", validate=validate.Length(max=services.TITLE_MAX))
    category = fields.String(metadata={"description": "Category slug (see GET /categories); or give category_id"})
    category_id = fields.Integer()
    description_md = fields.String(load_default="", metadata={"description": "Markdown; sanitised when shown"})
    visibility = fields.String(load_default="signed_in", validate=validate.OneOf(VISIBILITIES))
    teacher_ids = fields.List(fields.Integer(), metadata={"description": "Admins only"})

    @validates_schema
    def _one_category(self, data, **kwargs):
        if "category" not in data and "category_id" not in data:
            raise ValidationError(str(_l("Please choose a category from the list.")), "category")


class CoursePatchSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=services.TITLE_MAX))
    subtitle = fields.String(validate=validate.Length(max=services.TITLE_MAX))
    category = fields.String()
    category_id = fields.Integer()
    description_md = fields.String()
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES))
    status = fields.String(validate=validate.OneOf(STATUSES),
                           metadata={"description": "\"published\" publishes (needs at least one lesson)"})
    teacher_ids = fields.List(fields.Integer(), metadata={"description": "Admins only"})


class CourseQuerySchema(Schema):
    category = fields.String(metadata={"description": "Only this category (slug)"})
    status = fields.String(validate=validate.OneOf(STATUSES))


class TitleSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=services.TITLE_MAX))


class LessonCreateSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=services.TITLE_MAX))
    description_md = fields.String(load_default="")
    chapter_id = fields.Integer(metadata={"description": "Default: the last chapter (\"第一章\" is created if none)"})


class LessonPatchSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=services.TITLE_MAX))
    description_md = fields.String()
    chapter_id = fields.Integer(metadata={"description": "Move the lesson to the end of this chapter"})


class MoveSchema(Schema):
    direction = fields.String(required=True, validate=validate.OneOf(["up", "down"]))


_errors = error_responses(blp)


def _category_change(data):
    if "category_id" in data:
        return {"category": services.get_category(data["category_id"])}
    if "category" in data:
        return {"category": services.get_category(data["category"])}
    return {}


# ---------------------------------------------------------------- endpoints

@blp.route("/categories")
class Categories(MethodView):
    @blp.response(200, CategorySchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self):
        """The managed list of course categories."""
        return services.list_categories()


@blp.route("/courses")
class Courses(MethodView):
    @blp.arguments(CourseQuerySchema, location="query")
    @blp.response(200, CourseSummarySchema(many=True))
    @blp.doc(security=SECURITY)
    def get(self, query):
        """Courses the caller may see: published ones, plus drafts the caller teaches (admins: all)."""
        category = services.get_category(query["category"]) if "category" in query else None
        return services.visible_courses(actor(), category=category, status=query.get("status"))

    @require(can_create_course)
    @blp.arguments(CourseCreateSchema)
    @blp.response(201, CourseSchema)
    @_errors(400, 401, 403, 422)
    @blp.doc(security=SECURITY)
    @unit_of_work()
    def post(self, data):
        """Create a course as a draft. A teacher creating it becomes its teacher."""
        user = actor()
        fields_ = {k: data[k] for k in ("title", "subtitle", "description_md", "visibility")}
        course = services.create_course(user, teachers=data.get("teacher_ids"),
                                        **_category_change(data), **fields_)
        return course


@blp.route("/courses/<int:course>")
class CourseItem(MethodView):
    @allow(can_view_course, course=services.get_course)
    @blp.response(200, CourseSchema)
    @_errors(401, 403, 404)
    @blp.doc(security=SECURITY)
    def get(self, course):
        """One course with its chapters and lessons."""
        return course

    @require(can_edit_course, course=services.get_course)
    @blp.arguments(CoursePatchSchema)
    @blp.response(200, CourseSchema)
    @_errors(400, 401, 403, 404, 409, 422)
    @blp.doc(security=SECURITY)
    @unit_of_work()
    def patch(self, data, course):
        """Change a course; `{"status": "published"}` publishes it, `"draft"` takes it back."""
        if "teacher_ids" in data:  # first: a caller who may not choose teachers learns nothing else
            services.set_teachers(actor(), course, data["teacher_ids"])
        changes = {k: data[k] for k in ("title", "subtitle", "description_md", "visibility", "status") if k in data}
        services.update_course(course, **changes, **_category_change(data))
        return course

    @require(can_edit_course, course=services.get_course)
    @blp.response(204)
    @_errors(401, 403, 404)
    @blp.doc(security=SECURITY)
    @unit_of_work()
    def delete(self, course):
        """Delete a course with its chapters, lessons and files."""
        services.delete_course(course)


@blp.route("/courses/<int:course>/chapters")
class CourseChapters(MethodView):
    @require(can_edit_course, course=services.get_course)
    @blp.arguments(TitleSchema)
    @blp.response(201, ChapterSchema)
    @_errors(400, 401, 403, 404, 422)
    @blp.doc(security=SECURITY)
    @unit_of_work()
    def post(self, data, course):
        """Add a chapter at the end of the course."""
        chapter = services.add_chapter(course, data["title"])
        return chapter


@blp.route("/chapters/<int:chapter>")
class ChapterItem(MethodView):
    @require(can_edit_chapter, chapter=services.get_chapter)
    @blp.arguments(TitleSchema)
    @blp.response(200, ChapterSchema)
    @_errors(400, 401, 403, 404, 422)
    @blp.doc(security=SECURITY)
    @unit_of_work()
    def patch(self, data, chapter):
        """Rename a chapter."""
        services.rename_chapter(chapter, data["title"])
        return chapter

    @require(can_edit_chapter, chapter=services.get_chapter)
    @blp.response(204)
    @_errors(401, 403, 404, 409)
    @blp.doc(security=SECURITY)
    @unit_of_work()
    def delete(self, chapter):
        """Delete a chapter and its lessons."""
        services.delete_chapter(chapter)


@blp.route("/chapters/<int:chapter>/move")
class ChapterMove(MethodView):
    @require(can_edit_chapter, chapter=services.get_chapter)
    @blp.arguments(MoveSchema)
    @blp.response(200, ChapterSchema)
    @_errors(401, 403, 404, 409, 422)
    @blp.doc(security=SECURITY)
    @unit_of_work()
    def post(self, data, chapter):
        """Move a chapter one place up or down."""
        services.move_chapter(chapter, data["direction"])
        return chapter


@blp.route("/courses/<int:course>/lessons")
class CourseLessons(MethodView):
    @require(can_edit_course, course=services.get_course)
    @blp.arguments(LessonCreateSchema)
    @blp.response(201, LessonSchema)
    @_errors(400, 401, 403, 404, 422)
    @blp.doc(security=SECURITY)
    @unit_of_work()
    def post(self, data, course):
        """Add a lesson at the end of `chapter_id`, else of the last chapter."""
        chapter = services.get_chapter(data["chapter_id"]) if "chapter_id" in data else None
        lesson = services.add_lesson(course, data["title"], data["description_md"], chapter=chapter)
        return dump_lesson(lesson)


@blp.route("/lessons/<int:lesson>")
class LessonItem(MethodView):
    @allow(can_view_lesson, lesson=services.get_lesson)
    @blp.response(200, LessonSchema)
    @_errors(401, 403, 404)
    @blp.doc(security=SECURITY)
    def get(self, lesson):
        """One lesson with its video, pending video, captions and handouts."""
        return dump_lesson(lesson)

    @require(can_edit_lesson, lesson=services.get_lesson)
    @blp.arguments(LessonPatchSchema)
    @blp.response(200, LessonSchema)
    @_errors(400, 401, 403, 404, 422)
    @blp.doc(security=SECURITY)
    @unit_of_work()
    def patch(self, data, lesson):
        """Change a lesson's title or description, or move it to another chapter of the course."""
        changes = {k: data[k] for k in ("title", "description_md") if k in data}
        if "chapter_id" in data:
            changes["chapter"] = services.get_chapter(data["chapter_id"])
        services.update_lesson(lesson, **changes)
        return dump_lesson(lesson)

    @require(can_edit_lesson, lesson=services.get_lesson)
    @blp.response(204)
    @_errors(401, 403, 404, 409)
    @blp.doc(security=SECURITY)
    @unit_of_work()
    def delete(self, lesson):
        """Delete a lesson with its handouts and media."""
        services.delete_lesson(lesson)


@blp.route("/lessons/<int:lesson>/move")
class LessonMove(MethodView):
    @require(can_edit_lesson, lesson=services.get_lesson)
    @blp.arguments(MoveSchema)
    @blp.response(200, LessonSchema)
    @_errors(401, 403, 404, 409, 422)
    @blp.doc(security=SECURITY)
    @unit_of_work()
    def post(self, data, lesson):
        """Move a lesson one place up or down; past the end of its chapter it moves into the next one."""
        services.move_lesson(lesson, data["direction"])
        return dump_lesson(lesson)


@blp.route("/handouts/<int:handout>")
class HandoutItem(MethodView):
    @require(can_edit_handout, handout=services.get_handout)
    @blp.response(204)
    @_errors(401, 403, 404)
    @blp.doc(security=SECURITY)
    @unit_of_work()
    def delete(self, handout):
        """Delete a handout (upload new ones with tus, kind=handout)."""
        services.delete_handout(handout)
