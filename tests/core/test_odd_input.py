"""Odd input is answered at the edges, never with a 500: ids past 32 bits, numbers too long to read,
JSON too deep or with lone surrogates, tus headers of 5,000 digits (issue 9, item 7)."""
from __future__ import annotations

import pytest

from elearn.learning.services import heartbeats
from tests.clients import bearer, issue_fields
from tests.factories import make_lesson, make_ready_course, make_user
from tests.video.test_tus import create, tus_headers

BIG_IDS = [str(2 ** 31), str(2 ** 63 + 1), "9" * 5000]


@pytest.fixture
def admin_token(db):
    return bearer(db, make_user(db, roles=["admin"]))


@pytest.mark.parametrize("big", BIG_IDS, ids=["2^31", "2^63+1", "5000 digits"])
@pytest.mark.parametrize("path", ["/api/v1/assets/{}", "/api/v1/lessons/{}/progress", "/api/v1/courses/{}",
                                  "/api/v1/chapters/{}", "/api/v1/lessons/{}/playback"])
def test_big_ids_in_api_paths_are_not_found(client, admin_token, path, big):
    """An id outside 1..2**31-1 in a path is simply not found (JSON 404), whatever its size."""
    response = client.get(path.format(big), headers=admin_token)
    assert response.status_code in (404, 405)
    assert response.status_code == 404 or client.patch(path.format(big), json={}, headers=admin_token).status_code == 404


@pytest.mark.parametrize("big", BIG_IDS, ids=["2^31", "2^63+1", "5000 digits"])
def test_big_ids_in_admin_pages_are_not_found(admin_client, big):
    """/admin/users/<big>/edit is the 404 page, not a 500."""
    assert admin_client.get(f"/admin/users/{big}/edit").status_code == 404


def test_a_huge_page_number_shows_an_empty_list(admin_client):
    """?page=10**30 would be an OFFSET the driver cannot hold."""
    assert admin_client.get(f"/admin/users?page={10 ** 30}").status_code == 200


@pytest.mark.parametrize("field, value", [
    ("category_id", 2 ** 63 + 1), ("category_id", 2 ** 31), ("category_id", 0), ("category_id", "5"),
    ("teacher_ids", [2 ** 63 + 1]), ("teacher_ids", [2 ** 31]),
])
def test_big_ids_in_json_fields_are_invalid(db, client, admin_token, field, value):
    """Id fields take JSON integers 1..2**31-1 only; anything else is a 422 naming the field."""
    body = {"title": "太极拳", "category": "health", field: value}
    response = client.post("/api/v1/courses", json=body, headers=admin_token)
    assert response.status_code == 422, response.get_json()
    assert field in str(response.get_json()["errors"])


def test_a_big_chapter_id_is_invalid(db, client, admin_token):
    lesson = make_lesson(db)
    response = client.patch(f"/api/v1/lessons/{lesson.id}", json={"chapter_id": 2 ** 63 + 1}, headers=admin_token)
    assert response.status_code == 422 and "chapter_id" in str(response.get_json()["errors"])


def test_the_openapi_document_states_the_id_range(client):
    """Path ids and id fields carry minimum 1 and maximum 2**31-1, so generated requests stay in range."""
    doc = client.get("/api/v1/openapi.json").get_json()
    param = doc["paths"]["/api/v1/courses/{course}"]["parameters"][0]
    assert (param["schema"]["minimum"], param["schema"]["maximum"]) == (1, 2 ** 31 - 1)
    field = doc["components"]["schemas"]["CourseCreate"]["properties"]["category_id"]
    assert (field["minimum"], field["maximum"]) == (1, 2 ** 31 - 1)


@pytest.mark.parametrize("users", [str(2 ** 63 + 1), str(2 ** 31), "9" * 5000])
def test_big_ids_on_the_slips_form_are_refused(admin_client, db, users):
    make_user(db, password=None, must_change_password=True)  # someone waiting, so the page has its form
    fields = issue_fields(admin_client, "/admin/users/slips")
    response = admin_client.post("/admin/users/slips", data={"users": users, **fields})
    assert response.status_code == 400
    assert "Please tick at least one person." in response.get_data(as_text=True) or \
        "请" in response.get_data(as_text=True)


MALFORMED = {
    "5000-digit number": '{"login": "a", "password": ' + "1" * 5000 + "}",
    "5000-digit float": '{"login": "a", "password": 1.' + "1" * 5000 + "}",
    "nested 5000 deep": '{"login": ' + "[" * 5000 + "]" * 5000 + ', "password": "x"}',
    "lone surrogate": '{"login": "\\ud800", "password": "x"}',
    "NaN": '{"login": "a", "password": NaN}',
    "1e999": '{"login": "a", "password": 1e999}',
}


@pytest.mark.parametrize("raw", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_json_is_a_plain_400_even_before_sign_in(db, client, raw):
    """/auth/token reads the body without a sign-in: each of these was a 500 (ValueError, RecursionError...)."""
    response = client.post("/api/v1/auth/token", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["code"] == "malformed_json"


def test_a_lone_surrogate_in_a_title_is_refused_before_the_database(db, client, admin_token):
    raw = '{"title": "\\ud800", "category": "health"}'
    response = client.post("/api/v1/courses", data=raw, content_type="application/json", headers=admin_token)
    assert response.status_code == 400 and response.get_json()["code"] == "malformed_json"


def test_a_401_digit_heartbeat_position_is_refused(db, client):
    """The heartbeat reads its body with get_json: the same limits apply there."""
    user = make_user(db)
    course = make_ready_course(db)
    raw = '{"position": ' + "9" * 401 + ', "intervals": []}'
    response = client.post(f"/api/v1/lessons/{course.lessons[0].id}/progress", data=raw,
                           content_type="application/json", headers=bearer(db, user))
    assert response.status_code == 400
    assert response.get_json()["code"] in ("malformed_json", "invalid_position")


def test_a_huge_integer_position_is_not_a_position():
    """_finite itself: an int past a float's range is no position (math.isfinite raised OverflowError)."""
    assert heartbeats._finite(10 ** 401) is False
    assert heartbeats._finite(12.5) is True and heartbeats._finite(float("nan")) is False


@pytest.mark.parametrize("header", ["Upload-Length", "Upload-Offset"])
def test_tus_sizes_of_5000_digits_are_a_plain_400(db, teacher_client, header):
    lesson = make_lesson(db, teacher_client.user)
    if header == "Upload-Length":
        response = create(teacher_client, lesson.id, "9" * 5000)
    else:
        created = create(teacher_client, lesson.id, 10)
        assert created.status_code == 201
        response = teacher_client.patch(created.headers["Location"], data=b"x",
                                        headers=tus_headers(teacher_client, Upload_Offset="9" * 5000),
                                        content_type="application/offset+octet-stream")
    assert response.status_code == 400 and response.get_json()["code"] == "bad_header"


def test_tus_metadata_with_a_5000_digit_lesson_id_is_refused(db, teacher_client):
    response = create(teacher_client, "9" * 5000, 10)
    assert response.status_code in (400, 404)
