"""/api/v1: categories, courses, chapters, lessons and handouts.

Reading works without signing in for public courses; everything else needs a session or a
bearer token, and every endpoint checks the same ``can_*`` rules as the pages.
"""
from __future__ import annotations

from flask.views import MethodView

from ..api import SECURITY, Blueprint, error_responses
from ..core.db import unit_of_work
from ..core.permissions import actor, require
from . import handouts, services
from .permissions import (
    allow, can_create_course, can_edit_chapter, can_edit_course, can_edit_handout,
    can_edit_lesson, can_view_course, can_view_lesson,
)
from .schemas import (
    CategorySchema, ChapterSchema, CourseCreateSchema, CoursePatchSchema, CourseQuerySchema, CourseSchema,
    CourseSummarySchema, LessonCreateSchema, LessonPatchSchema, LessonSchema, MoveSchema, TitleSchema, dump_lesson,
)

blp = Blueprint("api_courses", __name__, url_prefix="/api/v1",
                description="Categories, courses, chapters, lessons and handouts")

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
    @_errors()
    @blp.doc(security=SECURITY)
    def get(self):
        """The managed list of course categories."""
        return services.list_categories()


@blp.route("/courses")
class Courses(MethodView):
    @blp.arguments(CourseQuerySchema, location="query")
    @blp.response(200, CourseSummarySchema(many=True))
    @_errors({404: "No category has this slug"}, {422: "`errors` says which field and why (a slug not written as "
                                                          "slugs are, say)"})
    @blp.doc(security=SECURITY)
    def get(self, query):
        """Courses the caller may see: published ones, plus drafts the caller teaches (admins: all)."""
        category = services.get_category(query["category"]) if "category" in query else None
        return services.visible_courses(actor(), category=category, status=query.get("status"))

    @require(can_create_course)
    @blp.arguments(CourseCreateSchema)
    @blp.response(201, CourseSchema)
    @_errors({400: "Refused: the message says why (a title of only spaces, say)"},
             {403: "Not allowed to create courses, or (not an admin) sending teacher_ids"},
             {404: "No category has this slug or id"},
             {409: "teacher_ids names someone who is not a teacher (or no one)"}, 422)
    @blp.doc(security=SECURITY)
    @unit_of_work()
    def post(self, data):
        """Create a course as a draft. A teacher creating it becomes its teacher."""
        user = actor()
        fields_ = {k: data[k] for k in ("title", "subtitle", "description_md", "visibility")}
        course = services.create_course(user, teachers=data.get("teacher_ids"),
                                        **_category_change(data), **fields_)
        return course


@blp.route("/courses/<id:course>")
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
    @_errors(400, {403: "May not edit this course, or (not an admin) sending teacher_ids"},
             {404: "No such course, or no category has this slug or id"},
             {409: "Publishing a course without lessons, or teacher_ids naming someone who is not a teacher"},
             {422: "No body, or `errors` says which field and why"})
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


@blp.route("/courses/<id:course>/chapters")
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


@blp.route("/chapters/<id:chapter>")
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


@blp.route("/chapters/<id:chapter>/move")
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


@blp.route("/courses/<id:course>/lessons")
class CourseLessons(MethodView):
    @require(can_edit_course, course=services.get_course)
    @blp.arguments(LessonCreateSchema)
    @blp.response(201, LessonSchema)
    @_errors({400: "Refused: the message says why (a title of only spaces, say)"}, 403,
             {404: "No such course, or no chapter chapter_id"}, {409: "chapter_id is a chapter of another course"}, 422)
    @blp.doc(security=SECURITY)
    @unit_of_work()
    def post(self, data, course):
        """Add a lesson at the end of `chapter_id`, else of the last chapter."""
        chapter = services.get_chapter(data["chapter_id"]) if "chapter_id" in data else None
        lesson = services.add_lesson(course, data["title"], data["description_md"], chapter=chapter)
        return dump_lesson(lesson)


@blp.route("/lessons/<id:lesson>")
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
    @_errors({400: "Refused: the message says why (a title of only spaces, say)"}, 403,
             {404: "No such lesson, or no chapter chapter_id"}, {409: "chapter_id is a chapter of another course"}, 422)
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


@blp.route("/lessons/<id:lesson>/move")
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


@blp.route("/handouts/<id:handout>")
class HandoutItem(MethodView):
    @require(can_edit_handout, handout=services.get_handout)
    @blp.response(204)
    @_errors(401, 403, 404)
    @blp.doc(security=SECURITY)
    @unit_of_work()
    def delete(self, handout):
        """Delete a handout (upload new ones with tus, kind=handout)."""
        handouts.delete_handout(handout)
