"""The API answers as its document says, request by request (issue 9 item 9): the error body has the
declared shape, times carry their time zone, rules the server enforces are in the document, a required
body is required, OPTIONS is bare, and captions are served with one charset and balanced markup.
Schemathesis (test_schemathesis.py) looks for more of the same; these pin each one down directly."""
from __future__ import annotations

import importlib
import pkgutil
import re

import jsonschema_rs
import pytest
from marshmallow import Schema, fields

from elearn.api.schemas import UtcDateTime
from elearn.video.captions import convert
from elearn.video.services import lesson_media
from tests.clients import bearer
from tests.factories import make_caption, make_course, make_ready_course, make_user

RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def _document(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def _validator(document, name):
    """A validator for the component ``name`` (OpenAPI 3.0 schemas are JSON Schema draft 4 here)."""
    return jsonschema_rs.Draft4Validator(document["components"]["schemas"][name], validate_formats=True)


@pytest.fixture
def admin_headers(db):
    return bearer(db, make_user(db, roles=["admin"], password=None))


# ---------------------------------------------------------------- the error body

def test_error_bodies_have_the_documented_shape(client, db, admin_headers):
    """`code` is a string and `status` an integer, in the document and in what the server sends, for a
    plain HTTP error, a service refusal with `field`, and a validation error with `errors`."""
    document = _document(client)
    properties = document["components"]["schemas"]["ApiError"]["properties"]
    assert properties["code"]["type"] == "string" and properties["status"]["type"] == "integer"
    validator = _validator(document, "ApiError")
    answers = [
        client.get("/api/v1/courses/999999"),  # 404 from a look-up
        client.get("/api/v1/me"),  # 401
        client.post("/api/v1/courses", json={"title": "x"}, headers=admin_headers),  # 422 with errors
        client.post("/api/v1/courses", json={"title": "   ", "category": "taichi"}, headers=admin_headers),  # field
        client.get("/api/v1/nowhere"),  # the app's own 404
    ]
    for response in answers:
        body = response.get_json()
        validator.validate(body)
        assert isinstance(body["code"], str) and body["status"] == response.status_code


# ---------------------------------------------------------------- times

def test_times_leave_the_api_in_utc_with_z(client, db, admin_headers):
    """created_at, updated_at and published_at are RFC 3339 date-times (the database keeps naive UTC,
    which used to be sent without any offset)."""
    course = make_course(db, status="published", visibility="public")
    body = client.get(f"/api/v1/courses/{course.id}").get_json()
    for name in ("created_at", "updated_at", "published_at"):
        assert RFC3339_UTC.match(body[name]), (name, body[name])
    listed = client.get("/api/v1/courses").get_json()
    assert all(RFC3339_UTC.match(item["created_at"]) for item in listed)


def test_every_api_schema_sends_times_as_utc():
    """No schema of the API sends a datetime through marshmallow's plain DateTime (naive, no offset):
    new endpoints use ``api.schemas.UtcDateTime`` (docs/api-testing.md)."""
    # Schemas live in each feature's schemas.py or api.py (and elearn.api's own modules): import them
    # all, so a new feature's are checked too.
    import elearn

    for module in pkgutil.walk_packages(elearn.__path__, "elearn."):
        if module.name.rsplit(".", 1)[-1] in ("schemas", "api", "status", "auth"):
            importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    plain = [f"{cls.__module__}.{cls.__name__}.{name}"
             for cls in subclasses(Schema) if cls.__module__.startswith("elearn.")
             for name, field in cls._declared_fields.items()
             if isinstance(field, fields.DateTime) and not isinstance(field, UtcDateTime)]
    assert plain == []


def test_utc_date_time_field_converts_aware_times_and_keeps_none():
    from datetime import datetime, timedelta, timezone

    class Times(Schema):
        at = UtcDateTime(allow_none=True)

    beijing = timezone(timedelta(hours=8))
    assert Times().dump({"at": datetime(2026, 12, 1, 16, 21, 50, tzinfo=beijing)})["at"] == "2026-12-01T08:21:50Z"
    assert Times().dump({"at": datetime(2026, 12, 1, 8, 21, 50, 161565)})["at"] == "2026-12-01T08:21:50.161565Z"
    assert Times().dump({"at": None})["at"] is None


# ---------------------------------------------------------------- rules the server enforces

def test_category_slugs_are_documented_and_an_unknown_one_is_not_found(client, db, admin_headers):
    """The document states how a slug is written; one written so that names no category is 404 (it
    was a 400, which a client cannot tell from a malformed request), a badly written one 422."""
    document = _document(client)
    query = {p["name"]: p for p in document["paths"]["/api/v1/courses"]["get"]["parameters"]}
    assert query["category"]["schema"]["pattern"]
    assert document["components"]["schemas"]["CourseCreate"]["properties"]["category"]["pattern"]
    assert "404" in document["paths"]["/api/v1/courses"]["get"]["responses"]

    unknown = client.get("/api/v1/courses?category=knitting")
    assert unknown.status_code == 404 and unknown.get_json()["code"] == "unknown_category"
    assert client.get("/api/v1/courses?category=Tai%20Chi!").status_code == 422
    created = client.post("/api/v1/courses", json={"title": "x", "category": "knitting"}, headers=admin_headers)
    assert created.status_code == 404 and created.get_json()["field"] == "category"
    assert client.get("/api/v1/courses?category=taichi").status_code == 200


def test_a_teacher_id_that_is_not_a_teacher_is_a_documented_409(client, db, admin_headers):
    course = make_course(db)
    student = make_user(db, roles=["student"], password=None)
    response = client.patch(f"/api/v1/courses/{course.id}", json={"teacher_ids": [student.id]}, headers=admin_headers)
    assert response.status_code == 409 and response.get_json()["code"] == "not_a_teacher"
    responses = _document(client)["paths"]["/api/v1/courses/{course}"]["patch"]["responses"]
    assert "409" in responses and "teacher" in responses["409"]["description"]


def test_a_chapter_of_another_course_is_a_documented_409(client, db, admin_headers):
    course, other = make_course(db), make_course(db, title="书法")
    chapter_id = other.chapters[0].id if other.chapters else None
    if chapter_id is None:
        chapter_id = client.post(f"/api/v1/courses/{other.id}/chapters", json={"title": "第一章"},
                                 headers=admin_headers).get_json()["id"]
    response = client.post(f"/api/v1/courses/{course.id}/lessons", json={"title": "第一课", "chapter_id": chapter_id},
                           headers=admin_headers)
    assert response.status_code == 409 and response.get_json()["code"] == "chapter_not_in_course"
    assert "409" in _document(client)["paths"]["/api/v1/courses/{course}/lessons"]["post"]["responses"]


def test_tus_creation_documents_the_sites_size_limit(app, client, db):
    """Upload-Length past the site's limit is 413 (as tus says); the document now states that limit."""
    post = _document(client)["paths"]["/api/v1/uploads/"]["post"]
    length = {p["name"]: p for p in post["parameters"]}["Upload-Length"]["schema"]
    assert length["maximum"] == app.config["MAX_UPLOAD_BYTES"] and length["minimum"] == 0
    assert not any(key.startswith("x-") for key in length)
    assert "413" in post["responses"]


# ---------------------------------------------------------------- bodies

@pytest.mark.parametrize("body", [{}, {"data": "title=x", "content_type": "application/x-www-form-urlencoded"},
                                  {"data": "", "content_type": "application/json"}])
def test_patch_without_a_json_body_is_refused_as_documented(client, db, admin_headers, body):
    """The document says PATCH takes a required JSON body; none (or a form) was a 200 that changed nothing."""
    course = make_course(db)
    operation = _document(client)["paths"]["/api/v1/courses/{course}"]["patch"]
    assert operation["requestBody"]["required"] is True and "422" in operation["responses"]
    response = client.patch(f"/api/v1/courses/{course.id}", headers=admin_headers, **body)
    assert response.status_code == 422
    assert response.get_json()["code"] == "body_required" and "json" in response.get_json()["errors"]
    assert client.patch("/api/v1/me/player-preferences", headers=admin_headers, **body).status_code == 422
    # An empty object is a body: nothing to change is still a valid PATCH.
    assert client.patch(f"/api/v1/courses/{course.id}", json={}, headers=admin_headers).status_code == 200


# ---------------------------------------------------------------- OPTIONS

@pytest.mark.parametrize("path", ["/api/v1/courses", "/api/v1/ping", "/api/v1/me/player-preferences",
                                  "/api/v1/uploads/"])
def test_options_is_a_bare_204_with_allow_everywhere_in_the_api(client, db, path):
    """OPTIONS answered 200 text/html (an empty page) on every operation but tus's."""
    response = client.open(path, method="OPTIONS")
    assert response.status_code == 204 and response.data == b""
    assert "Content-Type" not in response.headers
    allowed = {method.strip() for method in response.headers["Allow"].split(",")}
    assert {"OPTIONS", "GET"} <= allowed or {"OPTIONS", "POST"} <= allowed


# ---------------------------------------------------------------- captions

def test_caption_files_are_served_with_one_charset(app, db):
    course = make_ready_course(db, lessons=1, visibility="public")
    make_caption(db, course.lessons[0])
    url = lesson_media(course.lessons[0].id)["captions"][0]["url"]
    response = app.test_client().get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/vtt; charset=utf-8"


@pytest.mark.parametrize("cue, shown", [
    ('<b class="x">a</b>', "<b>a</b>"),
    ("<b.loud>a</b> b", "<b>a</b> b"),
    ("</b>a", "a"),
    ("<i>a<b>b</i>c", "<i>a<b>b</b></i>c"),
    ("<U>a", "<u>a</u>"),
])
def test_caption_markup_stays_balanced(cue, shown):
    """A closing tag never survives without its opening one (an opening tag with attributes was dropped
    while its ``</b>`` was kept), and every tag kept is closed."""
    srt = f"1\n00:00:01,000 --> 00:00:02,000\n{cue}\n".encode()
    converted = convert(srt)
    assert converted.cues[0].text == shown
    assert shown in converted.vtt


@pytest.mark.parametrize("title", ["\u200b", " \u202e ", "\u00ad\ufeff", "\u200d", "\u2060\u3000", "太极", "a\u200bb",
                                   "👨\u200d👩"])
def test_the_documented_title_pattern_is_what_the_service_takes(title):
    """A title of only invisible format characters (zero widths, bidi controls) matched the documented
    pattern, and the service, which drops them, refused it as empty (a 400 for a valid-looking body)."""
    from elearn.api.schemas import VISIBLE_TEXT
    from elearn.core.errors import ServiceError
    from elearn.courses.services import clean_title

    try:
        clean_title(title)
        accepted = True
    except ServiceError:
        accepted = False
    assert bool(re.search(VISIBLE_TEXT, title)) == accepted
