"""Pages: the catalogue, course and lesson pages for learners; authoring pages for teachers."""
from __future__ import annotations

from pathlib import Path

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from ..core import storage
from ..core.db import unit_of_work
from ..core.errors import ServiceError
from ..core.permissions import actor, require
from . import bp, covers, handouts, hooks, services
from ..core.confirm import ActionForm, confirm_then_act
from .forms import CourseForm, LessonForm, TitleForm
from .markdown import render_markdown
from .permissions import (
    allow, can_assign_teachers, can_create_course, can_download_handout, can_edit_chapter, can_edit_course,
    can_edit_handout, can_edit_lesson, can_view_course, can_view_teaching,
)

HANDOUT_FORM_MAX = 50 * 1024 * 1024


@bp.app_template_filter("markdown")
def _markdown_filter(text):
    return render_markdown(text)


@bp.app_context_processor
def _nav_rules():
    return {"can_view_teaching": can_view_teaching}


def _form_status() -> int:
    """A form shown again after a POST was refused: 400, so clients and tests see the refusal."""
    return 400 if request.method == "POST" else 200


def _send_media(relative: str, *, download_name=None, mimetype=None, as_attachment=False):
    try:
        path = storage.path(relative)
    except ServiceError:
        abort(404)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=mimetype, as_attachment=as_attachment, download_name=download_name,
                     conditional=True, max_age=3600)


# ---------------------------------------------------------------- learners

@bp.get("/courses")
def catalogue():
    """Published courses the visitor may see, grouped by category (each course passes can_view_course)."""
    categories = services.list_categories()
    chosen = None
    slug = request.args.get("category")
    if slug:
        chosen = next((c for c in categories if c.slug == slug), None)
        if chosen is None:
            abort(404)
    courses = services.visible_courses(actor(), published_only=True, category=chosen)
    groups = [(c, [course for course in courses if course.category_id == c.id]) for c in categories]
    return render_template("courses/catalogue.html", groups=[g for g in groups if g[1]], categories=categories,
                           chosen=chosen, total=len(courses))


@bp.get("/courses/<id:course>")
@allow(can_view_course, course=services.get_course)
def course_page(course):
    user = actor()
    learning = hooks.learning_on_page(user, course)
    first = next(iter(course.lessons), None)
    return render_template("courses/course.html", course=course, first_lesson=first, learning=learning,
                           next_lesson=learning["next"] or first, can_edit=can_edit_course(user, course))


@bp.get("/courses/<id:course>/cover")
@allow(can_view_course, course=services.get_course)
def course_cover(course):
    if not course.cover_path:
        abort(404)
    return _send_media(course.cover_path)


@bp.get("/handouts/<id:handout>")
@allow(can_download_handout, handout=services.get_handout)
def handout_download(handout):
    # PDFs and pictures open in the browser (easier for older learners); Word files download.
    # The name is cleaned when stored and Werkzeug encodes it (RFC 6266/5987) in the header.
    inline = handout.content_type == "application/pdf" or handout.content_type.startswith("image/")
    return _send_media(handout.stored_path, download_name=handouts.safe_display_name(handout.original_filename),
                       mimetype=handout.content_type, as_attachment=not inline)


# ---------------------------------------------------------------- teaching: courses

@bp.get("/teaching")
@require(can_view_teaching)
def teaching():
    return render_template("courses/teaching.html", courses=services.teaching_courses(actor()),
                           can_create=can_create_course(actor()))


def _course_form(course=None):
    user = actor()
    teachers = services.teacher_candidates() if can_assign_teachers(user, course) else None
    form = CourseForm(obj=course, categories=services.list_categories(), teachers=teachers)
    if request.method == "GET" and course is not None:
        form.category.data = course.category_id
        if teachers is not None:
            form.teachers.data = [t.id for t in course.teachers]
    return form


def _save_course(form, course=None):
    user = actor()
    fields = {"title": form.title.data, "subtitle": form.subtitle.data or "", "category": form.category.data,
              "description_md": form.description_md.data or "", "visibility": form.visibility.data}
    teacher_ids = form.teachers.data if "teachers" in form else None
    if course is None:
        course = services.create_course(user, teachers=teacher_ids, **fields)
    else:
        services.update_course(course, **fields)
        if teacher_ids is not None:
            services.set_teachers(user, course, teacher_ids)
    upload = form.cover.data
    if upload and getattr(upload, "filename", ""):
        covers.set_cover(course, upload.read(covers.COVER_MAX_BYTES + 1))
    elif form.remove_cover.data:
        covers.remove_cover(course)
    return course


@bp.route("/teaching/courses/new", methods=["GET", "POST"])
@require(can_create_course)
def course_new():
    form = _course_form()
    if form.validate_on_submit():
        with unit_of_work(flash_errors=True) as work:
            course = _save_course(form)
        if work.ok:
            flash(_("The course has been created as a draft. Now add chapters and lessons."), "success")
            return redirect(url_for("courses.course_manage", course=course.id))
    return render_template("courses/course_form.html", form=form, course=None), _form_status()


@bp.route("/teaching/courses/<id:course>/edit", methods=["GET", "POST"])
@require(can_edit_course, course=services.get_course)
def course_edit(course):
    form = _course_form(course)
    if form.validate_on_submit():
        with unit_of_work(flash_errors=True) as work:
            _save_course(form, course)
        if work.ok:
            flash(_("The course has been saved."), "success")
            return redirect(url_for("courses.course_manage", course=course.id))
    return render_template("courses/course_form.html", form=form, course=course), _form_status()


@bp.get("/teaching/courses/<id:course>")
@require(can_edit_course, course=services.get_course)
def course_manage(course):
    return render_template("courses/manage.html", course=course, action_form=ActionForm(),
                           chapter_form=TitleForm(prefix="chapter"), lesson_form=TitleForm(prefix="lesson"),
                           without_video=hooks.lessons_without_video(course))


@bp.post("/teaching/courses/<id:course>/status")
@require(can_edit_course, course=services.get_course)
def course_status(course):
    form = ActionForm()
    status = request.form.get("status")
    if form.validate_on_submit():
        message = _("The course is published: learners can now find it.") if status == "published" else \
            _("The course is a draft again: only its teachers can see it.")
        with unit_of_work(flash_errors=True) as work:
            services.update_course(course, status=status)
        if work.ok:
            flash(message, "success")
            _warn_lessons_without_video(course, status)
    return redirect(url_for("courses.course_manage", course=course.id))


def _warn_lessons_without_video(course, status) -> None:
    """Published with lessons learners cannot watch yet: say which, so the teacher can see to them."""
    missing = hooks.lessons_without_video(course) if status == "published" else []
    if missing:
        flash(_("Learners cannot watch these lessons yet, because they have no ready video: %(titles)s.",
                # Translators: what separates the lesson titles in a list (Chinese uses 、).
                titles=_(", ").join(f"“{lesson.title}”" for lesson in missing)), "info")


@bp.route("/teaching/courses/<id:course>/delete", methods=["GET", "POST"])
@require(can_edit_course, course=services.get_course)
def course_delete(course):
    return confirm_then_act(
        lambda: services.delete_course(course),
        done=_("The course “%(title)s” has been deleted.", title=course.title), back=url_for("courses.teaching"),
        title=_("Delete this course?"),
        question=_("Delete the course “%(title)s” with all its chapters, lessons, videos and handouts? "
                   "This cannot be undone.", title=course.title),
        confirm=_("Yes, delete the course"), cancel_url=url_for("courses.course_manage", course=course.id))


# ---------------------------------------------------------------- teaching: chapters

def _outline_url(course, anchor=None):
    return url_for("courses.course_manage", course=course.id, _anchor=anchor)


@bp.post("/teaching/courses/<id:course>/chapters")
@require(can_edit_course, course=services.get_course)
def chapter_add(course):
    form = TitleForm(prefix="chapter")
    chapter = None
    if form.validate_on_submit():
        with unit_of_work(flash_errors=True) as work:
            added = services.add_chapter(course, form.title.data)
        if work.ok:
            chapter = added
            flash(_("The chapter has been added."), "success")
    else:
        flash(_("Please enter a title for the new chapter."), "error")
    return redirect(_outline_url(course, f"chapter-{chapter.id}" if chapter else "add-chapter"))


@bp.route("/teaching/chapters/<id:chapter>/rename", methods=["GET", "POST"])
@require(can_edit_chapter, chapter=services.get_chapter)
def chapter_rename(chapter):
    form = TitleForm(obj=chapter)
    if form.validate_on_submit():
        with unit_of_work(flash_errors=True) as work:
            services.rename_chapter(chapter, form.title.data)
        if work.ok:
            flash(_("The chapter has been renamed."), "success")
            return redirect(_outline_url(chapter.course, f"chapter-{chapter.id}"))
    return render_template("courses/title_form.html", form=form, heading=_("Rename the chapter"),
                           cancel_url=_outline_url(chapter.course, f"chapter-{chapter.id}")), _form_status()


@bp.post("/teaching/chapters/<id:chapter>/move/<direction>")
@require(can_edit_chapter, chapter=services.get_chapter)
def chapter_move(chapter, direction):
    if ActionForm().validate_on_submit():
        with unit_of_work(flash_errors=True):
            services.move_chapter(chapter, direction)
    return redirect(_outline_url(chapter.course, f"chapter-{chapter.id}"))


@bp.route("/teaching/chapters/<id:chapter>/delete", methods=["GET", "POST"])
@require(can_edit_chapter, chapter=services.get_chapter)
def chapter_delete(chapter):
    course = chapter.course
    return confirm_then_act(
        lambda: services.delete_chapter(chapter),
        done=_("The chapter has been deleted."), back=_outline_url(course), title=_("Delete this chapter?"),
        question=_("Delete the chapter “%(title)s” and its %(count)d lessons, with their videos and handouts? "
                   "This cannot be undone.", title=chapter.title, count=len(chapter.lessons)),
        confirm=_("Yes, delete the chapter"), cancel_url=_outline_url(course, f"chapter-{chapter.id}"))


# ---------------------------------------------------------------- teaching: lessons

@bp.post("/teaching/chapters/<id:chapter>/lessons")
@require(can_edit_chapter, chapter=services.get_chapter)
def lesson_add(chapter):
    form = TitleForm(prefix="lesson")
    if form.validate_on_submit():
        with unit_of_work(flash_errors=True) as work:
            lesson = services.add_lesson(chapter.course, form.title.data, chapter=chapter)
        if work.ok:
            flash(_("The lesson has been added. Now add its video, description and handouts."), "success")
            return redirect(url_for("courses.lesson_edit", lesson=lesson.id))
    else:
        flash(_("Please enter a title for the new lesson."), "error")
    return redirect(_outline_url(chapter.course, f"chapter-{chapter.id}"))


@bp.route("/teaching/lessons/<id:lesson>/edit", methods=["GET", "POST"])
@require(can_edit_lesson, lesson=services.get_lesson)
def lesson_edit(lesson):
    form = LessonForm(obj=lesson, chapters=lesson.course.chapters)
    if request.method == "GET":
        form.chapter.data = lesson.chapter_id
    if form.validate_on_submit():
        chapter = next((c for c in lesson.course.chapters if c.id == form.chapter.data), None)
        with unit_of_work(flash_errors=True) as work:
            services.update_lesson(lesson, title=form.title.data, chapter=chapter,
                                   description_md=form.description_md.data or "")
        if work.ok:
            flash(_("The lesson has been saved."), "success")
            return redirect(url_for("courses.lesson_edit", lesson=lesson.id))
    return render_template("courses/lesson_edit.html", form=form, lesson=lesson, course=lesson.course,
                           action_form=ActionForm(), panels=hooks.edit_panels(lesson)), _form_status()


@bp.post("/teaching/lessons/<id:lesson>/move/<direction>")
@require(can_edit_lesson, lesson=services.get_lesson)
def lesson_move(lesson, direction):
    if ActionForm().validate_on_submit():
        with unit_of_work(flash_errors=True):
            services.move_lesson(lesson, direction)
    return redirect(_outline_url(lesson.course, f"lesson-{lesson.id}"))


@bp.route("/teaching/lessons/<id:lesson>/delete", methods=["GET", "POST"])
@require(can_edit_lesson, lesson=services.get_lesson)
def lesson_delete(lesson):
    return confirm_then_act(
        lambda: services.delete_lesson(lesson),
        done=_("The lesson has been deleted."), back=_outline_url(lesson.course), title=_("Delete this lesson?"),
        question=_("Delete the lesson “%(title)s” with its video and handouts? This cannot be undone.",
                   title=lesson.title),
        confirm=_("Yes, delete the lesson"), cancel_url=url_for("courses.lesson_edit", lesson=lesson.id))


@bp.post("/teaching/lessons/<id:lesson>/handouts")
@require(can_edit_lesson, lesson=services.get_lesson)
def handout_upload(lesson):
    """A plain form upload of one handout, for browsers without the resumable uploader."""
    form = ActionForm()
    upload = request.files.get("file")
    if not form.validate_on_submit():
        abort(400)
    if upload is None or not upload.filename:
        flash(_("Please choose a file first."), "error")
    else:
        data = upload.read(HANDOUT_FORM_MAX + 1)
        if len(data) > HANDOUT_FORM_MAX:
            flash(_("This file is too large for this form (at most 50 MB)."), "error")
        else:
            with unit_of_work(flash_errors=True) as work:
                handouts.store_handout(lesson, upload.filename, data)
            if work.ok:
                flash(_("The handout has been added."), "success")
    return redirect(url_for("courses.lesson_edit", lesson=lesson.id, _anchor="handouts"))


@bp.route("/teaching/handouts/<id:handout>/delete", methods=["GET", "POST"])
@require(can_edit_handout, handout=services.get_handout)
def handout_delete(handout):
    back = url_for("courses.lesson_edit", lesson=handout.lesson.id, _anchor="handouts")
    return confirm_then_act(
        lambda: handouts.delete_handout(handout),
        done=_("The handout has been deleted."), back=back, title=_("Delete this handout?"),
        question=_("Delete the handout “%(name)s”? Learners will no longer be able to download it.",
                   name=handout.original_filename),
        confirm=_("Yes, delete the handout"), cancel_url=back)


def cover_url(course):
    return url_for("courses.course_cover", course=course.id, v=Path(course.cover_path).stem[:8]) \
        if course.cover_path else None


@bp.app_context_processor
def _helpers():
    return {"course_cover_url": cover_url, "lesson_counts": hooks.lesson_counts}
