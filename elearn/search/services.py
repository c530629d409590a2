"""Searching for a person: the visibility filter in the index, the database re-check before showing,
and the results as pages and the API present them."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import and_, not_, select

from ..accounts.models import User
from ..core.permissions import is_admin, is_signed_in
from ..courses.models import Category, Chapter, Course, Lesson, course_teachers
from ..courses.permissions import visible_clause
from ..extensions import db
from . import query
from .index import readers
from .writer import store

PER_PAGE = 10
MAX_PAGE = 50


def audiences(user) -> tuple | None:
    if is_admin(user):
        return None
    return ("public", "signed_in") if is_signed_in(user) else ("public",)


def visible_filter(user):
    """The index's filter for ``user``: published courses open to their audience, plus the courses
    the database says they see otherwise (those they teach, class groups' courses)."""
    audience = audiences(user)
    if audience is None:
        return None
    usual = and_(Course.status == "published", Course.visibility.in_(audience))
    extra = db.session.scalars(select(Course.id).where(visible_clause(user), not_(usual)).limit(1000)).all()
    return query.audience_filter(audience, extra)


def search(user, text: str | None, *, category: str | None = None, teacher: int | None = None,
           page: int = 1) -> dict:
    """What the search page and the API show: groups, totals, the did-you-mean words."""
    page = min(max(page or 1, 1), MAX_PAGE)
    parsed = query.parse(text)
    searchers = readers.searchers(store())
    visible = visible_filter(user)
    found = query.find(searchers, parsed, visible=visible, category=category, teacher=teacher, page=page,
                       per_page=PER_PAGE)
    meant = parsed.corrected  # a homophone typo: its results already hold the word meant
    nothing = not parsed.empty and not (found["courses"] or found["lessons"] or found["moments"])
    if nothing:
        meant = query.did_you_mean(searchers["items"], parsed)
        if meant:
            parsed = query.parse(meant)
            found = query.find(searchers, parsed, visible=visible, category=category, teacher=teacher,
                               page=page, per_page=PER_PAGE)
    shown = _checked(user, found, query.marks_of(parsed))
    return dict(shown, query=parsed.text, did_you_mean=meant, nothing_as_typed=nothing, truncated=parsed.truncated,
                page=page, per_page=PER_PAGE, lessons_total=found["lessons_total"],
                moments_total=found["moments_total"], empty_query=parsed.empty)


def suggestions(user, text: str | None) -> list[dict]:
    hits = query.suggest(readers.searchers(store()), (text or "")[:query.MAX_LENGTH], visible=visible_filter(user))
    found = _checked(user, {"courses": [h for h in hits if h["kind"] == "course"],
                            "lessons": [h for h in hits if h["kind"] == "lesson"], "moments": []}, [])
    out = [{"kind": "course", "title": c["title_text"], "url": c["url"]} for c in found["courses"]]
    out += [{"kind": "lesson", "title": f"{h['title_text']} · {h['course_title']}", "url": h["url"]}
            for h in found["lessons"]]
    return out


def _checked(user, found: dict, marks: list[str]) -> dict:
    """Only what the database still holds and ``user`` may see: the index may lag a commit behind."""
    course_ids = {int(h["course_id"]) for group in ("courses", "lessons", "moments") for h in found[group]}
    lesson_ids = {int(h["lesson_id"]) for group in ("lessons", "moments") for h in found[group]}
    courses = {c.id: c for c in db.session.scalars(
        select(Course).where(Course.id.in_(course_ids), visible_clause(user)))} if course_ids else {}
    lessons = {lesson.id: lesson for lesson in db.session.scalars(
        select(Lesson).join(Chapter).where(Lesson.id.in_(lesson_ids), Chapter.course_id.in_(courses)))} \
        if lesson_ids and courses else {}
    return {
        "courses": [_course(courses[int(h["course_id"])], h, marks) for h in found["courses"]
                    if int(h["course_id"]) in courses],
        "lessons": [_lesson(lessons[int(h["lesson_id"])], h, marks) for h in found["lessons"]
                    if int(h["lesson_id"]) in lessons],
        "moments": [_moment(lessons[int(h["lesson_id"])], h, marks) for h in found["moments"]
                    if int(h["lesson_id"]) in lessons],
    }


def _course(course: Course, hit: dict, marks: list[str]) -> dict:
    return {"id": course.id, "title": query.highlight(course.title, marks), "title_text": course.title,
            "teachers": ", ".join(t.name for t in course.teachers),
            "category": course.category.name if course.category else "",
            "snippet": query.highlight(_plain(course.description_md), marks),
            "url": url_for("courses.course_page", course=course.id)}


def _lesson(lesson: Lesson, hit: dict, marks: list[str]) -> dict:
    handouts = hit.get("handouts") or ""
    text = _plain(lesson.description_md) or handouts
    return {"id": lesson.id, "title": query.highlight(lesson.title, marks), "title_text": lesson.title,
            "course_title": lesson.course.title, "snippet": query.highlight(text, marks),
            "url": url_for("learning.lesson_page", lesson=lesson.id)}


def _moment(lesson: Lesson, hit: dict, marks: list[str]) -> dict:
    start = int(float(hit["start"]))
    return {"lesson_id": lesson.id, "lesson_title": lesson.title, "course_title": lesson.course.title,
            "start": start, "at": f"{start // 60}:{start % 60:02d}" if start < 3600
            else f"{start // 3600}:{start % 3600 // 60:02d}:{start % 60:02d}",
            "snippet": query.highlight(hit.get("text") or "", marks),
            "url": url_for("learning.lesson_page", lesson=lesson.id, t=start)}


def _plain(markdown_text: str | None) -> str:
    """Markdown's marks left out of a snippet (the snippet is escaped text, never rendered HTML)."""
    return " ".join((markdown_text or "").replace("*", "").replace("#", "").replace("`", "").split())


def filter_choices(user) -> dict:
    """Categories, and teachers of the courses ``user`` sees, for the filters beside the results."""
    categories = db.session.scalars(select(Category).order_by(Category.position, Category.id)).all()
    teachers = db.session.scalars(
        select(User).where(User.id.in_(select(course_teachers.c.user_id).join(Course).where(visible_clause(user))))
        .order_by(User.name)).all()
    return {"categories": [(c.slug, c.name) for c in categories], "teachers": [(t.id, t.name) for t in teachers]}
