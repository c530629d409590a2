"""Courses, chapters, lessons and handouts: the work behind the pages, the API and packages.

Functions flush and never commit; the caller commits once. Files go through ``core.storage``,
which follows the transaction. Features above this one hear of changes through ``hooks``
(a lesson being deleted, a course published) and are never imported here.
"""
from __future__ import annotations


from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User, UserRole
from ..core import storage
from ..core.errors import Forbidden, NotFound, ServiceError
from ..core.ids import ID_MAX, ID_MIN, parse_id
from ..core.timeutil import utcnow
from ..core.text import clean_line, clean_text
from ..extensions import db
from . import hooks, permissions
from .models import STATUSES, VISIBILITIES, Category, Chapter, Course, Handout, Lesson

TITLE_MAX = 200
DESCRIPTION_MAX = 20000




# ---------------------------------------------------------------- look-ups

def _get(model, object_id, code, message):
    if isinstance(object_id, str):  # from upload metadata
        object_id = parse_id(object_id)
    valid = isinstance(object_id, int) and not isinstance(object_id, bool) and ID_MIN <= object_id <= ID_MAX
    obj = db.session.get(model, object_id) if valid else None
    if obj is None:
        raise NotFound(code, message)
    return obj


def get_course(course_id) -> Course:
    return _get(Course, course_id, "course_not_found", _l("This course does not exist or has been removed."))


def get_chapter(chapter_id) -> Chapter:
    return _get(Chapter, chapter_id, "chapter_not_found", _l("This chapter does not exist or has been removed."))


def get_lesson(lesson_id) -> Lesson:
    return _get(Lesson, lesson_id, "lesson_not_found", _l("This lesson does not exist or has been removed."))


def get_handout(handout_id) -> Handout:
    return _get(Handout, handout_id, "handout_not_found", _l("This handout does not exist or has been removed."))


def list_categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.position, Category.id)))


#: How category slugs are written (the seeded ones: ``taichi``, ``history-culture``); the API documents it.
CATEGORY_SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
CATEGORY_SLUG_MAX = 64


def get_category(value) -> Category:
    """A category by id or slug; 404 when there is none (a form shows the message, the API the status)."""
    if isinstance(value, int):
        category = db.session.get(Category, value)
    else:
        category = db.session.scalar(select(Category).where(Category.slug == str(value)))
    if category is None:
        raise ServiceError("unknown_category", _l("Please choose a category from the list."), status=404,
                           field="category")
    return category


#: Lists show lesson counts: load chapters and lessons in two queries, not two per course.
_OUTLINE = selectinload(Course.chapters).selectinload(Chapter.lessons)


def visible_courses(user, *, published_only=False, category=None, status=None, ids=None) -> list[Course]:
    """The courses ``user`` may see (drafts only for their teachers and admins), filtered in SQL:
    optionally by status, category or a list of course ids."""
    query = (select(Course).where(permissions.visible_clause(user))
             .order_by(Course.title, Course.id).options(_OUTLINE))
    if published_only:
        status = "published"
    if status is not None:
        query = query.where(Course.status == status)
    if category is not None:
        query = query.where(Course.category_id == category.id)
    if ids is not None:
        query = query.where(Course.id.in_(list(ids)))
    return list(db.session.scalars(query))


def teaching_courses(user) -> list[Course]:
    """The courses ``user`` may edit: theirs for a teacher, all for an admin."""
    query = (select(Course).where(permissions.editable_clause(user))
             .order_by(Course.updated_at.desc(), Course.id.desc()).options(_OUTLINE))
    return list(db.session.scalars(query))


def teacher_candidates() -> list:
    query = (select(User).join(UserRole).where(UserRole.role == "teacher", User.is_disabled.is_(False))
             .order_by(User.name, User.id))
    return list(db.session.scalars(query))


# ---------------------------------------------------------------- validation

def clean_title(value, field="title") -> str:
    title = clean_line(value, field)
    if not title:
        raise ServiceError("title_required", _l("Please enter a title."), status=400, field=field)
    if len(title) > TITLE_MAX:
        raise ServiceError("title_too_long", _l("The title is too long (at most 200 characters)."), status=400,
                           field=field)
    return title


def _clean_subtitle(value) -> str:
    subtitle = clean_line(value, "subtitle")
    if len(subtitle) > TITLE_MAX:
        raise ServiceError("subtitle_too_long", _l("The subtitle is too long (at most 200 characters)."),
                           status=400, field="subtitle")
    return subtitle


def _clean_description(value, field="description_md") -> str:
    text = clean_text(value, field)
    if len(text) > DESCRIPTION_MAX:
        raise ServiceError("description_too_long", _l("The description is too long (at most 20000 characters)."),
                           status=400, field=field)
    return text


def _clean_visibility(value) -> str:
    if value not in VISIBILITIES:
        raise ServiceError("bad_visibility", _l("Please choose who may see the course."), status=400,
                           field="visibility")
    return value


# ---------------------------------------------------------------- courses

def create_course(creator, *, title, category, subtitle="", description_md="", visibility="signed_in",
                  teachers=None) -> Course:
    """A new draft course made by ``creator`` (the acting user, or ``permissions.SYSTEM``); a teacher
    creating it becomes its teacher. Choosing ``teachers`` needs ``can_assign_teachers``."""
    if teachers is not None:
        _check_may_assign_teachers(creator, None)  # before anything else is checked or built
    course = Course(
        title=clean_title(title), subtitle=_clean_subtitle(subtitle),
        category=category if isinstance(category, Category) else get_category(category),
        description_md=_clean_description(description_md), visibility=_clean_visibility(visibility),
        status="draft", created_by_id=getattr(creator, "id", None),
    )
    if teachers is not None:
        set_teachers(creator, course, teachers)
    elif creator is not None and creator.has_role("teacher"):
        course.teachers = [creator]
    db.session.add(course)
    db.session.flush()
    return course


def update_course(course: Course, **changes) -> Course:
    """Change any of title, subtitle, category, description_md, visibility, status."""
    if "title" in changes:
        course.title = clean_title(changes["title"])
    if "subtitle" in changes:
        course.subtitle = _clean_subtitle(changes["subtitle"])
    if "category" in changes:
        value = changes["category"]
        course.category = value if isinstance(value, Category) else get_category(value)
    if "description_md" in changes:
        course.description_md = _clean_description(changes["description_md"])
    if "visibility" in changes:
        course.visibility = _clean_visibility(changes["visibility"])
    if "status" in changes:
        set_status(course, changes["status"])
    course.updated_at = utcnow()
    db.session.flush()
    return course


def set_status(course: Course, status: str) -> None:
    if status not in STATUSES:
        raise ServiceError("bad_status", _l("A course is either a draft or published."), status=400, field="status")
    if status == "published" and not course.lessons:
        raise ServiceError("no_lessons", _l("Add at least one lesson before publishing the course."), status=409,
                           field="status")
    newly_published = status == "published" and course.status != "published"
    if newly_published:
        course.published_at = utcnow()
    course.status = status
    if newly_published:
        hooks.course_published.send(course)


def set_teachers(actor, course: Course, users) -> None:
    """Replace the course's teachers; each must hold the teacher role. Only those who may assign
    teachers (admins, the command line as ``SYSTEM``) may do this."""
    _check_may_assign_teachers(actor, course)
    chosen = []
    for user in users:
        user = user if isinstance(user, User) else db.session.get(User, user) if isinstance(user, int) else None
        if user is None or not user.has_role("teacher"):
            # 409, not 400: the request is well formed; the person named is not (or no longer) a teacher.
            raise ServiceError("not_a_teacher", _l("Only people with the teacher role can teach a course."),
                               status=409, field="teachers")
        if user not in chosen:
            chosen.append(user)
    course.teachers = chosen


def _check_may_assign_teachers(actor, course) -> None:
    if not permissions.can_assign_teachers(actor, course):
        raise Forbidden("teachers_admin_only", _l("Only administrators can choose a course's teachers."))


def delete_course(course: Course) -> None:
    for lesson in course.lessons:
        _forget_lesson_files(lesson)
    storage.remove_after_commit(course.cover_path)
    db.session.delete(course)
    db.session.flush()


# ---------------------------------------------------------------- chapters

def _renumber(items) -> None:
    for position, item in enumerate(items):
        item.position = position


def add_chapter(course: Course, title) -> Chapter:
    chapter = Chapter(title=clean_title(title), position=len(course.chapters))
    course.chapters.append(chapter)
    course.updated_at = utcnow()
    db.session.flush()
    return chapter


def rename_chapter(chapter: Chapter, title) -> Chapter:
    chapter.title = clean_title(title)
    chapter.course.updated_at = utcnow()
    db.session.flush()
    return chapter


def delete_chapter(chapter: Chapter) -> None:
    course = chapter.course
    remaining = [lesson for lesson in course.lessons if lesson.chapter is not chapter]
    if course.is_published and not remaining:
        raise ServiceError("last_lessons", _l("A published course needs at least one lesson. "
                                              "Unpublish the course first, or add another lesson."), status=409)
    for lesson in chapter.lessons:
        _forget_lesson_files(lesson)
    course.chapters.remove(chapter)
    _renumber(course.chapters)
    course.updated_at = utcnow()
    db.session.flush()


def move_chapter(chapter: Chapter, direction: str) -> None:
    chapters = list(chapter.course.chapters)
    index = chapters.index(chapter)
    target = index + _step(direction)
    if not 0 <= target < len(chapters):
        raise ServiceError("cannot_move", _l("This chapter is already at the top.") if target < 0
                           else _l("This chapter is already at the bottom."), status=409)
    chapters[index], chapters[target] = chapters[target], chapters[index]
    _renumber(chapters)
    chapter.course.chapters.sort(key=lambda c: c.position)
    db.session.flush()


def _step(direction: str) -> int:
    if direction == "up":
        return -1
    if direction == "down":
        return 1
    raise ServiceError("bad_direction", _l("Move a lesson or chapter either up or down."), status=400,
                       field="direction")


# ---------------------------------------------------------------- lessons

def add_lesson(course: Course, title, description_md="", chapter: Chapter | None = None) -> Lesson:
    """A lesson at the end of ``chapter``, else of the last chapter (a first chapter is created if none)."""
    if chapter is None:
        chapter = course.chapters[-1] if course.chapters else add_chapter(course, _("Chapter 1"))
    elif chapter.course_id != course.id:
        raise ServiceError("chapter_not_in_course", _l("This chapter belongs to another course."), status=409,
                           field="chapter_id")
    lesson = Lesson(title=clean_title(title), description_md=_clean_description(description_md),
                    position=len(chapter.lessons))
    chapter.lessons.append(lesson)
    course.updated_at = utcnow()
    db.session.flush()
    return lesson


def update_lesson(lesson: Lesson, **changes) -> Lesson:
    """Change title, description_md, or chapter (moved to the end of that chapter)."""
    if "title" in changes:
        lesson.title = clean_title(changes["title"])
    if "description_md" in changes:
        lesson.description_md = _clean_description(changes["description_md"])
    if changes.get("chapter") is not None and changes["chapter"] is not lesson.chapter:
        target = changes["chapter"]
        if target.course_id != lesson.course_id:
            raise ServiceError("chapter_not_in_course", _l("This chapter belongs to another course."),
                               status=409, field="chapter_id")
        _move_to_chapter(lesson, target, at_end=True)
    lesson.updated_at = utcnow()
    lesson.course.updated_at = utcnow()
    db.session.flush()
    return lesson


def _move_to_chapter(lesson: Lesson, target: Chapter, *, at_end: bool) -> None:
    source = lesson.chapter
    # No flush in between: a lesson flushed while in neither chapter would be deleted as an orphan.
    with db.session.no_autoflush:
        target_lessons = target.lessons
        source.lessons.remove(lesson)
        _renumber(source.lessons)
        if at_end:
            target_lessons.append(lesson)
        else:
            target_lessons.insert(0, lesson)
        _renumber(target_lessons)


def move_lesson(lesson: Lesson, direction: str) -> None:
    """One place up or down; past the first or last lesson of a chapter it crosses into the
    neighbouring chapter, so a teacher can move a lesson anywhere with the two buttons."""
    step = _step(direction)
    chapter = lesson.chapter
    lessons = list(chapter.lessons)
    index = lessons.index(lesson)
    target = index + step
    if 0 <= target < len(lessons):
        lessons[index], lessons[target] = lessons[target], lessons[index]
        _renumber(lessons)
        chapter.lessons.sort(key=lambda item: item.position)
    else:
        chapters = chapter.course.chapters
        neighbour = chapters.index(chapter) + step
        if not 0 <= neighbour < len(chapters):
            raise ServiceError("cannot_move", _l("This lesson is already the first one.") if step < 0
                               else _l("This lesson is already the last one."), status=409)
        _move_to_chapter(lesson, chapters[neighbour], at_end=step < 0)
    chapter.course.updated_at = utcnow()
    db.session.flush()


def delete_lesson(lesson: Lesson) -> None:
    course = lesson.course
    if course.is_published and len(course.lessons) == 1:
        raise ServiceError("last_lessons", _l("A published course needs at least one lesson. "
                                              "Unpublish the course first, or add another lesson."), status=409)
    _forget_lesson_files(lesson)
    chapter = lesson.chapter
    chapter.lessons.remove(lesson)
    _renumber(chapter.lessons)
    course.updated_at = utcnow()
    db.session.flush()


def _forget_lesson_files(lesson: Lesson) -> None:
    """The lesson is being deleted: its handouts' files go after the commit, and the features above
    (video: recordings, captions, uploads) are told to let go of theirs."""
    for handout in lesson.handouts:
        storage.remove_after_commit(handout.stored_path)
    hooks.lesson_deleting.send(lesson)


def count_courses() -> int:
    return db.session.scalar(select(func.count(Course.id))) or 0
