"""The OpenAPI document itself: one error format, no catch-all answers, rules the server enforces."""
from __future__ import annotations

from tests.conftest import DEFAULT_PASSWORD


def _document(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield method.upper(), path, operation


def test_errors_are_documented_one_by_one_in_the_api_error_format(client):
    """No operation hides undocumented statuses behind a `default` answer, and every documented
    JSON error is the ApiError body the app really sends."""
    document = _document(client)
    assert "DEFAULT_ERROR" not in document["components"].get("responses", {})
    for method, path, operation in _operations(document):
        responses = operation.get("responses", {})
        assert "default" not in responses, (method, path)
        for status, response in responses.items():
            if status.startswith("4") and "content" in response:
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ApiError"}, (method, path, status)


def test_a_wrong_bearer_token_is_a_documented_401(client):
    """Every operation checks a bearer token before its view: the ones that need no sign-in document
    the 401 too, and answer it."""
    document = _document(client)
    for path in ("/api/v1/categories", "/api/v1/courses", "/api/v1/ping"):
        assert "401" in document["paths"][path]["get"]["responses"], path
        assert client.get(path, headers={"Authorization": "Bearer el_forged"}).status_code == 401


def test_creating_a_course_needs_a_category_as_the_document_says(client, user_factory):
    """The document requires `category` or `category_id` for POST /courses, and so does the server."""
    schema = _document(client)["components"]["schemas"]["CourseCreate"]
    assert schema["anyOf"] == [{"required": ["category"]}, {"required": ["category_id"]}]
    admin = user_factory(roles=["admin"])
    token = client.post("/api/v1/auth/token", json={"login": admin.login_name, "password": DEFAULT_PASSWORD})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    category_id = client.get("/api/v1/categories").get_json()[0]["id"]

    neither = client.post("/api/v1/courses", json={"title": "太极拳"}, headers=headers)
    assert neither.status_code == 422 and "category" in str(neither.get_json()["errors"])
    by_slug = client.post("/api/v1/courses", json={"title": "太极拳", "category": "taichi"}, headers=headers)
    assert by_slug.status_code == 201 and by_slug.get_json()["category"]["slug"] == "taichi"
    by_id = client.post("/api/v1/courses", json={"title": "书法", "category_id": category_id}, headers=headers)
    assert by_id.status_code == 201 and by_id.get_json()["category"]["id"] == category_id
