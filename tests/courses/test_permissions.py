"""Who may open every course page and call every course endpoint, role by role."""
from __future__ import annotations

import pytest
from sqlalchemy import select, true

from elearn.core.errors import Forbidden
from elearn.courses import permissions as rules
from elearn.courses import handouts, services
from elearn.courses.models import Course
from tests.clients import bearer, csrf_token
from tests.factories import make_course, png_bytes

ROLES = ("anonymous", "student", "other_teacher", "teacher", "admin")
EDITORS = {"teacher", "admin"}


def expected_view(course, role):
    """The rule spelled out, independently of the code: who sees a course."""
    if role in EDITORS:
        return True
    if course.status != "published":
        return False
    return {"public": True, "signed_in": role != "anonymous", "classes": False}[course.visibility]


@pytest.fixture
def world(db, people, request_ctx):
    """A course taught by people['teacher'] for each visibility, a draft, and a lesson and handout in each."""
    teacher = people["teacher"].user
    courses = {}
    for name, visibility, status in (("public", "public", "published"), ("signed_in", "signed_in", "published"),
                                     ("classes", "classes", "published"), ("draft", "public", "draft")):
        course = make_course(db, teachers=[teacher], visibility=visibility, status=status, lessons=2, chapters=2,
                             title=f"课程 {name}")
        handouts.store_handout(course.lessons[0], "图.png", png_bytes())
        db.session.commit()
        courses[name] = course
    return courses


def test_rules_match_the_spelled_out_table(world, people):
    """can_view/can_edit agree with the table of who may see and change each kind of course."""
    for course in world.values():
        for role in ROLES:
            user = people[role].user
            actor = user if user is not None else _anonymous()
            assert rules.can_view_course(actor, course) == expected_view(course, role), (course.title, role)
            assert rules.can_view_lesson(actor, course.lessons[0]) == expected_view(course, role)
            assert rules.can_edit_course(actor, course) == (role in EDITORS), (course.title, role)
            assert rules.can_edit_lesson(actor, course.lessons[0]) == (role in EDITORS)
    assert [rules.can_create_course(people[r].user or _anonymous()) for r in ROLES] == [False, False, True, True,
                                                                                         True]


def _anonymous():
    from flask_login import AnonymousUserMixin

    return AnonymousUserMixin()


def _status_for(allowed: bool, role: str, ok=200) -> int:
    if allowed:
        return ok
    return 302 if role == "anonymous" else 403


LEARNER_PAGES = {
    "courses.course_page": lambda c: f"/courses/{c.id}",
    "learning.lesson_page": lambda c: f"/lessons/{c.lessons[0].id}",
    "courses.handout_download": lambda c: f"/handouts/{c.lessons[0].handouts[0].id}",
}
EDITOR_PAGES = {
    "courses.course_manage": lambda c: f"/teaching/courses/{c.id}",
    "courses.course_edit": lambda c: f"/teaching/courses/{c.id}/edit",
    "courses.course_delete": lambda c: f"/teaching/courses/{c.id}/delete",
    "courses.chapter_rename": lambda c: f"/teaching/chapters/{c.chapters[0].id}/rename",
    "courses.chapter_delete": lambda c: f"/teaching/chapters/{c.chapters[0].id}/delete",
    "courses.lesson_edit": lambda c: f"/teaching/lessons/{c.lessons[0].id}/edit",
    "courses.lesson_delete": lambda c: f"/teaching/lessons/{c.lessons[0].id}/delete",
    "courses.handout_delete": lambda c: f"/teaching/handouts/{c.lessons[0].handouts[0].id}/delete",
}
EDITOR_POSTS = {
    "courses.course_status": (lambda c: f"/teaching/courses/{c.id}/status", {"status": "draft"}),
    "courses.chapter_add": (lambda c: f"/teaching/courses/{c.id}/chapters", {"chapter-title": "新章"}),
    "courses.chapter_move": (lambda c: f"/teaching/chapters/{c.chapters[0].id}/move/down", {}),
    "courses.lesson_add": (lambda c: f"/teaching/chapters/{c.chapters[0].id}/lessons", {"lesson-title": "新课"}),
    "courses.lesson_move": (lambda c: f"/teaching/lessons/{c.lessons[0].id}/move/down", {}),
    "courses.handout_upload": (lambda c: f"/teaching/lessons/{c.lessons[0].id}/handouts", {}),
}
OPEN_PAGES = {"courses.catalogue", "courses.course_cover", "courses.teaching", "courses.course_new"}


def test_every_course_page_is_in_these_tables(app):
    """A new page cannot slip in without a permission test: every courses.* endpoint (and the lesson
    page, which the learning package serves) is listed here."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if rule.endpoint.startswith("courses.") or rule.endpoint == "learning.lesson_page"}
    listed = set(LEARNER_PAGES) | set(EDITOR_PAGES) | set(EDITOR_POSTS) | OPEN_PAGES
    assert endpoints == listed


@pytest.mark.parametrize("role", ROLES)
def test_learner_pages_follow_visibility(world, people, role):
    """Course, lesson and handout pages open exactly for those who may see the course."""
    client = people[role]
    for course in world.values():
        for endpoint, url in LEARNER_PAGES.items():
            response = client.get(url(course))
            assert response.status_code == _status_for(expected_view(course, role), role), (endpoint, course.title)
            if response.status_code == 302:
                assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_authoring_pages_only_for_the_course_teachers_and_admins(world, people, role):
    """Every authoring page opens for the course's teacher and admins, and for nobody else."""
    client = people[role]
    course = world["draft"]
    for endpoint, url in EDITOR_PAGES.items():
        assert client.get(url(course)).status_code == _status_for(role in EDITORS, role), endpoint


@pytest.mark.parametrize("role", ROLES)
def test_authoring_posts_only_for_the_course_teachers_and_admins(world, people, role, db):
    """Every authoring action changes nothing for outsiders (403 or sign-in) and works for editors."""
    client = people[role]
    course = world["signed_in"]
    token = csrf_token(client, "/")
    for endpoint, (url, form) in EDITOR_POSTS.items():
        data = dict(form, csrf_token=token)
        if endpoint == "courses.handout_upload":
            import io

            data["file"] = (io.BytesIO(png_bytes()), "新图.png")
        response = client.post(url(course), data=data, content_type="multipart/form-data")
        assert response.status_code == (302 if role in EDITORS else _status_for(False, role)), endpoint
    db.session.expire_all()
    changed = course.status == "draft" and "新章" in [c.title for c in course.chapters]
    assert changed == (role in EDITORS)


@pytest.mark.parametrize("role", ROLES)
def test_teaching_pages(world, people, role):
    """"My courses" and "New course" are for teachers and admins; a teacher sees only their own courses."""
    client = people[role]
    allowed = role in {"other_teacher", "teacher", "admin"}
    assert client.get("/teaching").status_code == _status_for(allowed, role)
    assert client.get("/teaching/courses/new").status_code == _status_for(allowed, role)
    if allowed:
        html = client.get("/teaching").get_data(as_text=True)
        assert ("课程 draft" in html) == (role in EDITORS)


@pytest.mark.parametrize("role", ROLES)
def test_catalogue_lists_only_visible_published_courses(world, people, role):
    """The catalogue shows published courses the visitor may see, never drafts."""
    html = people[role].get("/courses").get_data(as_text=True)
    for name, course in world.items():
        shown = course.status == "published" and expected_view(course, role)
        assert (f">{course.title}<" in html) == shown, (name, role)


def test_nav_shows_courses_and_my_courses(people, db):
    """Everyone gets a Courses link; only teachers and admins get My courses."""
    assert "/courses" in people["anonymous"].get("/").get_data(as_text=True)
    assert 'href="/teaching"' not in people["student"].get("/").get_data(as_text=True)
    assert 'href="/teaching"' in people["teacher"].get("/").get_data(as_text=True)


# ---------------------------------------------------------------- the API

def api_calls(course):
    lesson, chapter = course.lessons[0], course.chapters[0]
    handout = lesson.handouts[0]
    return [
        ("get", f"/api/v1/courses/{course.id}", None, "view", 200),
        ("get", f"/api/v1/lessons/{lesson.id}", None, "view", 200),
        ("patch", f"/api/v1/courses/{course.id}", {"subtitle": "新的"}, "edit", 200),
        ("post", f"/api/v1/courses/{course.id}/chapters", {"title": "新章"}, "edit", 201),
        ("patch", f"/api/v1/chapters/{chapter.id}", {"title": "改名"}, "edit", 200),
        ("post", f"/api/v1/chapters/{chapter.id}/move", {"direction": "down"}, "edit", 200),
        ("post", f"/api/v1/courses/{course.id}/lessons", {"title": "新课"}, "edit", 201),
        ("patch", f"/api/v1/lessons/{lesson.id}", {"title": "改了"}, "edit", 200),
        ("post", f"/api/v1/lessons/{lesson.id}/move", {"direction": "up"}, "edit", 200),
        ("delete", f"/api/v1/handouts/{handout.id}", None, "edit", 204),
        ("delete", f"/api/v1/lessons/{lesson.id}", None, "edit", 204),
        ("delete", f"/api/v1/chapters/{chapter.id}", None, "edit", 204),
        ("delete", f"/api/v1/courses/{course.id}", None, "edit", 204),
    ]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", ["signed_in", "draft"])
def test_api_endpoints_check_the_rules(app, db, world, people, role, which):
    """Each course endpoint answers 401 JSON to strangers, 403 JSON to outsiders, and works for editors."""
    course = world[which]
    user = people[role].user
    headers = bearer(db, user) if user is not None else {}
    client = app.test_client()
    for method, url, body, need, ok in api_calls(course):
        allowed = expected_view(course, role) if need == "view" else role in EDITORS
        response = getattr(client, method)(url, json=body, headers=headers)
        expected = ok if allowed else (401 if role == "anonymous" else 403)
        assert response.status_code == expected, (method, url, response.get_json())
        if not allowed:
            assert response.get_json()["code"] == ("login_required" if role == "anonymous" else "forbidden")


@pytest.mark.parametrize("role", ROLES)
def test_api_create_course_needs_a_teacher_or_admin(app, db, people, role):
    """POST /courses: 401 anonymous, 403 students, 201 teachers and admins."""
    user = people[role].user
    response = app.test_client().post("/api/v1/courses", json={"title": "新课程", "category": "dance"},
                                      headers=bearer(db, user) if user else {})
    assert response.status_code == {"anonymous": 401, "student": 403}.get(role, 201)


@pytest.mark.parametrize("role", ROLES)
def test_api_course_list_is_what_the_caller_may_see(app, db, world, people, role):
    """GET /courses lists exactly the courses the caller may see (drafts only for their editors)."""
    user = people[role].user
    body = app.test_client().get("/api/v1/courses", headers=bearer(db, user) if user else {}).get_json()
    listed = {c["id"] for c in body}
    for course in world.values():
        assert (course.id in listed) == expected_view(course, role)


def test_session_callers_need_the_csrf_header(people, world):
    """A signed-in browser changing something through the API must send the CSRF token."""
    client = people["teacher"]
    url = f"/api/v1/courses/{world['draft'].id}"
    assert client.patch(url, json={"subtitle": "x"}).status_code == 400
    token = csrf_token(client, "/")
    assert client.patch(url, json={"subtitle": "x"}, headers={"X-CSRFToken": token}).status_code == 200


# ---------------------------------------------------------------- the same rules in SQL

def _course_table(db, teacher):
    """One course taught by ``teacher`` for each (status, visibility)."""
    return {(status, visibility): make_course(db, teachers=[teacher], status=status, visibility=visibility,
                                              title=f"{status} {visibility}")
            for status in ("draft", "published") for visibility in ("public", "signed_in", "classes")}


def _students_see_classes(user):
    """A provider as the class groups will register one: here, every student is in every class."""
    return Course.visibility == "classes" if user.is_authenticated and user.has_role("student") else None


def _sql_ids(clause, table) -> set:
    ids = [course.id for course in table.values()]
    return set(services.db.session.scalars(select(Course.id).where(clause, Course.id.in_(ids))))


@pytest.mark.parametrize("provider", [None, _students_see_classes], ids=["no provider", "classes provider"])
def test_sql_clauses_agree_with_the_rules(db, people, request_ctx, provider):
    """visible_clause/editable_clause select exactly what can_view_course/can_edit_course allow, for every
    role and every kind of course, with and without a registered visibility provider."""
    table = _course_table(db, people["teacher"].user)
    if provider is not None:
        rules.visibility_providers.register("test", provider)
    try:
        for role in ROLES:
            actor = people[role].user or _anonymous()
            visible = _sql_ids(rules.visible_clause(actor), table)
            editable = _sql_ids(rules.editable_clause(actor), table)
            for (status, visibility), course in table.items():
                expected = expected_view(course, role) or (
                    provider is not None and role == "student" and status == "published" and visibility == "classes")
                assert rules.can_view_course(actor, course) == expected, (role, status, visibility)
                assert (course.id in visible) == expected, (role, status, visibility)
                assert rules.can_edit_course(actor, course) == (course.id in editable) == (role in EDITORS)
    finally:
        rules.visibility_providers.unregister("test")


def test_a_provider_never_shows_drafts(db, people, request_ctx):
    """A provider widens who sees published courses only: drafts stay with their editors."""
    draft = make_course(db, visibility="classes")
    student = people["student"].user
    rules.visibility_providers.register("test", lambda user: true())
    try:
        assert not rules.can_view_course(student, draft)
        assert draft.id not in _sql_ids(rules.visible_clause(student), {"draft": draft})
    finally:
        rules.visibility_providers.unregister("test")


def test_lists_use_the_provider_too(db, people, request_ctx):
    """The catalogue and the API list show a "classes" course to whom a provider admits, and only then."""
    course = make_course(db, visibility="classes", status="published", title="班级课程")
    assert ">班级课程<" not in people["student"].get("/courses").get_data(as_text=True)
    rules.visibility_providers.register("test", _students_see_classes)
    try:
        assert ">班级课程<" in people["student"].get("/courses").get_data(as_text=True)
        assert people["student"].get(f"/courses/{course.id}").status_code == 200
        assert ">班级课程<" not in people["other_teacher"].get("/courses").get_data(as_text=True)
    finally:
        rules.visibility_providers.unregister("test")


# ---------------------------------------------------------------- choosing teachers

def test_only_admins_and_the_command_line_choose_teachers(db, people, request_ctx):
    """create_course(teachers=...) and set_teachers refuse a teacher (403) and work for an admin or SYSTEM."""
    teacher, other = people["teacher"].user, people["other_teacher"].user
    with pytest.raises(Forbidden):
        services.create_course(teacher, title="新课", category="dance", teachers=[other.id])
    with pytest.raises(Forbidden):  # refused before the rest of the input is judged
        services.create_course(teacher, title="", category="no such category", teachers=[])
    course = services.create_course(teacher, title="新课", category="dance")
    assert course.teachers == [teacher]
    with pytest.raises(Forbidden):
        services.set_teachers(teacher, course, [teacher.id, other.id])
    services.set_teachers(people["admin"].user, course, [other.id])
    assert course.teachers == [other]
    services.set_teachers(rules.SYSTEM, course, [teacher.id])
    assert course.teachers == [teacher]
    imported = services.create_course(rules.SYSTEM, title="导入", category="dance", teachers=[other.id])
    assert imported.teachers == [other]
