"""The /api/v1 course endpoints, against the contract in issue 3."""
from __future__ import annotations

import pytest

from elearn.courses.models import Lesson
from tests.clients import bearer
from tests.factories import make_asset, make_course, make_user

MEDIA_KEYS = {"id", "status", "progress", "error", "duration", "hls_url", "mp4_url", "poster_url",
              "eta_seconds", "kind", "thumbnail_url", "audio_url"}  # as tests/video/test_media_api.py ASSET_KEYS


@pytest.fixture
def teacher(db):
    return make_user(db, roles=["teacher"], password=None)


@pytest.fixture
def api(app, db, teacher):
    """A client that sends the teacher's bearer token."""
    client = app.test_client()
    headers = bearer(db, teacher)

    def call(method, url, **kwargs):
        return getattr(client, method)(url, headers=headers, **kwargs)

    return call


def test_post_courses_creates_a_draft(api, teacher):
    """POST /courses creates a draft course taught by the caller."""
    response = api("post", "/api/v1/courses", json={"title": "太极拳入门", "category": "taichi",
                                                     "description_md": "# 简介"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "draft" and body["title"] == "太极拳入门"
    assert body["category"]["slug"] == "taichi" and body["category"]["name_zh"] == "太极拳"
    assert [t["id"] for t in body["teachers"]] == [teacher.id]
    assert body["chapters"] == [] and body["description_html"].startswith("<h1>")


def test_post_courses_validation(api):
    """Missing titles and categories answer 422 with field errors; an unknown category 404 with a message."""
    missing = api("post", "/api/v1/courses", json={"category": "taichi"})
    assert missing.status_code == 422 and "title" in missing.get_json()["errors"]["json"]
    no_category = api("post", "/api/v1/courses", json={"title": "x"})
    assert no_category.status_code == 422 and "category" in no_category.get_json()["errors"]["json"]
    unknown = api("post", "/api/v1/courses", json={"title": "x", "category": "knitting"})
    assert unknown.status_code == 404
    assert unknown.get_json() == {"code": "unknown_category", "message": "请从列表中选择一个类别。",
                                  "field": "category", "status": 404}
    bad_json = api("post", "/api/v1/courses", data="{oops", content_type="application/json")
    assert bad_json.status_code == 400 and bad_json.get_json()["code"] == "malformed_json"


def test_publishing_through_patch(api):
    """PATCH {"status": "published"} publishes; with no lessons it is refused with a clear message."""
    course = api("post", "/api/v1/courses", json={"title": "书法", "category": "calligraphy"}).get_json()
    refused = api("patch", f"/api/v1/courses/{course['id']}", json={"status": "published"})
    assert refused.status_code == 409
    assert refused.get_json()["code"] == "no_lessons" and refused.get_json()["message"] == "请先添加至少一课，再发布课程。"
    assert api("get", f"/api/v1/courses/{course['id']}").get_json()["status"] == "draft"
    api("post", f"/api/v1/courses/{course['id']}/lessons", json={"title": "第一课"})
    published = api("patch", f"/api/v1/courses/{course['id']}", json={"status": "published"})
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    assert published.get_json()["published_at"]


def test_patch_refuses_a_bad_status_and_leaves_the_rest(api):
    """An invalid field refuses the whole PATCH: nothing else in it is saved."""
    course = api("post", "/api/v1/courses", json={"title": "摄影", "category": "photography"}).get_json()
    response = api("patch", f"/api/v1/courses/{course['id']}", json={"title": "新", "status": "archived"})
    assert response.status_code == 422
    response = api("patch", f"/api/v1/courses/{course['id']}", json={"title": "新", "status": "published"})
    assert response.status_code == 409
    assert api("get", f"/api/v1/courses/{course['id']}").get_json()["title"] == "摄影"


def test_post_lessons_goes_to_last_chapter_or_chapter_id(api):
    """POST /courses/{id}/lessons: a first chapter 第一章 if none, else the last chapter, or chapter_id."""
    course = api("post", "/api/v1/courses", json={"title": "声乐", "category": "singing"}).get_json()
    first = api("post", f"/api/v1/courses/{course['id']}/lessons", json={"title": "发声"})
    assert first.status_code == 201 and first.get_json()["chapter_title"] == "第一章"
    second_chapter = api("post", f"/api/v1/courses/{course['id']}/chapters", json={"title": "第二章"}).get_json()
    last = api("post", f"/api/v1/courses/{course['id']}/lessons", json={"title": "换气"}).get_json()
    assert last["chapter_id"] == second_chapter["id"]
    chosen = api("post", f"/api/v1/courses/{course['id']}/lessons",
                 json={"title": "练声", "chapter_id": first.get_json()["chapter_id"]}).get_json()
    assert chosen["chapter_id"] == first.get_json()["chapter_id"] and chosen["position"] == 1
    other = api("post", "/api/v1/courses", json={"title": "别的", "category": "dance"}).get_json()
    wrong = api("post", f"/api/v1/courses/{other['id']}/lessons",
                json={"title": "x", "chapter_id": second_chapter["id"]})
    assert wrong.status_code == 409 and wrong.get_json()["code"] == "chapter_not_in_course"
    missing = api("post", f"/api/v1/courses/{other['id']}/lessons", json={"title": "x", "chapter_id": 987654})
    assert missing.status_code == 404 and missing.get_json()["code"] == "chapter_not_found"


def test_get_lesson_has_video_pending_video_captions_and_handouts(api, db):
    """GET /lessons/{id} has video and pending_video (null now), captions and handouts."""
    course = api("post", "/api/v1/courses", json={"title": "舞蹈", "category": "dance"}).get_json()
    lesson = api("post", f"/api/v1/courses/{course['id']}/lessons",
                 json={"title": "基本步", "description_md": "<script>x()</script>\n\n**走**"}).get_json()
    from elearn.courses import handouts, services

    handouts.store_handout(services.get_lesson(lesson["id"]), "步法图.png", _png())
    db.session.commit()
    body = api("get", f"/api/v1/lessons/{lesson['id']}").get_json()
    assert body["video"] is None and body["pending_video"] is None and body["captions"] == []
    assert body["description_html"].strip() == "<p><strong>走</strong></p>"
    assert body["description_md"] == "<script>x()</script>\n\n**走**"  # kept as written, sanitised when shown
    [handout] = body["handouts"]
    assert handout["filename"] == "步法图.png" and handout["content_type"] == "image/png"
    assert handout["url"] == f"/handouts/{handout['id']}" and handout["size"] == len(_png())


def test_lesson_media_shape_from_the_video_package(api, db):
    """A queued upload shows as pending_video with exactly the contract's keys."""
    course = api("post", "/api/v1/courses", json={"title": "器乐", "category": "instruments"}).get_json()
    lesson = api("post", f"/api/v1/courses/{course['id']}/lessons", json={"title": "二胡"}).get_json()
    make_asset(db, db.session.get(Lesson, lesson["id"]), "queued", filename="a.mp4")
    body = api("get", f"/api/v1/lessons/{lesson['id']}").get_json()
    assert body["video"] is None
    assert set(body["pending_video"]) == MEDIA_KEYS and body["pending_video"]["status"] == "queued"


def test_moving_lessons_and_chapters(api):
    """POST /lessons/{id}/move and /chapters/{id}/move reorder; the ends answer 409; bad directions 422."""
    course = api("post", "/api/v1/courses", json={"title": "养生", "category": "health"}).get_json()
    a = api("post", f"/api/v1/courses/{course['id']}/lessons", json={"title": "A"}).get_json()
    b = api("post", f"/api/v1/courses/{course['id']}/lessons", json={"title": "B"}).get_json()
    moved = api("post", f"/api/v1/lessons/{b['id']}/move", json={"direction": "up"})
    assert moved.status_code == 200 and moved.get_json()["position"] == 0
    outline = api("get", f"/api/v1/courses/{course['id']}").get_json()["chapters"][0]["lessons"]
    assert [lesson["title"] for lesson in outline] == ["B", "A"]
    edge = api("post", f"/api/v1/lessons/{b['id']}/move", json={"direction": "up"})
    assert edge.status_code == 409 and edge.get_json()["message"] == "这一课已经是第一课了。"
    assert api("post", f"/api/v1/lessons/{a['id']}/move", json={"direction": "left"}).status_code == 422
    chapter = api("post", f"/api/v1/courses/{course['id']}/chapters", json={"title": "二"}).get_json()
    assert api("post", f"/api/v1/chapters/{chapter['id']}/move", json={"direction": "up"}).get_json()["position"] == 0


def test_only_admins_choose_teachers(app, api, db, teacher):
    """A teacher cannot change a course's teachers through the API; an admin can."""
    course = api("post", "/api/v1/courses", json={"title": "文史", "category": "history-culture"}).get_json()
    other = make_user(db, roles=["teacher"], password=None)
    refused = api("patch", f"/api/v1/courses/{course['id']}", json={"teacher_ids": [other.id]})
    assert refused.status_code == 403 and refused.get_json()["code"] == "teachers_admin_only"
    admin = make_user(db, roles=["admin"], password=None)
    response = app.test_client().patch(f"/api/v1/courses/{course['id']}", json={"teacher_ids": [other.id, teacher.id]},
                                       headers=bearer(db, admin))
    assert response.status_code == 200
    assert sorted(t["id"] for t in response.get_json()["teachers"]) == sorted([other.id, teacher.id])
    student = make_user(db, roles=["student"], password=None)
    response = app.test_client().patch(f"/api/v1/courses/{course['id']}", json={"teacher_ids": [student.id]},
                                       headers=bearer(db, admin))
    assert response.status_code == 409 and response.get_json()["code"] == "not_a_teacher"


def test_categories_endpoint(app, db):
    """GET /categories is open to everyone and lists the managed categories."""
    body = app.test_client().get("/api/v1/categories").get_json()
    assert {c["slug"] for c in body} >= {"calligraphy", "smartphone", "party-history"}
    assert next(c for c in body if c["slug"] == "smartphone")["name"] == "智能手机"


def test_missing_objects_are_404_json(api):
    """Unknown ids answer 404 with a code and a plain message."""
    for url, code in (("/api/v1/courses/999999", "course_not_found"), ("/api/v1/lessons/999999", "lesson_not_found")):
        response = api("get", url)
        assert response.status_code == 404 and response.get_json()["code"] == code
    assert api("delete", "/api/v1/handouts/999999").get_json()["code"] == "handout_not_found"


def test_deleting_through_the_api(api):
    """DELETE on lessons, chapters and courses removes them (and the last lesson of a published course stays)."""
    course = api("post", "/api/v1/courses", json={"title": "删", "category": "dance"}).get_json()
    lesson = api("post", f"/api/v1/courses/{course['id']}/lessons", json={"title": "唯一"}).get_json()
    api("patch", f"/api/v1/courses/{course['id']}", json={"status": "published"})
    assert api("delete", f"/api/v1/lessons/{lesson['id']}").status_code == 409
    api("patch", f"/api/v1/courses/{course['id']}", json={"status": "draft"})
    assert api("delete", f"/api/v1/lessons/{lesson['id']}").status_code == 204
    assert api("delete", f"/api/v1/chapters/{lesson['chapter_id']}").status_code == 204
    assert api("delete", f"/api/v1/courses/{course['id']}").status_code == 204
    assert api("get", f"/api/v1/courses/{course['id']}").status_code == 404


def test_openapi_documents_the_course_endpoints(app, db):
    """Every course endpoint is in the OpenAPI document, with its error answers."""
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    expected = {
        "/api/v1/categories": {"get"}, "/api/v1/courses": {"get", "post"},
        "/api/v1/courses/{course}": {"get", "patch", "delete"}, "/api/v1/courses/{course}/chapters": {"post"},
        "/api/v1/courses/{course}/lessons": {"post"}, "/api/v1/chapters/{chapter}": {"patch", "delete"},
        "/api/v1/chapters/{chapter}/move": {"post"}, "/api/v1/lessons/{lesson}": {"get", "patch", "delete"},
        "/api/v1/lessons/{lesson}/move": {"post"}, "/api/v1/handouts/{handout}": {"delete"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    patch = paths["/api/v1/courses/{course}"]["patch"]
    assert {"401", "403", "404", "409", "422"} <= set(patch["responses"])
    lesson_schema = spec["components"]["schemas"]["Lesson"]["properties"]
    assert {"video", "pending_video", "captions", "handouts"} <= set(lesson_schema)
    assert set(spec["components"]["schemas"]["Media"]["properties"]) == MEDIA_KEYS


def test_anonymous_reads_public_courses(app, db):
    """A public published course can be read through the API without signing in; a draft cannot."""
    public = make_course(db, status="published", visibility="public")
    draft = make_course(db, status="draft", visibility="public")
    client = app.test_client()
    assert client.get(f"/api/v1/courses/{public.id}").status_code == 200
    assert client.get(f"/api/v1/lessons/{public.lessons[0].id}").status_code == 200
    assert client.get(f"/api/v1/courses/{draft.id}").status_code == 401


def _png():
    from tests.factories import png_bytes

    return png_bytes()
